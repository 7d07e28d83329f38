//! Deterministic synthetic declaration lines for a month, generated from the
//! stored toewijzingen, so the settlement chain runs on simulated regions.
//!
//! Per toewijzing active in the month (taakgericht lots declare nothing: they
//! are paid by lumpsum):
//! * delivered volume is drawn around the ordered volume: normally 60–100 %,
//!   for `over_volume_pct` % of toewijzingen 115–150 % (exercises the S40
//!   volume cap);
//! * client-month fees (stuks output per maand): the ordered number of fees
//!   over the days in care, one more when over volume;
//! * per week: one line per calendar week touched, over the active days of
//!   that week, volume pro rata by active days; per day: one line over the
//!   active days; per month and totaal: one line; no volume (outputgericht
//!   fee): one line of 1 stuk over the days in care;
//! * hours are rounded to quarters, minutes and counted units to whole units;
//!   a line that rounds to zero is not declared;
//! * `orphan_per_mille` ‰ of toewijzingen get an extra line naming a
//!   toewijzing that does not exist (S10) and `unknown_product_per_mille` ‰ an
//!   extra line with a product code on no lot (rejected).
//!
//! Randomness is a SplitMix64 stream seeded by (seed, toewijzing, month): the
//! lines of a toewijzing do not depend on which other toewijzingen exist or
//! in what order they are read.

use super::{DeclarationSource, StoredToewijzing};
use crate::{Result, Store};
use regie_domain::{Frequentie, FundingVariant, Money, Period, ProductRef, Scope, Unit, YearMonth};
use regie_settlement::DeclarationLine;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;

/// Knobs of the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulateSettings {
    /// Random seed.
    pub seed: u64,
    /// Percentage of toewijzingen declared above their volume.
    pub over_volume_pct: u32,
    /// Per mille of toewijzingen with an extra line for an unknown toewijzing.
    pub orphan_per_mille: u32,
    /// Per mille of toewijzingen with an extra line for an unknown product.
    pub unknown_product_per_mille: u32,
}

impl SimulateSettings {
    /// Defaults: 5 % over volume, 5 ‰ orphan lines, 3 ‰ unknown products.
    pub fn new(seed: u64) -> Self {
        SimulateSettings {
            seed,
            over_volume_pct: 5,
            orphan_per_mille: 5,
            unknown_product_per_mille: 3,
        }
    }
}

/// What a simulation produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimulatedMonth {
    /// Toewijzingen active in the month on line-funded lots.
    pub toewijzingen: u64,
    /// Lines stored.
    pub lines: u64,
    /// Toewijzingen declared above volume.
    pub over_volume: u64,
    /// Lines naming an unknown toewijzing.
    pub orphan_lines: u64,
    /// Lines with an unknown product code.
    pub unknown_product_lines: u64,
}

