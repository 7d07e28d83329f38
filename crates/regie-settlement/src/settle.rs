//! Settling a month: price every declaration line, check volumes per
//! toewijzing, determine payers, add lumpsum instalments and agreed risk
//! adjustments, and total per (payer, provider, lot, product).
//!
//! Streaming: lines are consumed once from an iterator. Per line only the
//! running totals of its toewijzing are kept (one small accumulator per
//! toewijzing with deliveries this month), never the line itself, so memory
//! grows with the number of active toewijzingen, not with the lines.

use crate::book::SettlementBook;
use crate::fxhash::FxHashMap;
use crate::line::{
    DeclarationLine, LineOutcome, LinePart, PayerBasis, RejectedLine, SettlementLine, TariffUsed,
};
use crate::lumpsum::{instalment_for, LumpsumAllocation, RiskAdjustment};
use crate::rules::{RejectReason, Rule};
use crate::volume::{is_client_month_fee, max_volume, VolumeContext};
use chrono::{Days, NaiveDate};
use regie_domain::{
    AgbCode, FundingVariant, Gemeentecode, Money, PayerRule, Product, Scope, Unit, YearMonth,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Units of each toewijzing accepted in earlier months; needed for limits
/// over the whole toewijzing period (frequentie totaal, per-week totals).
pub trait PriorUsage {
    /// Accepted units (fee-days for client-month fees) before the month settled.
    fn accepted_units(&self, toewijzing: &str) -> Decimal;
}

/// No earlier usage (first month, or no period-wide limits).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPriorUsage;

impl PriorUsage for NoPriorUsage {
    fn accepted_units(&self, _: &str) -> Decimal {
        Decimal::ZERO
    }
}

impl PriorUsage for HashMap<String, Decimal> {
    fn accepted_units(&self, t: &str) -> Decimal {
        self.get(t).copied().unwrap_or_default()
    }
}

impl PriorUsage for BTreeMap<String, Decimal> {
    fn accepted_units(&self, t: &str) -> Decimal {
        self.get(t).copied().unwrap_or_default()
    }
}

/// Everything besides the lines that a month settlement reads.
pub struct SettleInputs<'a> {
    /// Lots, contracts, clients, toewijzingen.
    pub book: &'a SettlementBook,
    /// Usage in earlier months.
    pub prior: &'a dyn PriorUsage,
    /// Agreed risk-dossier adjustments (those of the settled month are paid).
    pub adjustments: &'a [RiskAdjustment],
    /// Whether to report accepted units per toewijzing (the next month's prior usage).
    pub record_usage: bool,
}

impl<'a> SettleInputs<'a> {
    /// Inputs with no prior usage and no adjustments.
    pub fn new(book: &'a SettlementBook) -> Self {
        SettleInputs {
            book,
            prior: &NoPriorUsage,
            adjustments: &[],
            record_usage: false,
        }
    }
}

/// What a settlement row is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Item {
    /// Declared deliveries of a product (by product key).
    Product(String),
    /// Taakgericht monthly instalment.
    Lumpsum,
    /// A risk-dossier adjustment (by adjustment id).
    Adjustment(String),
}

/// The grouping of a month settlement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SettlementKey {
    /// Paying municipality.
    pub payer: Gemeentecode,
    /// Receiving provider.
    pub provider: AgbCode,
    /// Lot id.
    pub lot: String,
    /// What is paid for.
    pub item: Item,
}

/// Totals of one settlement row with the trace of how they came about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowTotals {
    /// Settled volume: declared units, or client-months (4 decimals) for
    /// outputgericht client-month fees, or 1 for an instalment.
    pub units: Decimal,
    /// What `units` counts.
    pub measure: String,
    /// Settled amount.
    pub amount: Money,
    /// Line parts contributing (a line split over two payers counts in both).
    pub line_parts: u64,
    /// Tariff periods used.
    pub tariffs: Vec<TariffUsed>,
    /// Rules applied.
    pub rules: Vec<Rule>,
}

/// One row of a month settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementRow {
    /// Grouping.
    #[serde(flatten)]
    pub key: SettlementKey,
    /// Totals and trace.
    #[serde(flatten)]
    pub totals: RowTotals,
}

/// Volume removed from a toewijzing for exceeding its maximum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeCap {
    /// Toewijzing.
    pub toewijzing: String,
    /// Provider.
    pub provider: AgbCode,
    /// Maximum for the month (IV077/IV078, less prior usage where it applies).
    pub allowed: Decimal,
    /// Declared and priced this month.
    pub declared: Decimal,
    /// Units removed.
    pub capped_units: Decimal,
    /// Amount removed.
    pub capped_amount: Money,
    /// Per payer (latest deliveries first).
    pub parts: Vec<CapPart>,
    /// Always `over_volume`.
    pub reason: RejectReason,
}

