//! Taakgericht (lumpsum) funding: monthly instalments, the budget reduction
//! path, the client count against the contracted bandwidth, and risk-dossier
//! adjustments with the risk split of Amersfoort (seed 000): municipalities
//! carry the inflow risk (they decide who gets access), the provider carries
//! the outflow and intensity risk (it decides how much support, for how long).

use crate::split::{split_largest_remainder, split_remainder_last};
use regie_domain::{Bandwidth, Gemeentecode, Money, Period, TaakgerichtTerms, YearMonth};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// Lumpsum problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LumpsumError {
    /// No budget agreed for the year.
    #[error("no lumpsum agreed for {0}")]
    NoBudget(i32),
    /// The contract does not run in the month.
    #[error("contract does not run in {0}")]
    OutsideContract(YearMonth),
    /// A positive adjustment for a risk the provider carries.
    #[error("adjustment {id}: {category:?} risk is the provider's; it cannot raise the lumpsum")]
    RiskBorneByProvider {
        /// Adjustment id.
        id: String,
        /// Category.
        category: RiskCategory,
    },
    /// The adjustment has no reason.
    #[error("adjustment {0}: a reason is required")]
    NoReason(String),
    /// A reduction path needs at least one year.
    #[error("a budget path needs at least one year")]
    EmptyPath,
}

/// How a lumpsum is divided over paying municipalities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LumpsumAllocation {
    /// One municipality pays all (centrumgemeente).
    Single(Gemeentecode),
    /// Shares, e.g. clients per municipality of origin (woonplaatsbeginsel) or
    /// inhabitants; divided by largest remainder so the parts sum exactly.
    Shares(BTreeMap<Gemeentecode, u64>),
}

impl LumpsumAllocation {
    /// Whether any municipality has a positive share.
    pub fn has_positive_share(&self) -> bool {
        match self {
            LumpsumAllocation::Single(_) => true,
            LumpsumAllocation::Shares(s) => s.values().any(|v| *v > 0),
        }
    }

    /// Divides an amount; parts sum exactly to `amount`.
    pub fn divide(&self, amount: Money) -> Vec<(Gemeentecode, Money)> {
        match self {
            LumpsumAllocation::Single(g) => vec![(*g, amount)],
            LumpsumAllocation::Shares(s) => {
                let weights: Vec<u64> = s.values().copied().collect();
                s.keys()
                    .copied()
                    .zip(split_largest_remainder(amount, &weights))
                    .collect()
            }
        }
    }
}

/// The months of `year` inside `period`, in order.
pub fn months_in(year: i32, period: &Period) -> Vec<YearMonth> {
    let jan = YearMonth::new(year, 1).expect("valid");
    let dec = YearMonth::new(year, 12).expect("valid");
    jan.through(dec)
        .filter(|m| period.overlaps(&m.period()))
        .collect()
}

/// Spreads an annual lumpsum evenly over the months of the year the contract
/// runs in; the last of those months takes the remainder cents, so the
/// instalments always sum exactly to the annual budget. For a contract that
/// starts mid-year (Hart van Brabant: 1 July 2022) the budget entry for that
/// year is the budget for the part-year and is spread over those months.
pub fn instalments(annual: Money, months: &[YearMonth]) -> Vec<(YearMonth, Money)> {
    let parts = split_remainder_last(annual, &vec![1; months.len()]);
    months.iter().copied().zip(parts).collect()
}

/// The instalment of a lumpsum contract for one month.
pub fn instalment_for(
    terms: &TaakgerichtTerms,
    contract_period: &Period,
    month: YearMonth,
) -> Result<Money, LumpsumError> {
    let months = months_in(month.year(), contract_period);
    if !months.contains(&month) {
        return Err(LumpsumError::OutsideContract(month));
    }
    let annual = terms
        .budget_for(month.year())
        .ok_or(LumpsumError::NoBudget(month.year()))?;
    Ok(instalments(annual, &months)
        .into_iter()
        .find(|(m, _)| *m == month)
        .map(|(_, a)| a)
        .expect("month is in the list"))
}

/// How the lumpsum develops over the contract years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReductionPath {
    /// Each year the previous year's budget less `pct` percent (compounding),
    /// e.g. Hart van Brabant's "afbouw budget gedurende contractperiode (percentage PM)".
    Percent {
        /// Percentage per year, e.g. 2.5.
        pct: Decimal,
    },
    /// Each year the previous year's budget less a fixed amount (the shape of
    /// the total of Hart van Brabant's Tabel 1: −€1,370,217 a year).
    Absolute {
        /// Reduction per year.
        per_year: Money,
    },
}