/// The product facts the generator needs: funding of its lot and its unit.
#[derive(Debug, Clone)]
pub struct ProductFacts {
    /// Funding variant of the lot.
    pub funding: FundingVariant,
    /// The product's unit.
    pub unit: Unit,
    /// Declared product (a toewijzing at category level declares the first
    /// product of the category on the lot, as providers must name a code).
    pub declared: ProductRef,
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn seeded(seed: u64, key: &str, month: YearMonth) -> Self {
        let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for b in key.bytes().chain(month.to_string().bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng(h)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A percentage in [lo, hi] as an exact decimal fraction.
    fn factor(&mut self, lo: u64, hi: u64) -> Decimal {
        Decimal::from(lo + self.below(hi - lo + 1)) / Decimal::ONE_HUNDRED
    }
}

fn round_units(unit: Unit, x: Decimal) -> Decimal {
    match unit {
        // Quarter hours.
        Unit::Hour => {
            (x * Decimal::from(4)).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                / Decimal::from(4)
        }
        Unit::Euro => x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        _ => x.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero),
    }
}

/// Days of `p` (closed) as (first, last) per ISO week.
fn weeks(p: &Period) -> Vec<(chrono::NaiveDate, chrono::NaiveDate)> {
    use chrono::Datelike;
    let (Some(end), start) = (p.end(), p.start()) else {
        return Vec::new();
    };
    let mut out: Vec<(chrono::NaiveDate, chrono::NaiveDate)> = Vec::new();
    let mut d = start;
    while d <= end {
        match out.last_mut() {
            Some((first, last)) if first.iso_week() == d.iso_week() => *last = d,
            _ => out.push((d, d)),
        }
        d = d.succ_opt().expect("date");
    }
    out
}

fn days(a: chrono::NaiveDate, b: chrono::NaiveDate) -> i64 {
    (b - a).num_days() + 1
}

/// The month's declaration lines of one toewijzing. Pure and deterministic.
pub fn declare_toewijzing(
    t: &StoredToewijzing,
    facts: &ProductFacts,
    month: YearMonth,
    settings: &SimulateSettings,
    tally: &mut SimulatedMonth,
) -> Vec<DeclarationLine> {
    let tw = &t.toewijzing;
    let mut out = Vec::new();
    if facts.funding == FundingVariant::Taakgericht {
        return out;
    }
    let Some(active) = tw.period.intersect(&month.period()) else {
        return out;
    };
    let (start, end) = (active.start(), active.end().expect("month is closed"));
    tally.toewijzingen += 1;
    let mut rng = Rng::seeded(settings.seed, &tw.id, month);
    let over = rng.below(100) < u64::from(settings.over_volume_pct);
    let factor = if over {
        // Only ordered volumes can be exceeded; a fee without volume is one fee.
        if !matches!(tw.scope, Scope::Unspecified) {
            tally.over_volume += 1;
        }
        rng.factor(115, 150)
    } else {
        rng.factor(60, 100)
    };
    let mut n = 0u32;
    let mut push = |from: chrono::NaiveDate, to: chrono::NaiveDate, units: Decimal, unit: Unit| {
        if units <= Decimal::ZERO {
            return;
        }
        n += 1;
        out.push(DeclarationLine {
            reference: format!("{}-{month}-{n:03}", tw.id),
            provider: tw.provider,
            toewijzing: tw.id.clone(),
            client: tw.client,
            product: facts.declared,
            period: Period::new(from, Some(to)).expect("from <= to"),
            units,
            unit,
        });
    };
    let month_days = Decimal::from(month.days());
    match tw.scope {
        Scope::Volume(o) => {
            let v = Decimal::from(o.volume) * factor;
            let unit = o.unit;
            match o.frequentie {
                Frequentie::PerWeek => {
                    for (a, b) in weeks(&active) {
                        let share = Decimal::from(days(a, b)) / Decimal::from(7);
                        if unit == Unit::StuksInspanning {
                            push(a, a, round_units(unit, v * share), unit);
                        } else {
                            push(a, b, round_units(unit, v * share), unit);
                        }
                    }
                }
                Frequentie::PerDag => push(
                    start,
                    end,
                    round_units(unit, v * Decimal::from(days(start, end))),
                    unit,
                ),
                Frequentie::PerMaand if unit == Unit::StuksOutput => {
                    // Client-month fees: the fee over the days in care (the
                    // engine pro-rates by fee-days); over volume is one fee too many.
                    let fees =
                        Decimal::from(o.volume) + if over { Decimal::ONE } else { Decimal::ZERO };
                    push(start, end, fees, unit);
                }
                Frequentie::PerMaand => {
                    let share = Decimal::from(days(start, end)) / month_days;
                    if unit == Unit::StuksInspanning {
                        push(start, start, round_units(unit, v * share), unit);
                    } else {
                        push(start, end, round_units(unit, v * share), unit);
                    }
                }
                Frequentie::Totaal => {
                    // Spread the total over the toewijzing's months (12 when open-ended).
                    let months = tw
                        .period
                        .end()
                        .map(|e| {
                            let a = YearMonth::of(tw.period.start());
                            let b = YearMonth::of(e);
                            i64::from(b.year() - a.year()) * 12 + i64::from(b.month())
                                - i64::from(a.month())
                                + 1
                        })
                        .unwrap_or(12)
                        .max(1);
                    push(
                        start,
                        end,
                        round_units(unit, v / Decimal::from(months)),
                        unit,
                    );
                }
            }
        }
        Scope::Unspecified => push(start, end, Decimal::ONE, facts.unit),
        Scope::Budget(m) => {
            if facts.unit == Unit::Euro {
                let share = Decimal::from(days(start, end)) / month_days;
                let monthly = m.euros() / Decimal::from(12);
                push(
                    start,
                    end,
                    Money::from_euros(monthly * factor * share).euros(),
                    Unit::Euro,
                );
            }
        }
    }
    if let Some(first) = out.first().cloned() {
        if rng.below(1000) < u64::from(settings.orphan_per_mille) {
            tally.orphan_lines += 1;
            out.push(DeclarationLine {
                reference: format!("{}-{month}-X01", tw.id),
                toewijzing: format!("{}-ONBEKEND", tw.id),
                ..first.clone()
            });
        }
        if rng.below(1000) < u64::from(settings.unknown_product_per_mille) {
            tally.unknown_product_lines += 1;
            let code = format!("{}Z99", tw.product.categorie);
            if let Ok(code) = code.parse() {
                out.push(DeclarationLine {
                    reference: format!("{}-{month}-X02", tw.id),
                    product: ProductRef {
                        categorie: tw.product.categorie,
                        code: Some(code),
                    },
                    ..first
                });
            }
        }
    }
    tally.lines += out.len() as u64;
    out
}

impl Store {
    /// Generates the month's synthetic declaration lines from the region's
    /// stored toewijzingen and stores them (replacing earlier synthetic lines
    /// of the month, keeping lines of other sources) in one transaction.
    pub async fn simulate_declarations(
        &self,
        region_id: &str,
        month: YearMonth,
        settings: &SimulateSettings,
    ) -> Result<SimulatedMonth> {
        let lots = self.lots(region_id).await?;
        let mut facts: HashMap<String, ProductFacts> = HashMap::new();
        let mut first_of_category: HashMap<(String, String), ProductFacts> = HashMap::new();
        for l in &lots {
            for p in &l.products {
                let f = ProductFacts {
                    funding: l.funding,
                    unit: p.unit(),
                    declared: ProductRef {
                        categorie: p.categorie(),
                        code: p.code(),
                    },
                };
                first_of_category
                    .entry((l.id.clone(), p.categorie().to_string()))
                    .or_insert_with(|| f.clone());
                facts.insert(p.key(), f);
            }
        }
        let mut tally = SimulatedMonth::default();
        let mut lines = Vec::new();
        self.for_each_toewijzing(region_id, month.period(), None, |t| {
            let f = facts.get(&t.toewijzing.product.key()).or_else(|| {
                first_of_category
                    .get(&(t.lot_id.clone(), t.toewijzing.product.categorie.to_string()))
            });
            if let Some(f) = f {
                lines.extend(declare_toewijzing(&t, f, month, settings, &mut tally));
            }
            Ok(())
        })
        .await?;
        self.replace_declarations(region_id, month, DeclarationSource::Synthetic, &lines)
            .await?;
        Ok(tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regie_domain::{Omvang, Toewijzing};

    fn d(m: u32, day: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    fn hours_per_week(id: &str, volume: u32) -> StoredToewijzing {
        StoredToewijzing {
            toewijzing: Toewijzing {
                id: id.into(),
                beschikking_id: "B".into(),
                client: (12_345_670..)
                    .find_map(regie_domain::Bsn::complete)
                    .unwrap(),
                provider: "12345678".parse().unwrap(),
                product: ProductRef {
                    categorie: "02".parse().unwrap(),
                    code: Some("02A01".parse().unwrap()),
                },
                scope: Scope::Volume(Omvang {
                    volume,
                    unit: Unit::Hour,
                    frequentie: Frequentie::PerWeek,
                }),
                period: Period::new(d(3, 11), Some(d(12, 31))).unwrap(),
                reden_wijziging: None,
            },
            lot_id: "pxq".into(),
            gemeente: "0307".parse().unwrap(),
        }
    }

    #[test]
    fn weekly_hours_follow_the_order_and_are_deterministic() {
        let facts = ProductFacts {
            funding: FundingVariant::Inspanningsgericht,
            unit: Unit::Hour,
            declared: ProductRef {
                categorie: "02".parse().unwrap(),
                code: Some("02A01".parse().unwrap()),
            },
        };
        let month = YearMonth::new(2024, 3).unwrap();
        let all_over = SimulateSettings {
            over_volume_pct: 100,
            orphan_per_mille: 0,
            unknown_product_per_mille: 0,
            ..SimulateSettings::new(3)
        };
        let never_over = SimulateSettings {
            over_volume_pct: 0,
            ..all_over
        };
        let t = hours_per_week("T1", 4);
        let mut tally = SimulatedMonth::default();
        let lines = declare_toewijzing(&t, &facts, month, &never_over, &mut tally);
        // 11-31 March 2024 touches ISO weeks 11..13 (Mon 11, 18, 25): three full weeks.
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0].period,
            Period::new(d(3, 11), Some(d(3, 17))).unwrap()
        );
        let total: Decimal = lines.iter().map(|l| l.units).sum();
        assert!(
            total <= Decimal::from(12) && total >= Decimal::new(72, 1),
            "{total}"
        );
        assert!(lines
            .iter()
            .all(|l| (l.units * Decimal::from(4)).fract().is_zero()));
        assert_eq!(
            declare_toewijzing(
                &t,
                &facts,
                month,
                &never_over,
                &mut SimulatedMonth::default()
            ),
            lines
        );
        let over = declare_toewijzing(&t, &facts, month, &all_over, &mut tally);
        let total_over: Decimal = over.iter().map(|l| l.units).sum();
        assert!(total_over > Decimal::from(12), "{total_over}");
        assert_eq!(tally.over_volume, 1);
        // Taakgericht lots declare nothing.
        let lumpsum = ProductFacts {
            funding: FundingVariant::Taakgericht,
            ..facts
        };
        assert!(declare_toewijzing(&t, &lumpsum, month, &all_over, &mut tally).is_empty());
    }
}