/// The part of a cap borne by one payer's deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapPart {
    /// Payer whose deliveries were capped.
    pub payer: Gemeentecode,
    /// Units removed.
    pub units: Decimal,
    /// Amount removed.
    pub amount: Money,
}

/// A lumpsum contract that could not be settled for the month, or an
/// adjustment that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LumpsumIssue {
    /// Contract.
    pub contract_id: String,
    /// Adjustment, when the issue is one.
    pub adjustment: Option<String>,
    /// What is wrong.
    pub problem: String,
}

/// Counts and sums for a quick check of a settlement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementStats {
    /// Lines read from the stream.
    pub lines_read: u64,
    /// Lines rejected.
    pub lines_rejected: u64,
    /// Amount priced before volume caps.
    pub priced_amount: Money,
    /// Amount removed by volume caps.
    pub capped_amount: Money,
    /// Declared lines settled (priced − capped).
    pub declared_settled: Money,
    /// Lumpsum instalments and adjustments.
    pub lumpsum_settled: Money,
}

/// Accepted units of one toewijzing in the month (next month's prior usage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToewijzingUsage {
    /// Toewijzing.
    pub toewijzing: String,
    /// Accepted units (fee-days for client-month fees).
    pub units: Decimal,
}

/// The settlement of one month: the store persists it, the CLI prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthSettlement {
    /// Settled month.
    pub month: YearMonth,
    /// Rows in key order (payer, provider, lot, item).
    pub rows: Vec<SettlementRow>,
    /// Volume caps, by toewijzing.
    pub caps: Vec<VolumeCap>,
    /// Rejected lines, in stream order.
    pub rejected: Vec<RejectedLine>,
    /// Lumpsum problems.
    pub lumpsum_issues: Vec<LumpsumIssue>,
    /// Accepted units per toewijzing, when requested.
    pub usage: Vec<ToewijzingUsage>,
    /// Counts and sums.
    pub stats: SettlementStats,
}

impl MonthSettlement {
    /// Total settled amount.
    pub fn total(&self) -> Money {
        self.rows.iter().map(|r| r.totals.amount).sum()
    }

    /// Total per paying municipality.
    pub fn by_payer(&self) -> BTreeMap<Gemeentecode, Money> {
        let mut m = BTreeMap::new();
        for r in &self.rows {
            *m.entry(r.key.payer).or_insert(Money::ZERO) += r.totals.amount;
        }
        m
    }

    /// Total per provider.
    pub fn by_provider(&self) -> BTreeMap<AgbCode, Money> {
        let mut m = BTreeMap::new();
        for r in &self.rows {
            *m.entry(r.key.provider).or_insert(Money::ZERO) += r.totals.amount;
        }
        m
    }

    /// Amounts per key (for comparing settlements).
    pub fn amounts(&self) -> BTreeMap<SettlementKey, Money> {
        self.rows
            .iter()
            .map(|r| (r.key.clone(), r.totals.amount))
            .collect()
    }

    /// Rejected lines counted per reason.
    pub fn rejected_by_reason(&self) -> BTreeMap<RejectReason, u64> {
        let mut m = BTreeMap::new();
        for r in &self.rejected {
            *m.entry(r.reason).or_insert(0) += 1;
        }
        m
    }

    /// Plain-text report (CLI `regie settle --month`).
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "Settlement {}", self.month);
        let _ = writeln!(
            s,
            "{:<6} {:<9} {:<16} {:<18} {:>12} {:<14} {:>16}",
            "payer", "provider", "lot", "item", "units", "measure", "amount"
        );
        for r in &self.rows {
            let item = match &r.key.item {
                Item::Product(p) => p.clone(),
                Item::Lumpsum => "lumpsum".to_string(),
                Item::Adjustment(a) => format!("adj:{a}"),
            };
            let _ = writeln!(
                s,
                "{:<6} {:<9} {:<16} {:<18} {:>12} {:<14} {:>16}",
                r.key.payer.as_str(),
                r.key.provider.as_str(),
                r.key.lot,
                item,
                r.totals.units.to_string(),
                r.totals.measure,
                r.totals.amount.to_string()
            );
            let rules: Vec<&str> = r.totals.rules.iter().map(|x| x.name()).collect();
            let _ = writeln!(s, "       rules: {}", rules.join(", "));
            for t in &r.totals.tariffs {
                let _ = writeln!(
                    s,
                    "       tariff {} {} valid {}{}",
                    t.product,
                    t.per_unit,
                    t.valid,
                    if t.assumption.is_some() {
                        " [assumed]"
                    } else {
                        ""
                    }
                );
            }
        }
        let _ = writeln!(s, "Per payer:");
        for (g, m) in self.by_payer() {
            let _ = writeln!(s, "  {} {:>16}", g, m.to_string());
        }
        if !self.caps.is_empty() {
            let _ = writeln!(s, "Volume caps:");
            for c in &self.caps {
                let _ = writeln!(
                    s,
                    "  {} declared {} allowed {} capped {} ({}) {}",
                    c.toewijzing, c.declared, c.allowed, c.capped_units, c.capped_amount, c.reason
                );
            }
        }
        if !self.rejected.is_empty() {
            let _ = writeln!(s, "Rejected lines:");
            for r in &self.rejected {
                let _ = writeln!(
                    s,
                    "  {} toewijzing {} {} {} {}",
                    r.reference, r.toewijzing, r.period, r.units, r.reason
                );
            }
        }
        for i in &self.lumpsum_issues {
            let _ = writeln!(s, "Lumpsum issue {}: {}", i.contract_id, i.problem);
        }
        let st = &self.stats;
        let _ = writeln!(
            s,
            "Lines read {}, rejected {}; priced {}, capped {}, declared settled {}, lumpsum {}; total {}",
            st.lines_read,
            st.lines_rejected,
            st.priced_amount,
            st.capped_amount,
            st.declared_settled,
            st.lumpsum_settled,
            self.total()
        );
        s
    }
}