/// Annual budgets from a first-year budget along a reduction path, each
/// rounded to cents (the input for `TaakgerichtTerms::annual_budget`).
pub fn budget_path(
    first_year: i32,
    first_budget: Money,
    years: u32,
    path: ReductionPath,
) -> Result<Vec<(i32, Money)>, LumpsumError> {
    if years == 0 {
        return Err(LumpsumError::EmptyPath);
    }
    let mut out = Vec::with_capacity(years as usize);
    let mut b = first_budget;
    for i in 0..years {
        if i > 0 {
            b = match path {
                ReductionPath::Percent { pct } => {
                    b.times(Decimal::ONE - pct / Decimal::ONE_HUNDRED)
                }
                ReductionPath::Absolute { per_year } => b - per_year,
            };
        }
        out.push((first_year + i as i32, b));
    }
    Ok(out)
}

/// Client figures for a bandwidth review (from start/stop messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientFlows {
    /// Clients in care on the peildatum.
    pub in_care: u32,
    /// New clients in the review period.
    pub inflow: u32,
    /// Clients who left in the review period.
    pub outflow: u32,
    /// Inflow the lumpsum was based on for the period.
    pub expected_inflow: u32,
    /// Outflow the lumpsum was based on for the period.
    pub expected_outflow: u32,
}

/// Outcome of comparing the client count with the contracted bandwidth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandwidthReview {
    /// Where the count falls.
    pub status: Bandwidth,
    /// Bandwidth `(min, max)`.
    pub bandwidth: (u32, u32),
    /// Clients in care.
    pub in_care: u32,
    /// Clients outside the bandwidth attributable to inflow (municipal risk).
    pub inflow_driven: u32,
    /// Clients outside the bandwidth attributable to outflow (provider risk).
    pub outflow_driven: u32,
    /// Lumpsum per client-month the proposal uses: annual budget / bandwidth midpoint / 12.
    pub rate_per_client_month: Money,
    /// Proposed adjustment for consultation (never applied automatically).
    pub proposal: Option<AdjustmentProposal>,
    /// Whether the parties must consult (outside the bandwidth).
    pub consult: bool,
}

/// A computed adjustment proposal; it becomes a [`RiskAdjustment`] only when agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentProposal {
    /// Signed amount: positive raises the lumpsum.
    pub amount: Money,
    /// Category (always inflow: the only risk the municipalities carry here).
    pub category: RiskCategory,
    /// How it was computed, in words.
    pub basis: String,
}

/// Compares the client count with the bandwidth and, when outside, computes
/// an inflow-driven adjustment proposal for the consultation.
///
/// Risk split (seed 000): only the part of the deviation explained by inflow
/// differing from the expected inflow is the municipalities' risk. Above the
/// maximum: `inflow_driven = min(excess, max(0, inflow − expected_inflow))`,
/// the rest (outflow lagging) is the provider's. Below the minimum the same
/// logic gives a negative proposal when inflow fell short. The amount is
/// `inflow_driven × rate_per_client_month × months`, with
/// `rate = annual budget / bandwidth midpoint / 12`.
pub fn review_bandwidth(
    terms: &TaakgerichtTerms,
    year: i32,
    flows: ClientFlows,
    months: u32,
) -> Result<BandwidthReview, LumpsumError> {
    let annual = terms.budget_for(year).ok_or(LumpsumError::NoBudget(year))?;
    let (lo, hi) = terms.client_bandwidth;
    let midpoint = Decimal::from(lo + hi) / Decimal::from(2);
    let rate = Money::from_euros(annual.euros() / midpoint / Decimal::from(12));
    let status = terms.bandwidth_status(flows.in_care);
    let (inflow_driven, outflow_driven, sign) = match status {
        Bandwidth::Within => (0, 0, 0i64),
        Bandwidth::Above { by } => {
            let extra_inflow = flows.inflow.saturating_sub(flows.expected_inflow);
            let i = by.min(extra_inflow);
            (i, by - i, 1)
        }
        Bandwidth::Below { by } => {
            let missing_inflow = flows.expected_inflow.saturating_sub(flows.inflow);
            let i = by.min(missing_inflow);
            (i, by - i, -1)
        }
    };
    let proposal = (inflow_driven > 0).then(|| {
        let amount = rate * i64::from(inflow_driven) * i64::from(months) * sign;
        AdjustmentProposal {
            amount,
            category: RiskCategory::Inflow,
            basis: format!(
                "{inflow_driven} clients {} the bandwidth {lo}-{hi} attributable to inflow \
                 (inflow {} vs expected {}) x {rate} per client-month x {months} months",
                if sign > 0 { "above" } else { "below" },
                flows.inflow,
                flows.expected_inflow
            ),
        }
    });
    Ok(BandwidthReview {
        status,
        bandwidth: (lo, hi),
        in_care: flows.in_care,
        inflow_driven,
        outflow_driven,
        rate_per_client_month: rate,
        proposal,
        consult: status != Bandwidth::Within,
    })
}

