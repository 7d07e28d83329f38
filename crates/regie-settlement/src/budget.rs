//! Budget monitor and year-end forecast per municipality and lot.
//!
//! Pure functions over input structs; the store supplies budgets, the
//! monthly declared/paid amounts (e.g. from [`declared_by_payer_lot`] over
//! settled months) and the open commitments ([`commitment`] per open
//! toewijzing).
//!
//! Definitions (all per municipality × lot × year, as of the last closed month):
//! * **declared**: settled declarations and lumpsum instalments, year to date;
//! * **paid**: what has actually been paid out, year to date;
//! * **committed**: what open toewijzingen can still cost in the rest of the
//!   year (expected volume × tariff, see [`commitment`]);
//! * **remaining** = budget − declared − committed (free room; may be negative);
//! * **run rate** = average declared over the last `run_rate_months` closed
//!   months of the year (fewer at the start of the year);
//! * **forecast** = declared + run rate × months left. The trend is the
//!   central estimate because toewijzingen are rarely used in full;
//! * **forecast_upper** = declared + committed: what the year costs if every
//!   open toewijzing is used in full (the ceiling, ignoring new inflow).
//!
//! Alert: `Overrun` when the forecast exceeds the budget, `AtRisk` when only
//! the upper forecast does, `Ok` otherwise.

use crate::settle::MonthSettlement;
use regie_domain::{
    Frequentie, FundingVariant, Gemeentecode, Money, Period, Scope, Toewijzing, YearMonth,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Budget line key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BudgetKey {
    /// Municipality.
    pub gemeente: Gemeentecode,
    /// Lot id.
    pub lot: String,
}

/// Declared and paid in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthActual {
    /// Month.
    pub month: YearMonth,
    /// Settled (declared and accepted).
    pub declared: Money,
    /// Paid out.
    pub paid: Money,
}

/// Everything the monitor needs for one budget line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetInput {
    /// Municipality and lot.
    pub key: BudgetKey,
    /// Budget year.
    pub year: i32,
    /// Budget for the year.
    pub budget: Money,
    /// Monthly actuals (any order; months outside the year are ignored).
    pub actuals: Vec<MonthActual>,
    /// Open commitments for the rest of the year.
    pub committed: Money,
}

/// Forecast settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastSettings {
    /// Last closed month.
    pub as_of: YearMonth,
    /// Months in the run-rate average (3 by default).
    pub run_rate_months: u32,
}

/// Alert level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetAlert {
    /// Forecast and ceiling within budget.
    Ok,
    /// Forecast within budget, but full use of open toewijzingen would exceed it.
    AtRisk,
    /// Forecast exceeds budget.
    Overrun,
}

/// Status of one budget line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetStatus {
    /// Municipality and lot.
    pub key: BudgetKey,
    /// Year.
    pub year: i32,
    /// As of.
    pub as_of: YearMonth,
    /// Budget.
    pub budget: Money,
    /// Declared year to date.
    pub declared: Money,
    /// Paid year to date.
    pub paid: Money,
    /// Open commitments.
    pub committed: Money,
    /// budget − declared − committed.
    pub remaining: Money,
    /// Average declared per month over the run-rate window.
    pub run_rate: Money,
    /// Months in the run-rate window actually used.
    pub run_rate_window: u32,
    /// Months left in the year after `as_of`.
    pub months_left: u32,
    /// declared + run_rate × months_left.
    pub forecast: Money,
    /// declared + committed.
    pub forecast_upper: Money,
    /// Alert.
    pub alert: BudgetAlert,
}

/// Computes one budget line's status.
pub fn budget_status(input: &BudgetInput, s: ForecastSettings) -> BudgetStatus {
    let in_year: BTreeMap<YearMonth, MonthActual> = input
        .actuals
        .iter()
        .filter(|a| a.month.year() == input.year && a.month <= s.as_of)
        .fold(BTreeMap::new(), |mut m, a| {
            let e = m.entry(a.month).or_insert(MonthActual {
                month: a.month,
                declared: Money::ZERO,
                paid: Money::ZERO,
            });
            e.declared += a.declared;
            e.paid += a.paid;
            m
        });
    let declared: Money = in_year.values().map(|a| a.declared).sum();
    let paid: Money = in_year.values().map(|a| a.paid).sum();
    // The window counts closed months of the year, including months without declarations.
    let closed_in_year = if s.as_of.year() < input.year {
        0
    } else if s.as_of.year() > input.year {
        12
    } else {
        s.as_of.month()
    };
    let window = s.run_rate_months.min(closed_in_year);
    let run_rate = if window == 0 {
        Money::ZERO
    } else {
        let last = if s.as_of.year() > input.year {
            YearMonth::new(input.year, 12).expect("valid")
        } else {
            s.as_of
        };
        let mut m = last;
        let mut sum = Money::ZERO;
        for _ in 0..window {
            sum += in_year.get(&m).map(|a| a.declared).unwrap_or(Money::ZERO);
            m = m.prev();
        }
        Money::from_euros(sum.euros() / Decimal::from(window))
    };
    let months_left = 12 - closed_in_year;
    let forecast = declared + run_rate * i64::from(months_left);
    let forecast_upper = declared + input.committed;
    let alert = if forecast > input.budget {
        BudgetAlert::Overrun
    } else if forecast_upper > input.budget {
        BudgetAlert::AtRisk
    } else {
        BudgetAlert::Ok
    };
    BudgetStatus {
        key: input.key.clone(),
        year: input.year,
        as_of: s.as_of,
        budget: input.budget,
        declared,
        paid,
        committed: input.committed,
        remaining: input.budget - declared - input.committed,
        run_rate,
        run_rate_window: window,
        months_left,
        forecast,
        forecast_upper,
        alert,
    }
}