// ---------------------------------------------------------------------------
// Pricing one line

/// How a quantity becomes an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Rate {
    /// tariff × units.
    PerUnit,
    /// (hourly tariff × minutes) / 60 (TR346).
    MinutesOfHour,
    /// Client-month fee: tariff × fee-days / days in month.
    PerFeeDay { month_days: u32 },
}

impl Rate {
    pub(crate) fn amount(self, tariff: Money, q: Decimal) -> Money {
        match self {
            Rate::PerUnit => tariff.times(q),
            Rate::MinutesOfHour => Money::from_euros(tariff.euros() * q / Decimal::from(60)),
            Rate::PerFeeDay { month_days } => {
                Money::from_euros(tariff.euros() * q / Decimal::from(month_days))
            }
        }
    }
}

/// A priced part of a line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pub payer: Gemeentecode,
    pub basis: PayerBasis,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub units: Decimal,
    pub amount: Money,
    pub tariff: u16,
}

/// The line-level facts of a priced line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Priced {
    pub toew: u32,
    pub lot: u16,
    pub product: u32,
    pub rate: Rate,
    pub rules: RuleSet,
}

/// A small set of rules as a bit mask (no allocation per line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct RuleSet(u32);

const ALL_RULES: [Rule; 14] = [
    Rule::PxQ,
    Rule::MinutesAgainstHourTariff,
    Rule::CountedUnitOnFirstDay,
    Rule::OutputProRataDays,
    Rule::OutputFullMonth,
    Rule::OutputFullFromDays,
    Rule::OutputPerStuk,
    Rule::PayerWoonplaats,
    Rule::PayerCentrumgemeente,
    Rule::SplitByDays,
    Rule::VolumeCapped,
    Rule::LumpsumInstalment,
    Rule::RiskAdjustment,
    Rule::AllocatedByShares,
];

impl RuleSet {
    fn bit(r: Rule) -> u32 {
        1 << ALL_RULES.iter().position(|x| *x == r).expect("listed")
    }
    pub(crate) fn add(&mut self, r: Rule) {
        self.0 |= Self::bit(r);
    }
    fn union(&mut self, o: RuleSet) {
        self.0 |= o.0;
    }
    pub(crate) fn to_vec(self) -> Vec<Rule> {
        ALL_RULES
            .iter()
            .copied()
            .filter(|r| self.0 & Self::bit(*r) != 0)
            .collect()
    }
}

fn tariff_idx(p: &Product, d: NaiveDate) -> Option<u16> {
    p.tariffs()
        .iter()
        .position(|t| t.valid.contains(d))
        .map(|i| i as u16)
}

fn payer_on(
    book: &SettlementBook,
    lot: u16,
    client: regie_domain::Bsn,
    d: NaiveDate,
) -> Result<(Gemeentecode, PayerBasis), RejectReason> {
    let rule = book.lot_at(lot).payer_on(d);
    match rule {
        PayerRule::Centrumgemeente { gemeente } => Ok((
            gemeente,
            PayerBasis {
                rule,
                residence: None,
                on: d,
            },
        )),
        PayerRule::Woonplaatsbeginsel => {
            let g = book
                .residence_on(client, d)
                .ok_or(RejectReason::UnknownClient)?;
            Ok((
                g,
                PayerBasis {
                    rule,
                    residence: Some(g),
                    on: d,
                },
            ))
        }
    }
}