/// What a risk-dossier entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskCategory {
    /// More or fewer new clients than expected: municipalities' risk.
    Inflow,
    /// Clients staying longer or shorter: provider's risk.
    Outflow,
    /// More or less support per client: provider's risk.
    Intensity,
    /// Changes in law or national policy (e.g. Wlz access): outside both
    /// parties' influence, adjusted by agreement (seed 003).
    Legislation,
    /// Anything else in the risk dossier, by agreement.
    Other,
}

/// Who carries a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskBearer {
    /// The municipalities (commissioning party).
    Municipalities,
    /// The contract partner.
    Provider,
    /// Settled by agreement in consultation.
    Agreement,
}

impl RiskCategory {
    /// The bearer under the risk split of seed 000.
    pub fn bearer(self) -> RiskBearer {
        match self {
            RiskCategory::Inflow => RiskBearer::Municipalities,
            RiskCategory::Outflow | RiskCategory::Intensity => RiskBearer::Provider,
            RiskCategory::Legislation | RiskCategory::Other => RiskBearer::Agreement,
        }
    }
}

/// An agreed risk-dossier adjustment to a lumpsum, paid in a given month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAdjustment {
    /// Identifier.
    pub id: String,
    /// Contract.
    pub contract_id: String,
    /// Month in which it is settled.
    pub month: YearMonth,
    /// Signed amount: positive raises, negative lowers the lumpsum.
    pub amount: Money,
    /// Category.
    pub category: RiskCategory,
    /// Why (required: every adjustment must be explainable).
    pub reason: String,
}