/// Statuses for many lines, sorted by key (CLI `regie budget status`).
pub fn budget_report(inputs: &[BudgetInput], s: ForecastSettings) -> Vec<BudgetStatus> {
    let mut v: Vec<_> = inputs.iter().map(|i| budget_status(i, s)).collect();
    v.sort_by(|a, b| a.key.cmp(&b.key).then(a.year.cmp(&b.year)));
    v
}

/// Renders a budget report as text.
pub fn render_report(statuses: &[BudgetStatus]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<6} {:<16} {:>15} {:>15} {:>15} {:>15} {:>15} {:>15}  alert",
        "gem", "lot", "budget", "declared", "committed", "remaining", "forecast", "upper"
    );
    for b in statuses {
        let _ = writeln!(
            s,
            "{:<6} {:<16} {:>15} {:>15} {:>15} {:>15} {:>15} {:>15}  {:?}",
            b.key.gemeente.as_str(),
            b.key.lot,
            b.budget.to_string(),
            b.declared.to_string(),
            b.committed.to_string(),
            b.remaining.to_string(),
            b.forecast.to_string(),
            b.forecast_upper.to_string(),
            b.alert
        );
    }
    s
}

/// Settled amounts of a month per (payer, lot): the `declared` input of the
/// monitor. Lumpsum instalments and adjustments count too: they are spend.
pub fn declared_by_payer_lot(ms: &MonthSettlement) -> BTreeMap<BudgetKey, Money> {
    let mut m = BTreeMap::new();
    for r in &ms.rows {
        *m.entry(BudgetKey {
            gemeente: r.key.payer,
            lot: r.key.lot.clone(),
        })
        .or_insert(Money::ZERO) += r.totals.amount;
    }
    m
}