fn payer_rule(b: &PayerBasis) -> Rule {
    match b.rule {
        PayerRule::Woonplaatsbeginsel => Rule::PayerWoonplaats,
        PayerRule::Centrumgemeente { .. } => Rule::PayerCentrumgemeente,
    }
}

/// Splits `[start, end]` into runs of days with the same (payer, tariff).
/// `with_tariff = false` keeps one tariff (the first day's) for all runs.
#[allow(clippy::too_many_arguments)] // internal hot-path helper; a struct would only rename the same eight values
fn day_runs(
    book: &SettlementBook,
    lot: u16,
    product: &Product,
    client: regie_domain::Bsn,
    start: NaiveDate,
    end: NaiveDate,
    with_tariff: bool,
    out: &mut Vec<(NaiveDate, NaiveDate, Gemeentecode, PayerBasis, u16)>,
) -> Result<(), RejectReason> {
    out.clear();
    let first_tariff = tariff_idx(product, start).ok_or(RejectReason::NoTariff)?;
    // Fast path: no move, no payer-rule change and (if it matters) the same
    // tariff at both ends — tariff periods are sorted and disjoint, so the
    // whole period then has one payer and one tariff.
    let same_tariff = !with_tariff || tariff_idx(product, end) == Some(first_tariff);
    if same_tariff {
        let (residence, stable) = book.residence_span(lot, client, start, end);
        if stable {
            let rule = book.lot_at(lot).payer_on(start);
            let (g, residence) = match rule {
                PayerRule::Centrumgemeente { gemeente } => (gemeente, None),
                PayerRule::Woonplaatsbeginsel => {
                    let g = residence.ok_or(RejectReason::UnknownClient)?;
                    (g, Some(g))
                }
            };
            let basis = PayerBasis {
                rule,
                residence,
                on: start,
            };
            out.push((start, end, g, basis, first_tariff));
            return Ok(());
        }
    }
    let mut d = start;
    while d <= end {
        let (g, basis) = payer_on(book, lot, client, d)?;
        let t = if with_tariff {
            tariff_idx(product, d).ok_or(RejectReason::NoTariff)?
        } else {
            first_tariff
        };
        match out.last_mut() {
            Some(last) if last.2 == g && last.4 == t => last.1 = d,
            _ => out.push((d, d, g, basis, t)),
        }
        d = d + Days::new(1);
    }
    Ok(())
}

/// Scratch buffers reused across lines so pricing does not allocate.
#[derive(Default)]
pub(crate) struct Scratch {
    pub segs: Vec<Seg>,
    runs: Vec<(NaiveDate, NaiveDate, Gemeentecode, PayerBasis, u16)>,
}