impl RiskAdjustment {
    /// Checks the adjustment against the risk split: a provider-borne risk
    /// (outflow, intensity) never raises the lumpsum; a reason is required.
    pub fn validate(&self) -> Result<(), LumpsumError> {
        if self.reason.trim().is_empty() {
            return Err(LumpsumError::NoReason(self.id.clone()));
        }
        if self.category.bearer() == RiskBearer::Provider && self.amount > Money::ZERO {
            return Err(LumpsumError::RiskBorneByProvider {
                id: self.id.clone(),
                category: self.category,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn terms() -> TaakgerichtTerms {
        TaakgerichtTerms {
            annual_budget: vec![
                (2022, Money::from_cents(2_500_000_000)),
                (2023, Money::from_cents(4_863_555_400)),
            ],
            client_bandwidth: (665, 735),
        }
    }

    fn hvb_period() -> Period {
        let s = NaiveDate::from_ymd_opt(2022, 7, 1).unwrap();
        Period::new(s, Some(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap())).unwrap()
    }

    #[test]
    fn instalments_sum_exactly_remainder_last() {
        // €48,635,554.00 / 12 = 4,052,962.8333…: 11 × 4,052,962.83 + 4,052,962.87.
        let t = terms();
        let p = hvb_period();
        let jan = YearMonth::new(2023, 1).unwrap();
        let dec_ = YearMonth::new(2023, 12).unwrap();
        assert_eq!(
            instalment_for(&t, &p, jan).unwrap(),
            Money::from_cents(405_296_283)
        );
        assert_eq!(
            instalment_for(&t, &p, dec_).unwrap(),
            Money::from_cents(405_296_287)
        );
        let sum: Money = jan
            .through(dec_)
            .map(|m| instalment_for(&t, &p, m).unwrap())
            .sum();
        assert_eq!(sum, t.budget_for(2023).unwrap());
    }

    #[test]
    fn part_year_contract_spreads_over_its_months() {
        // HvB starts 1 July 2022: the 2022 entry is spread over July–December.
        let t = terms();
        let p = hvb_period();
        assert_eq!(
            instalment_for(&t, &p, YearMonth::new(2022, 6).unwrap()),
            Err(LumpsumError::OutsideContract(
                YearMonth::new(2022, 6).unwrap()
            ))
        );
        let jul = instalment_for(&t, &p, YearMonth::new(2022, 7).unwrap()).unwrap();
        assert_eq!(jul, Money::from_cents(416_666_666));
        let dec_ = instalment_for(&t, &p, YearMonth::new(2022, 12).unwrap()).unwrap();
        assert_eq!(dec_, Money::from_cents(416_666_670));
        assert_eq!(
            instalment_for(&t, &p, YearMonth::new(2024, 1).unwrap()),
            Err(LumpsumError::NoBudget(2024))
        );
    }

    #[test]
    fn reduction_paths() {
        let p = budget_path(
            2023,
            Money::from_cents(4_863_555_400),
            3,
            ReductionPath::Absolute {
                per_year: Money::from_cents(137_021_700),
            },
        )
        .unwrap();
        // Hart van Brabant Tabel 1 totals 2023–2025.
        assert_eq!(p[1], (2024, Money::from_cents(4_726_533_700)));
        assert_eq!(p[2], (2025, Money::from_cents(4_589_512_000)));
        let q = budget_path(
            2027,
            Money::from_cents(100_000_000),
            3,
            ReductionPath::Percent { pct: dec!(2.5) },
        )
        .unwrap();
        assert_eq!(q[1].1, Money::from_cents(97_500_000));
        assert_eq!(q[2].1, Money::from_cents(95_062_500));
        assert_eq!(
            budget_path(
                2027,
                Money::ZERO,
                0,
                ReductionPath::Percent { pct: dec!(1) }
            ),
            Err(LumpsumError::EmptyPath)
        );
    }

    #[test]
    fn bandwidth_above_max_splits_inflow_and_outflow() {
        let t = terms();
        // 750 clients: 15 above 735. Inflow 130 vs 120 expected: 10 inflow-driven
        // (municipalities), 5 outflow-driven (provider).
        let flows = ClientFlows {
            in_care: 750,
            inflow: 130,
            outflow: 90,
            expected_inflow: 120,
            expected_outflow: 95,
        };
        let r = review_bandwidth(&t, 2023, flows, 6).unwrap();
        assert_eq!(r.status, Bandwidth::Above { by: 15 });
        assert_eq!((r.inflow_driven, r.outflow_driven), (10, 5));
        // 48,635,554 / 700 / 12 = 5,789.9469… → € 5,789.95 per client-month.
        assert_eq!(r.rate_per_client_month, Money::from_cents(578_995));
        let p = r.proposal.unwrap();
        assert_eq!(p.amount, Money::from_cents(578_995 * 10 * 6));
        assert_eq!(p.category, RiskCategory::Inflow);
        assert!(r.consult);
    }

    #[test]
    fn bandwidth_outflow_only_gives_no_proposal_and_below_is_negative() {
        let t = terms();
        let r = review_bandwidth(
            &t,
            2023,
            ClientFlows {
                in_care: 745,
                inflow: 100,
                outflow: 60,
                expected_inflow: 120,
                expected_outflow: 95,
            },
            12,
        )
        .unwrap();
        assert_eq!((r.inflow_driven, r.outflow_driven), (0, 10));
        assert!(r.proposal.is_none());
        assert!(r.consult);
        let below = review_bandwidth(
            &t,
            2023,
            ClientFlows {
                in_care: 655,
                inflow: 100,
                outflow: 120,
                expected_inflow: 120,
                expected_outflow: 95,
            },
            1,
        )
        .unwrap();
        assert_eq!(below.status, Bandwidth::Below { by: 10 });
        assert_eq!(
            below.proposal.unwrap().amount,
            -Money::from_cents(578_995 * 10)
        );
        let within = review_bandwidth(
            &t,
            2023,
            ClientFlows {
                in_care: 700,
                inflow: 200,
                outflow: 0,
                expected_inflow: 0,
                expected_outflow: 0,
            },
            1,
        )
        .unwrap();
        assert!(!within.consult && within.proposal.is_none());
    }

    #[test]
    fn risk_split_validation() {
        let mut a = RiskAdjustment {
            id: "R1".into(),
            contract_id: "C".into(),
            month: YearMonth::new(2023, 6).unwrap(),
            amount: Money::from_cents(100),
            category: RiskCategory::Intensity,
            reason: "more hours per client".into(),
        };
        assert!(matches!(
            a.validate(),
            Err(LumpsumError::RiskBorneByProvider { .. })
        ));
        a.amount = -a.amount;
        assert!(a.validate().is_ok());
        a.category = RiskCategory::Legislation;
        a.amount = Money::from_cents(5);
        a.reason = " ".into();
        assert_eq!(a.validate(), Err(LumpsumError::NoReason("R1".into())));
    }

    proptest! {
        #[test]
        fn instalments_always_sum_to_annual(cents in 0i64..100_000_000_000, start_month in 1u32..=12) {
            let months: Vec<_> = YearMonth::new(2025, start_month).unwrap()
                .through(YearMonth::new(2025, 12).unwrap()).collect();
            let parts = instalments(Money::from_cents(cents), &months);
            prop_assert_eq!(parts.len(), months.len());
            prop_assert_eq!(parts.iter().map(|p| p.1).sum::<Money>(), Money::from_cents(cents));
            // All but the last are equal; the last differs by less than a cent per month.
            let first = parts[0].1;
            prop_assert!(parts[..parts.len() - 1].iter().all(|p| p.1 == first));
            let diff = (parts.last().unwrap().1 - first).cents().abs();
            prop_assert!(diff < months.len() as i64);
        }
    }
}