/// What an open toewijzing can still cost within `window` (typically the
/// first day after the last closed month up to 31 December).
///
/// Uses the *expected* volume: `Toewijzing::units_allowed` pro-rates part
/// weeks and months, unlike the settlement maximum (IV077/IV078), which is a
/// ceiling per product period. Outputgericht client-month fees count the
/// fee pro rata per month; a budget toewijzing counts its budget pro rata by
/// days when it has an end date. Taakgericht: nothing (the lumpsum is
/// committed by the contract, not by toewijzingen).
pub fn commitment(
    t: &Toewijzing,
    tariff_per_unit: Money,
    funding: FundingVariant,
    window: &Period,
) -> Money {
    let Some(overlap) = t.period.intersect(window) else {
        return Money::ZERO;
    };
    let Some(end) = overlap.end() else {
        return Money::ZERO; // an open window has no finite commitment
    };
    match (funding, t.scope) {
        (FundingVariant::Taakgericht, _) => Money::ZERO,
        (FundingVariant::Outputgericht, Scope::Unspecified)
        | (
            FundingVariant::Outputgericht,
            Scope::Volume(regie_domain::Omvang {
                frequentie: Frequentie::PerMaand,
                ..
            }),
        ) => {
            let per_month = match t.scope {
                Scope::Volume(o) => Decimal::from(o.volume),
                _ => Decimal::ONE,
            };
            let mut months = Decimal::ZERO;
            for m in YearMonth::of(overlap.start()).through(YearMonth::of(end)) {
                let days = m
                    .period()
                    .intersect(&overlap)
                    .and_then(|p| p.days())
                    .unwrap_or(0);
                months += Decimal::from(days) / Decimal::from(m.days());
            }
            tariff_per_unit.times(per_month * months)
        }
        (_, Scope::Volume(_)) => t
            .units_allowed(&overlap)
            .map(|u| tariff_per_unit.times(u))
            .unwrap_or(Money::ZERO),
        (_, Scope::Budget(b)) => match t.period.days() {
            Some(total) if total > 0 => Money::from_euros(
                b.euros() * Decimal::from(overlap.days().unwrap_or(0)) / Decimal::from(total),
            ),
            _ => b,
        },
        (_, Scope::Unspecified) => Money::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use regie_domain::{Omvang, ProductRef, Unit};

    fn ym(m: u32) -> YearMonth {
        YearMonth::new(2025, m).unwrap()
    }

    fn input(committed: i64) -> BudgetInput {
        BudgetInput {
            key: BudgetKey {
                gemeente: "0307".parse().unwrap(),
                lot: "respijt".into(),
            },
            year: 2025,
            budget: Money::from_cents(24_000_000), // € 240,000 (Amersfoort respijt 2024 realisation)
            actuals: (1..=6)
                .map(|m| MonthActual {
                    month: ym(m),
                    declared: Money::from_cents(if m <= 3 { 1_800_000 } else { 2_400_000 }),
                    paid: Money::from_cents(1_800_000),
                })
                .collect(),
            committed: Money::from_cents(committed),
        }
    }

    #[test]
    fn forecast_from_run_rate() {
        let s = ForecastSettings {
            as_of: ym(6),
            run_rate_months: 3,
        };
        // Declared: 3 × 18,000 + 3 × 24,000 = 126,000. Run rate (Apr–Jun) 24,000.
        // Forecast 126,000 + 6 × 24,000 = 270,000 > 240,000: overrun.
        let b = budget_status(&input(9_000_000), s);
        assert_eq!(b.declared, Money::from_cents(12_600_000));
        assert_eq!(b.paid, Money::from_cents(10_800_000));
        assert_eq!(b.run_rate, Money::from_cents(2_400_000));
        assert_eq!(b.months_left, 6);
        assert_eq!(b.forecast, Money::from_cents(27_000_000));
        assert_eq!(b.forecast_upper, Money::from_cents(21_600_000));
        assert_eq!(b.remaining, Money::from_cents(2_400_000));
        assert_eq!(b.alert, BudgetAlert::Overrun);
        // With a 6-month window the run rate is 21,000: forecast 252,000 still over.
        let b6 = budget_status(
            &input(9_000_000),
            ForecastSettings {
                run_rate_months: 6,
                ..s
            },
        );
        assert_eq!(b6.run_rate, Money::from_cents(2_100_000));
        assert_eq!(b6.forecast, Money::from_cents(25_200_000));
    }

    #[test]
    fn at_risk_when_only_commitments_exceed() {
        let mut i = input(15_000_000);
        i.budget = Money::from_cents(27_000_000);
        let b = budget_status(
            &i,
            ForecastSettings {
                as_of: ym(6),
                run_rate_months: 3,
            },
        );
        assert_eq!(b.forecast, Money::from_cents(27_000_000));
        // Forecast 270,000 is not above 270,000; upper 126,000 + 150,000 = 276,000 is.
        assert_eq!(b.forecast_upper, Money::from_cents(27_600_000));
        assert_eq!(b.alert, BudgetAlert::AtRisk);
    }

    #[test]
    fn commitments_use_expected_volume() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let t = Toewijzing {
            id: "T".into(),
            beschikking_id: "B".into(),
            client: "111222333".parse().unwrap(),
            provider: "12345678".parse().unwrap(),
            product: ProductRef {
                categorie: "02".parse().unwrap(),
                code: None,
            },
            scope: Scope::Volume(Omvang {
                volume: 10,
                unit: Unit::Hour,
                frequentie: Frequentie::PerMaand,
            }),
            period: Period::new(d(1, 1), Some(d(12, 31))).unwrap(),
            reden_wijziging: None,
        };
        let rest = Period::new(d(7, 1), Some(d(12, 31))).unwrap();
        // 6 months × 10 h × € 70.
        assert_eq!(
            commitment(
                &t,
                Money::from_cents(7000),
                FundingVariant::Inspanningsgericht,
                &rest
            ),
            Money::from_cents(420_000)
        );
        let mut o = t.clone();
        o.scope = Scope::Unspecified;
        o.period = Period::new(d(1, 1), Some(d(9, 15))).unwrap();
        // Jul, Aug full + 15/30 of September = 2.5 client-months × € 1,000.
        assert_eq!(
            commitment(
                &o,
                Money::from_cents(100_000),
                FundingVariant::Outputgericht,
                &rest
            ),
            Money::from_cents(250_000)
        );
        assert_eq!(
            commitment(
                &t,
                Money::from_cents(7000),
                FundingVariant::Taakgericht,
                &rest
            ),
            Money::ZERO
        );
    }
}