/// Prices one line; on success `scratch.segs` holds its parts.
pub(crate) fn price_line(
    book: &SettlementBook,
    month: YearMonth,
    line: &DeclarationLine,
    scratch: &mut Scratch,
) -> Result<Priced, RejectReason> {
    scratch.segs.clear();
    if line.units <= Decimal::ZERO {
        return Err(RejectReason::InvalidQuantity);
    }
    let end = line.period.end().ok_or(RejectReason::InvalidPeriod)?;
    let start = line.period.start();
    if start < month.first_day() || end > month.last_day() {
        return Err(RejectReason::OutsideSettlementMonth);
    }
    let ti = book
        .toewijzing_idx(&line.toewijzing)
        .ok_or(RejectReason::UnknownToewijzing)?;
    let te = book.toewijzing_at(ti);
    let t = &te.toewijzing;
    if t.client != line.client {
        return Err(RejectReason::ClientMismatch);
    }
    if t.provider != line.provider {
        return Err(RejectReason::ProviderMismatch);
    }
    let product_ok = match t.product.code {
        Some(c) => line.product.code == Some(c),
        None => line.product.categorie == t.product.categorie,
    };
    if !product_ok {
        return Err(RejectReason::ProductMismatch);
    }
    let pi = match te.product {
        Some(pi) if line.product.code == t.product.code => pi,
        _ => book
            .product_idx(&line.product)
            .ok_or(RejectReason::UnknownProduct)?,
    };
    let pe = book.product_at(pi);
    let lot_i = pe.lot;
    let lot = book.lot_at(lot_i);
    if lot.funding == FundingVariant::Taakgericht {
        return Err(RejectReason::LumpsumFunded);
    }
    if !t.period.covers(&line.period) {
        return Err(RejectReason::OutsideToewijzing);
    }
    if !book.has_contract(lot_i, line.provider, &line.period) {
        return Err(RejectReason::NoContract);
    }
    let product = &pe.product;
    // IV081: the declared unit is the toegewezen unit.
    if let Scope::Volume(o) = t.scope {
        if o.unit != line.unit {
            return Err(RejectReason::UnitMismatch);
        }
    }
    let mut rules = RuleSet::default();
    let month_days = month.days();
    let days = (end - start).num_days() as u32 + 1;

    if lot.funding == FundingVariant::Outputgericht {
        let client_month = is_client_month_fee(t);
        if line.unit != product.unit() {
            return Err(RejectReason::UnitMismatch);
        }
        let (rate, units) = if client_month {
            rules.add(lot.part_month.rule());
            let fee_days = lot.part_month.fee_days(days, month_days);
            (
                Rate::PerFeeDay { month_days },
                line.units * Decimal::from(fee_days),
            )
        } else {
            rules.add(Rule::OutputPerStuk);
            (Rate::PerUnit, line.units)
        };
        // One fee (tariff of the first day in care), divided over payers by days.
        day_runs(
            book,
            lot_i,
            product,
            line.client,
            start,
            end,
            false,
            &mut scratch.runs,
        )?;
        let tariff = product.tariffs()[usize::from(scratch.runs[0].4)].per_unit;
        push_split(scratch, rate.amount(tariff, units), units, &mut rules);
        return Ok(Priced {
            toew: ti,
            lot: lot_i,
            product: pi,
            rate,
            rules,
        });
    }

    // Inspanningsgericht.
    let rate = if line.unit == product.unit() {
        Rate::PerUnit
    } else if line.unit == Unit::Minute && product.unit() == Unit::Hour {
        rules.add(Rule::MinutesAgainstHourTariff);
        Rate::MinutesOfHour
    } else {
        return Err(RejectReason::UnitMismatch);
    };
    rules.add(Rule::PxQ);
    let counted = line.unit == Unit::StuksInspanning;
    if start == end || counted {
        if counted && start != end {
            rules.add(Rule::CountedUnitOnFirstDay);
        }
        let tariff = tariff_idx(product, start).ok_or(RejectReason::NoTariff)?;
        let (g, basis) = payer_on(book, lot_i, line.client, start)?;
        rules.add(payer_rule(&basis));
        let per_unit = product.tariffs()[usize::from(tariff)].per_unit;
        scratch.segs.push(Seg {
            payer: g,
            basis,
            from: start,
            to: end,
            units: line.units,
            amount: rate.amount(per_unit, line.units),
            tariff,
        });
    } else {
        day_runs(
            book,
            lot_i,
            product,
            line.client,
            start,
            end,
            true,
            &mut scratch.runs,
        )?;
        let one_tariff = scratch.runs.iter().all(|r| r.4 == scratch.runs[0].4);
        if one_tariff {
            let tariff = product.tariffs()[usize::from(scratch.runs[0].4)].per_unit;
            push_split(
                scratch,
                rate.amount(tariff, line.units),
                line.units,
                &mut rules,
            );
        } else {
            // Different tariffs: each part priced on its own.
            push_split(scratch, Money::ZERO, line.units, &mut rules);
            for s in scratch.segs.iter_mut() {
                let tariff = product.tariffs()[usize::from(s.tariff)].per_unit;
                s.amount = rate.amount(tariff, s.units);
            }
        }
    }
    Ok(Priced {
        toew: ti,
        lot: lot_i,
        product: pi,
        rate,
        rules,
    })
}

/// Turns `scratch.runs` into segments, dividing `amount` and `units` by days
/// with the remainder on the last run (so parts sum exactly).
fn push_split(scratch: &mut Scratch, amount: Money, units: Decimal, rules: &mut RuleSet) {
    let total_days: u64 = scratch
        .runs
        .iter()
        .map(|r| (r.1 - r.0).num_days() as u64 + 1)
        .sum();
    if scratch.runs.len() > 1 {
        rules.add(Rule::SplitByDays);
    }
    let n = scratch.runs.len();
    let mut given_amount = Money::ZERO;
    let mut given_units = Decimal::ZERO;
    for (i, r) in scratch.runs.iter().enumerate() {
        rules.add(payer_rule(&r.3));
        let d = (r.1 - r.0).num_days() as u64 + 1;
        let (a, u) = if i + 1 == n {
            (amount - given_amount, units - given_units)
        } else {
            let a =
                Money::from_euros(amount.euros() * Decimal::from(d) / Decimal::from(total_days));
            let u = units * Decimal::from(d) / Decimal::from(total_days);
            (a, u)
        };
        given_amount += a;
        given_units += u;
        scratch.segs.push(Seg {
            payer: r.2,
            basis: r.3,
            from: r.0,
            to: r.1,
            units: u,
            amount: a,
            tariff: r.4,
        });
    }
}

// ---------------------------------------------------------------------------
// Accumulating a month

