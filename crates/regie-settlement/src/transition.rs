//! The move of beschermd wonen from centrumgemeente funding to the
//! woonplaatsbeginsel: Hart van Brabant's Tabel 1 (regional budget 2021–2032,
//! historic vs objective part) and the per-municipality view of Tabel 2.
//!
//! The seed gives Tabel 1 only as figures ("Bron: rekentabel Min van VWS
//! januari 2021"), not its formula. Reading the columns:
//!
//! * the **total** falls by a fixed €1,370,217 a year from €48,635,554 in
//!   2023 (2021 and 2022 are the pre-transition budgets);
//! * the **historic** part (clients already in care, still funded on the old
//!   basis) falls each year by a decrement that itself shrinks by a constant
//!   factor: 10,436,835 (2023→24), 8,674,974, 7,210,537, … each ≈ 0.831188 × the
//!   previous (the outflow curve of the historic client stock), floored at
//!   zero — it reaches €592,648 in 2030 and 0 from 2031;
//! * the **objective** part (new inflow, paid by the municipality of origin
//!   under the woonplaatsbeginsel) is total − historic.
//!
//! [`TransitionPath`] encodes exactly that with five inputs and reproduces
//! every cell of Tabel 1 to the euro (the table's own rounding makes
//! historic + objective differ from the total by €1 in 2023, 2024 and 2030).

use crate::split::split_largest_remainder;
use regie_domain::{Gemeentecode, Money};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Inputs of a historic → objective transition path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionPath {
    /// Budgets before the transition (all historic), e.g. 2021 and 2022.
    pub before: Vec<(i32, Money)>,
    /// First transition year (2023).
    pub first_year: i32,
    /// Last year of the table (2032).
    pub last_year: i32,
    /// Total regional budget in the first year.
    pub total_first: Money,
    /// Fixed yearly reduction of the total.
    pub total_step: Money,
    /// Historic part in the first year.
    pub historic_first: Money,
    /// First yearly decrement of the historic part.
    pub historic_decrement: Money,
    /// Factor by which the decrement shrinks each year.
    pub decrement_ratio: Decimal,
}

/// One year of the transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRow {
    /// Year.
    pub year: i32,
    /// Historic part, whole euros.
    pub historic: Money,
    /// Objective part (woonplaatsbeginsel), whole euros.
    pub objective: Money,
    /// Total, whole euros.
    pub total: Money,
    /// Objective share of the total, percent with two decimals.
    pub objective_pct: Decimal,
}

/// A percentage with exactly two decimals (also for display).
fn pct2(d: Decimal) -> Decimal {
    let mut p = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    p.rescale(2);
    p
}

fn whole_euros(d: Decimal) -> Money {
    Money::from_euros(d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
}

impl TransitionPath {
    /// Hart van Brabant, seed 003 Tabel 1. The decrement and ratio are read
    /// from the table (see module docs); the other inputs are table cells.
    pub fn hart_van_brabant() -> Self {
        TransitionPath {
            before: vec![
                (2021, Money::from_cents(4_959_697_500)),
                (2022, Money::from_cents(5_000_428_400)),
            ],
            first_year: 2023,
            last_year: 2032,
            total_first: Money::from_cents(4_863_555_400),
            total_step: Money::from_cents(137_021_700),
            historic_first: Money::from_cents(4_547_214_200),
            historic_decrement: Money::from_cents(1_043_683_472),
            decrement_ratio: Decimal::new(83_118_826, 8),
        }
    }

    /// The table, one row per year.
    pub fn rows(&self) -> Vec<TransitionRow> {
        let mut out: Vec<TransitionRow> = self
            .before
            .iter()
            .map(|(y, b)| TransitionRow {
                year: *y,
                historic: *b,
                objective: Money::ZERO,
                total: *b,
                objective_pct: Decimal::ZERO,
            })
            .collect();
        let mut historic = self.historic_first.euros();
        let mut decrement = self.historic_decrement.euros();
        for (n, year) in (self.first_year..=self.last_year).enumerate() {
            if n > 0 {
                historic -= decrement;
                decrement *= self.decrement_ratio;
            }
            let total = self.total_first.euros() - self.total_step.euros() * Decimal::from(n);
            let h = historic.max(Decimal::ZERO);
            let o = total - h;
            let pct = if total.is_zero() {
                Decimal::ZERO
            } else {
                pct2(o / total * Decimal::ONE_HUNDRED)
            };
            out.push(TransitionRow {
                year,
                historic: whole_euros(h),
                objective: whole_euros(o),
                total: whole_euros(total),
                objective_pct: pct,
            });
        }
        out
    }
}

/// A municipality's residents in beschermd wonen (woonplaatsbeginsel:
/// counted by municipality of origin, not where they live now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalityShare {
    /// Municipality.
    pub gemeente: Gemeentecode,
    /// Clients of origin.
    pub clients: u32,
    /// Share of the region's clients, percent with two decimals.
    pub share_pct: Decimal,
    /// Annual cost: clients × cost per client-month × 12 (Tabel 2's method).
    pub annual_cost: Money,
    /// This municipality's part of the objective budget of the year, by
    /// client share (largest remainder, sums exactly).
    pub objective_budget: Money,
    /// objective_budget − annual_cost: negative when the objective budget
    /// would not cover the current residents (the seed's open question).
    pub difference: Money,
}