#[derive(Debug, Clone)]
struct SegAcc {
    product: u32,
    payer: Gemeentecode,
    tariff: u16,
    rate: Rate,
    units: Decimal,
    amount: Money,
    parts: u64,
    last: NaiveDate,
    rules: RuleSet,
}

#[derive(Debug, Clone)]
struct ToewAcc {
    lot: u16,
    segs: Vec<SegAcc>,
}

#[derive(Debug, Clone, Default)]
struct RowAcc {
    units: Decimal,
    amount: Money,
    parts: u64,
    tariffs: BTreeSet<u16>,
    rules: RuleSet,
    fee_days_month: Option<u32>,
}

type RowKey = (Gemeentecode, AgbCode, u16, u32);

/// Settles a month from a stream of declaration lines. See the crate docs for
/// the rules. Deterministic: the same inputs give the same settlement
/// whatever the order of toewijzingen in memory; rejected lines keep stream order.
pub fn settle_month<I>(month: YearMonth, inputs: &SettleInputs<'_>, lines: I) -> MonthSettlement
where
    I: IntoIterator,
    I::Item: Borrow<DeclarationLine>,
{
    settle_inner(month, inputs, lines, None)
}

/// Like [`settle_month`], and hands every line with its full trace to `sink`
/// (for persisting settled lines). Volume caps are applied per toewijzing
/// after the stream and reported in `MonthSettlement::caps`.
pub fn settle_month_with<I, F>(
    month: YearMonth,
    inputs: &SettleInputs<'_>,
    lines: I,
    mut sink: F,
) -> MonthSettlement
where
    I: IntoIterator,
    I::Item: Borrow<DeclarationLine>,
    F: FnMut(&SettlementLine),
{
    settle_inner(month, inputs, lines, Some(&mut sink))
}

/// Prices a single line with its full trace (no volume check: that needs the
/// whole month, see [`crate::explain::explain_toewijzing`]).
pub fn explain_line(
    book: &SettlementBook,
    month: YearMonth,
    line: &DeclarationLine,
) -> SettlementLine {
    let mut scratch = Scratch::default();
    let r = price_line(book, month, line, &mut scratch);
    to_settlement_line(book, line, r, &scratch)
}

pub(crate) fn tariff_used(book: &SettlementBook, product: u32, tariff: u16) -> TariffUsed {
    let p = &book.product_at(product).product;
    let t = &p.tariffs()[usize::from(tariff)];
    TariffUsed {
        product: p.key(),
        valid: t.valid,
        per_unit: t.per_unit,
        assumption: t.assumption.clone(),
    }
}

fn to_settlement_line(
    book: &SettlementBook,
    line: &DeclarationLine,
    r: Result<Priced, RejectReason>,
    scratch: &Scratch,
) -> SettlementLine {
    let lot = book
        .product_idx(&line.product)
        .map(|pi| book.lot_at(book.product_at(pi).lot).id.clone());
    let outcome = match r {
        Err(reason) => LineOutcome::Rejected { reason },
        Ok(p) => {
            let parts: Vec<LinePart> = scratch
                .segs
                .iter()
                .map(|s| {
                    let mut rules = p.rules;
                    // Only the payer rule that applied to this part.
                    rules.0 &= !(RuleSet::bit(Rule::PayerWoonplaats)
                        | RuleSet::bit(Rule::PayerCentrumgemeente));
                    rules.add(payer_rule(&s.basis));
                    LinePart {
                        payer: s.payer,
                        payer_basis: s.basis,
                        from: s.from,
                        to: s.to,
                        units: s.units,
                        divisor: match p.rate {
                            Rate::PerUnit => None,
                            Rate::MinutesOfHour => Some(60),
                            Rate::PerFeeDay { month_days } => Some(month_days),
                        },
                        amount: s.amount,
                        tariff: tariff_used(book, p.product, s.tariff),
                        rules: rules.to_vec(),
                    }
                })
                .collect();
            let amount = parts.iter().map(|p| p.amount).sum();
            LineOutcome::Accepted { parts, amount }
        }
    };
    SettlementLine {
        line: line.clone(),
        lot,
        outcome,
    }
}

fn settle_inner<I>(
    month: YearMonth,
    inputs: &SettleInputs<'_>,
    lines: I,
    mut sink: Option<&mut dyn FnMut(&SettlementLine)>,
) -> MonthSettlement
where
    I: IntoIterator,
    I::Item: Borrow<DeclarationLine>,
{
    let book = inputs.book;
    let mut scratch = Scratch::default();
    let mut accs: FxHashMap<u32, ToewAcc> = FxHashMap::default();
    let mut rejected = Vec::new();
    let mut stats = SettlementStats::default();

    for item in lines {
        let line: &DeclarationLine = item.borrow();
        stats.lines_read += 1;
        let r = price_line(book, month, line, &mut scratch);
        if let Some(sink) = sink.as_deref_mut() {
            sink(&to_settlement_line(book, line, r, &scratch));
        }
        let p = match r {
            Ok(p) => p,
            Err(reason) => {
                stats.lines_rejected += 1;
                rejected.push(RejectedLine::from_line(line, reason));
                continue;
            }
        };
        let acc = accs.entry(p.toew).or_insert_with(|| ToewAcc {
            lot: p.lot,
            segs: Vec::with_capacity(1),
        });
        for s in &scratch.segs {
            stats.priced_amount += s.amount;
            let mut rules = p.rules;
            rules.0 &=
                !(RuleSet::bit(Rule::PayerWoonplaats) | RuleSet::bit(Rule::PayerCentrumgemeente));
            rules.add(payer_rule(&s.basis));
            match acc.segs.iter_mut().find(|a| {
                a.payer == s.payer
                    && a.tariff == s.tariff
                    && a.product == p.product
                    && a.rate == p.rate
            }) {
                Some(a) => {
                    a.units += s.units;
                    a.amount += s.amount;
                    a.parts += 1;
                    a.last = a.last.max(s.to);
                    a.rules.union(rules);
                }
                None => acc.segs.push(SegAcc {
                    product: p.product,
                    payer: s.payer,
                    tariff: s.tariff,
                    rate: p.rate,
                    units: s.units,
                    amount: s.amount,
                    parts: 1,
                    last: s.to,
                    rules,
                }),
            }
        }
    }

    // Volume checks per toewijzing, then totals.
    let mut caps = Vec::new();
    let mut usage = Vec::new();
    let mut rows: FxHashMap<RowKey, RowAcc> = FxHashMap::default();
    for (ti, mut acc) in accs {
        let te = book.toewijzing_at(ti);
        let t = &te.toewijzing;
        let lot = book.lot_at(acc.lot);
        let ctx = VolumeContext {
            variant: lot.funding,
            part_month: lot.part_month,
            huishoudelijke_hulp: t.product.categorie.as_str() == "01",
        };
        let declared: Decimal = acc.segs.iter().map(|s| s.units).sum();
        let prior = inputs.prior.accepted_units(&t.id);
        if let Some(max) = max_volume(t, month, ctx, prior) {
            if declared > max {
                let cap = apply_cap(book, t, &mut acc, declared, max);
                stats.capped_amount += cap.capped_amount;
                caps.push(cap);
            }
        }
        if inputs.record_usage {
            usage.push(ToewijzingUsage {
                toewijzing: t.id.clone(),
                units: acc.segs.iter().map(|s| s.units).sum(),
            });
        }
        for s in acc.segs {
            let row = rows
                .entry((s.payer, t.provider, acc.lot, s.product))
                .or_default();
            row.units += s.units;
            row.amount += s.amount;
            row.parts += s.parts;
            row.tariffs.insert(s.tariff);
            row.rules.union(s.rules);
            if let Rate::PerFeeDay { month_days } = s.rate {
                row.fee_days_month = Some(month_days);
            }
        }
    }
    caps.sort_by(|a, b| a.toewijzing.cmp(&b.toewijzing));
    usage.sort_by(|a, b| a.toewijzing.cmp(&b.toewijzing));

    let mut out: BTreeMap<SettlementKey, RowTotals> = BTreeMap::new();
    for ((payer, provider, lot, product), r) in rows {
        let pe = book.product_at(product);
        let key = SettlementKey {
            payer,
            provider,
            lot: book.lot_at(lot).id.clone(),
            item: Item::Product(pe.product.key()),
        };
        let (units, measure) = match r.fee_days_month {
            Some(md) => (
                (r.units / Decimal::from(md)).round_dp(4),
                "client-months".to_string(),
            ),
            None => (r.units, pe.product.unit().label().to_string()),
        };
        stats.declared_settled += r.amount;
        out.insert(
            key,
            RowTotals {
                units,
                measure,
                amount: r.amount,
                line_parts: r.parts,
                tariffs: r
                    .tariffs
                    .iter()
                    .map(|ti| tariff_used(book, product, *ti))
                    .collect(),
                rules: r.rules.to_vec(),
            },
        );
    }

    let lumpsum_issues = settle_lumpsum(month, inputs, &mut out, &mut stats);

    MonthSettlement {
        month,
        rows: out
            .into_iter()
            .map(|(key, totals)| SettlementRow { key, totals })
            .collect(),
        caps,
        rejected,
        lumpsum_issues,
        usage,
        stats,
    }
}

/// Removes the excess above `max` from the latest deliveries first. The
/// choice is deterministic and order-independent (it depends only on the set
/// of lines), and matches how a provider over-declares in practice: the
/// volume runs out at the end of the month.
fn apply_cap(
    book: &SettlementBook,
    t: &regie_domain::Toewijzing,
    acc: &mut ToewAcc,
    declared: Decimal,
    max: Decimal,
) -> VolumeCap {
    let mut excess = declared - max;
    let mut order: Vec<usize> = (0..acc.segs.len()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (&acc.segs[*a], &acc.segs[*b]);
        y.last
            .cmp(&x.last)
            .then(x.payer.cmp(&y.payer))
            .then(x.product.cmp(&y.product))
            .then(x.tariff.cmp(&y.tariff))
    });
    let mut parts: Vec<CapPart> = Vec::new();
    let mut capped_amount = Money::ZERO;
    for i in order {
        if excess <= Decimal::ZERO {
            break;
        }
        let s = &mut acc.segs[i];
        let take = excess.min(s.units);
        let tariff = book.product_at(s.product).product.tariffs()[usize::from(s.tariff)].per_unit;
        let amount = if take == s.units {
            s.amount
        } else {
            s.rate.amount(tariff, take).min(s.amount)
        };
        s.units -= take;
        s.amount -= amount;
        s.rules.add(Rule::VolumeCapped);
        excess -= take;
        capped_amount += amount;
        match parts.iter_mut().find(|p| p.payer == s.payer) {
            Some(p) => {
                p.units += take;
                p.amount += amount;
            }
            None => parts.push(CapPart {
                payer: s.payer,
                units: take,
                amount,
            }),
        }
    }
    VolumeCap {
        toewijzing: t.id.clone(),
        provider: t.provider,
        allowed: max,
        declared,
        capped_units: declared - max,
        capped_amount,
        parts,
        reason: RejectReason::OverVolume,
    }
}