/// Tabel 2 per municipality: annual cost of each municipality's residents at
/// the average cost per client-month (HvB: €4,558, January–February 2021),
/// and its client-share of a year's objective budget.
pub fn woonplaats_shares(
    clients: &BTreeMap<Gemeentecode, u32>,
    cost_per_client_month: Money,
    objective_budget: Money,
) -> Vec<MunicipalityShare> {
    let total: u32 = clients.values().sum();
    let weights: Vec<u64> = clients.values().map(|c| u64::from(*c)).collect();
    let parts = split_largest_remainder(objective_budget, &weights);
    clients
        .iter()
        .zip(parts)
        .map(|((g, c), budget)| {
            let annual = cost_per_client_month * i64::from(*c) * 12;
            MunicipalityShare {
                gemeente: *g,
                clients: *c,
                share_pct: if total == 0 {
                    Decimal::ZERO
                } else {
                    pct2(Decimal::from(*c) * Decimal::ONE_HUNDRED / Decimal::from(total))
                },
                annual_cost: annual,
                objective_budget: budget,
                difference: budget - annual,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seed 003, Tabel 1, exactly as printed (historic, objective, total).
    const TABEL_1: [(i32, i64, i64, i64); 12] = [
        (2021, 49_596_975, 0, 49_596_975),
        (2022, 50_004_284, 0, 50_004_284),
        (2023, 45_472_142, 3_163_411, 48_635_554),
        (2024, 35_035_307, 12_230_029, 47_265_337),
        (2025, 26_360_333, 19_534_787, 45_895_120),
        (2026, 19_149_796, 25_375_107, 44_524_903),
        (2027, 13_156_482, 29_998_204, 43_154_686),
        (2028, 8_174_910, 33_609_559, 41_784_469),
        (2029, 4_034_286, 36_379_966, 40_414_252),
        (2030, 592_648, 38_451_386, 39_044_035),
        (2031, 0, 37_673_818, 37_673_818),
        (2032, 0, 36_303_601, 36_303_601),
    ];

    fn eur(e: i64) -> Money {
        Money::from_cents(e * 100)
    }

    #[test]
    fn reproduces_tabel_1() {
        let rows = TransitionPath::hart_van_brabant().rows();
        assert_eq!(rows.len(), 12);
        for (row, (y, h, o, t)) in rows.iter().zip(TABEL_1) {
            assert_eq!(row.year, y);
            assert_eq!(row.historic, eur(h), "historic {y}");
            assert_eq!(row.total, eur(t), "total {y}");
            // The printed objective column is rounded independently: ±€1.
            let diff = (row.objective - eur(o)).cents().abs();
            assert!(
                diff <= 100,
                "objective {y}: {} vs {}",
                row.objective,
                eur(o)
            );
        }
        // "Hierdoor krijgt de regio HvB over de komende 10 jaar 14 miljoen minder budget":
        // 2022 → 2032 is € 13,700,683 less.
        assert_eq!(rows[1].total - rows[11].total, eur(13_700_683));
        assert_eq!(rows[2].objective_pct.to_string(), "6.50");
        assert_eq!(rows[9].objective_pct.to_string(), "98.48");
        assert_eq!(rows[10].objective_pct.to_string(), "100.00");
    }

    #[test]
    fn tabel_2_method_cost_and_objective_share() {
        // Tabel 2's per-municipality counts are an image in the seed and not in
        // its text; these counts are ILLUSTRATIVE (summing to 700, the middle
        // of the 665–735 bandwidth). The method is the seed's: clients ×
        // €4,558 × 12.
        let g = |s: &str| s.parse::<Gemeentecode>().unwrap();
        let clients: BTreeMap<_, _> = [
            (g("0855"), 420), // Tilburg
            (g("0797"), 60),  // Heusden
            (g("0867"), 70),  // Waalwijk
            (g("0785"), 50),  // Goirle
            (g("0824"), 100), // Oisterwijk
        ]
        .into_iter()
        .collect();
        let rows = TransitionPath::hart_van_brabant().rows();
        let objective_2025 = rows.iter().find(|r| r.year == 2025).unwrap().objective;
        let shares = woonplaats_shares(&clients, Money::from_cents(455_800), objective_2025);
        let tilburg = shares.iter().find(|s| s.gemeente == g("0855")).unwrap();
        // 420 × 4,558 × 12 = 22,972,320.
        assert_eq!(tilburg.annual_cost, eur(22_972_320));
        assert_eq!(tilburg.share_pct.to_string(), "60.00");
        // 60 % of 2025's objective 19,534,787 = 11,720,872.20.
        assert_eq!(tilburg.objective_budget, Money::from_cents(1_172_087_220));
        assert!(tilburg.difference.is_negative());
        let sum: Money = shares.iter().map(|s| s.objective_budget).sum();
        assert_eq!(sum, objective_2025);
        // 700 clients × €4,558 × 12 = €38,287,200 a year.
        let cost: Money = shares.iter().map(|s| s.annual_cost).sum();
        assert_eq!(cost, eur(38_287_200));
    }
}