fn settle_lumpsum(
    month: YearMonth,
    inputs: &SettleInputs<'_>,
    out: &mut BTreeMap<SettlementKey, RowTotals>,
    stats: &mut SettlementStats,
) -> Vec<LumpsumIssue> {
    let mut issues = Vec::new();
    let mut add = |payer, provider, lot: &str, item: Item, amount: Money, rules: Vec<Rule>| {
        stats.lumpsum_settled += amount;
        let key = SettlementKey {
            payer,
            provider,
            lot: lot.to_string(),
            item,
        };
        let measure = match key.item {
            Item::Adjustment(_) => "adjustment",
            _ => "instalments",
        };
        let e = out.entry(key).or_insert_with(|| RowTotals {
            units: Decimal::ZERO,
            measure: measure.into(),
            amount: Money::ZERO,
            line_parts: 0,
            tariffs: vec![],
            rules: vec![],
        });
        e.units += Decimal::ONE;
        e.amount += amount;
        for r in rules {
            if !e.rules.contains(&r) {
                e.rules.push(r);
            }
        }
        e.rules.sort();
    };
    for c in inputs.book.lumpsum_contracts() {
        if !c.period.overlaps(&month.period()) {
            continue;
        }
        let shares_rule = matches!(c.allocation, LumpsumAllocation::Shares(_));
        match instalment_for(&c.terms, &c.period, month) {
            Ok(amount) => {
                for (g, part) in c.allocation.divide(amount) {
                    let mut rules = vec![Rule::LumpsumInstalment];
                    if shares_rule {
                        rules.push(Rule::AllocatedByShares);
                    }
                    add(g, c.provider, &c.lot, Item::Lumpsum, part, rules);
                }
            }
            Err(e) => issues.push(LumpsumIssue {
                contract_id: c.contract_id.clone(),
                adjustment: None,
                problem: e.to_string(),
            }),
        }
    }
    for a in inputs.adjustments.iter().filter(|a| a.month == month) {
        let Some(c) = inputs
            .book
            .lumpsum_contracts()
            .iter()
            .find(|c| c.contract_id == a.contract_id)
        else {
            issues.push(LumpsumIssue {
                contract_id: a.contract_id.clone(),
                adjustment: Some(a.id.clone()),
                problem: "no taakgericht contract with this id".into(),
            });
            continue;
        };
        if let Err(e) = a.validate() {
            issues.push(LumpsumIssue {
                contract_id: a.contract_id.clone(),
                adjustment: Some(a.id.clone()),
                problem: e.to_string(),
            });
            continue;
        }
        let shares_rule = matches!(c.allocation, LumpsumAllocation::Shares(_));
        for (g, part) in c.allocation.divide(a.amount) {
            let mut rules = vec![Rule::RiskAdjustment];
            if shares_rule {
                rules.push(Rule::AllocatedByShares);
            }
            add(
                g,
                c.provider,
                &c.lot,
                Item::Adjustment(a.id.clone()),
                part,
                rules,
            );
        }
    }
    issues
}
