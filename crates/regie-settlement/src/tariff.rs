//! Tariff calculator following the AMvB reële prijs Wmo (art. 5.4 Uitvoeringsbesluit
//! Wmo 2015): a tariff is built up from the cost of the staff delivering the
//! support (function mix × CAO wage scales), employer burden, the share of
//! paid hours that is direct client time (productivity), overhead, a margin
//! for profit/risk, and indexation. Every intermediate figure is kept so a
//! tariff can always show the calculation it came from.
//!
//! Input is TOML ([`TariffInput::from_toml`]) for `regie tariff calc FILE`;
//! see `examples/tariff-begeleiding.toml`.

use regie_domain::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Tariff calculation problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TariffError {
    /// The TOML could not be read.
    #[error("tariff input: {0}")]
    Toml(String),
    /// No functions in the mix.
    #[error("the function mix is empty")]
    NoFunctions,
    /// Function shares must sum to 100 %.
    #[error("function shares sum to {0}%, not 100%")]
    SharesNot100(Decimal),
    /// A percentage outside its sensible range.
    #[error("{field} = {value}% is out of range {range}")]
    OutOfRange {
        /// Field name.
        field: &'static str,
        /// Given value.
        value: Decimal,
        /// Allowed range in words.
        range: &'static str,
    },
    /// A monthly tariff needs the hours per client-month.
    #[error("unit client_month needs hours_per_client_month")]
    MissingHoursPerMonth,
    /// Salaries and hours must be positive.
    #[error("{0} must be positive")]
    NotPositive(&'static str),
}

/// The unit of the resulting tariff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TariffUnit {
    /// Per hour of direct client time (inspanningsgericht).
    Hour,
    /// Per client-month (outputgericht), from hours per client-month.
    ClientMonth,
}

/// How the overhead percentage is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OverheadBasis {
    /// Overhead is a percentage of the cost price (direct + overhead):
    /// cost price = direct / (1 − o). The form the VNG handreiking reële
    /// prijs and most regional cost studies use. Default.
    #[default]
    ShareOfCostPrice,
    /// Overhead is a surcharge on direct cost: cost price = direct × (1 + o).
    SurchargeOnDirect,
}

/// One function in the mix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionInput {
    /// Function name, e.g. "Begeleider (MBO)".
    pub name: String,
    /// CAO and scale/step the salary comes from.
    pub scale: String,
    /// Gross monthly salary at that scale/step.
    pub monthly_salary: Decimal,
    /// Share of the direct hours delivered by this function, percent.
    pub share_pct: Decimal,
    /// True when the salary is an assumption, not a published CAO figure.
    #[serde(default)]
    pub assumed: bool,
}

/// The input of a tariff calculation (TOML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffInput {
    /// Product or tariff name.
    pub name: String,
    /// Price year.
    pub year: i32,
    /// Unit of the tariff.
    pub unit: TariffUnit,
    /// Direct client hours per client-month (for `client_month`).
    #[serde(default)]
    pub hours_per_client_month: Option<Decimal>,
    /// Holiday allowance, percent of annual salary (CAO: usually 8).
    pub holiday_allowance_pct: Decimal,
    /// Year-end bonus, percent of annual salary (CAO: e.g. 8.33).
    pub year_end_bonus_pct: Decimal,
    /// Employer burden (social security, pension), percent of gross pay incl. allowances.
    pub employer_burden_pct: Decimal,
    /// Paid hours per FTE per year (e.g. 36 h × 52.14 weeks = 1,877).
    pub paid_hours_per_fte_year: Decimal,
    /// Direct client hours as a percentage of paid hours.
    pub productivity_pct: Decimal,
    /// Overhead percentage (see `overhead_basis`).
    pub overhead_pct: Decimal,
    /// How `overhead_pct` is meant.
    #[serde(default)]
    pub overhead_basis: OverheadBasis,
    /// Margin for profit and risk (risico-opslag), percent of the cost price.
    pub profit_risk_pct: Decimal,
    /// Indexation from the salary reference year to `year`, percent.
    pub indexation_pct: Decimal,
    /// The function mix.
    pub functions: Vec<FunctionInput>,
    /// Free-text notes on sources and assumptions.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One function's cost per paid hour, with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionCost {
    /// Function.
    pub name: String,
    /// Scale.
    pub scale: String,
    /// Monthly salary.
    pub monthly_salary: Decimal,
    /// Annual salary incl. holiday allowance and year-end bonus.
    pub annual_salary: Decimal,
    /// Annual employer cost incl. burden.
    pub employer_cost: Decimal,
    /// Employer cost per paid hour.
    pub cost_per_paid_hour: Decimal,
    /// Share of direct hours, percent.
    pub share_pct: Decimal,
    /// Whether the salary is an assumption.
    pub assumed: bool,
}

/// A step in the calculation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalcStep {
    /// What is computed.
    pub label: String,
    /// How, in words with the numbers used.
    pub formula: String,
    /// Result (unrounded; rounding happens once, at the end).
    pub value: Decimal,
}

/// The result with every intermediate step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffCalculation {
    /// The input, echoed.
    pub input: TariffInput,
    /// Per function.
    pub functions: Vec<FunctionCost>,
    /// The steps from weighted hourly cost to tariff.
    pub steps: Vec<CalcStep>,
    /// Tariff per direct client hour, rounded to cents.
    pub hourly_tariff: Money,
    /// Tariff per client-month (unrounded hourly × hours, rounded once), if asked.
    pub monthly_tariff: Option<Money>,
    /// The tariff in the requested unit.
    pub tariff: Money,
    /// Which figures are assumptions.
    pub assumptions: Vec<String>,
}

fn pct(p: Decimal) -> Decimal {
    p / Decimal::ONE_HUNDRED
}

fn check_range(
    field: &'static str,
    value: Decimal,
    lo: Decimal,
    hi: Decimal,
    lo_inclusive: bool,
    range: &'static str,
) -> Result<(), TariffError> {
    let ok_lo = if lo_inclusive {
        value >= lo
    } else {
        value > lo
    };
    if ok_lo && value <= hi {
        Ok(())
    } else {
        Err(TariffError::OutOfRange {
            field,
            value,
            range,
        })
    }
}

fn r4(d: Decimal) -> Decimal {
    d.round_dp(4)
}

impl TariffInput {
    /// Reads the TOML input format.
    pub fn from_toml(s: &str) -> Result<Self, TariffError> {
        toml::from_str(s).map_err(|e| TariffError::Toml(e.to_string()))
    }

    /// Computes the tariff.
    pub fn calculate(&self) -> Result<TariffCalculation, TariffError> {
        let hundred = Decimal::ONE_HUNDRED;
        let zero = Decimal::ZERO;
        if self.functions.is_empty() {
            return Err(TariffError::NoFunctions);
        }
        let shares: Decimal = self.functions.iter().map(|f| f.share_pct).sum();
        if shares != hundred {
            return Err(TariffError::SharesNot100(shares));
        }
        check_range(
            "productivity_pct",
            self.productivity_pct,
            zero,
            hundred,
            false,
            "(0, 100]",
        )?;
        check_range(
            "overhead_pct",
            self.overhead_pct,
            zero,
            Decimal::from(99),
            true,
            "[0, 99]",
        )?;
        check_range(
            "employer_burden_pct",
            self.employer_burden_pct,
            zero,
            hundred,
            true,
            "[0, 100]",
        )?;
        check_range(
            "profit_risk_pct",
            self.profit_risk_pct,
            zero,
            Decimal::from(25),
            true,
            "[0, 25]",
        )?;
        check_range(
            "indexation_pct",
            self.indexation_pct,
            Decimal::from(-20),
            Decimal::from(50),
            true,
            "[-20, 50]",
        )?;
        check_range(
            "holiday_allowance_pct",
            self.holiday_allowance_pct,
            zero,
            Decimal::from(20),
            true,
            "[0, 20]",
        )?;
        check_range(
            "year_end_bonus_pct",
            self.year_end_bonus_pct,
            zero,
            Decimal::from(20),
            true,
            "[0, 20]",
        )?;
        if self.paid_hours_per_fte_year <= zero {
            return Err(TariffError::NotPositive("paid_hours_per_fte_year"));
        }
        if self.unit == TariffUnit::ClientMonth {
            match self.hours_per_client_month {
                None => return Err(TariffError::MissingHoursPerMonth),
                Some(h) if h <= zero => {
                    return Err(TariffError::NotPositive("hours_per_client_month"))
                }
                _ => {}
            }
        }

        let allowance =
            Decimal::ONE + pct(self.holiday_allowance_pct) + pct(self.year_end_bonus_pct);
        let burden = Decimal::ONE + pct(self.employer_burden_pct);
        let mut functions = Vec::with_capacity(self.functions.len());
        let mut assumptions = Vec::new();
        let mut weighted = zero;
        for f in &self.functions {
            if f.monthly_salary <= zero {
                return Err(TariffError::NotPositive("monthly_salary"));
            }
            let annual = f.monthly_salary * Decimal::from(12) * allowance;
            let employer = annual * burden;
            let per_hour = employer / self.paid_hours_per_fte_year;
            weighted += per_hour * pct(f.share_pct);
            if f.assumed {
                assumptions.push(format!("salary of {} ({}) is assumed", f.name, f.scale));
            }
            functions.push(FunctionCost {
                name: f.name.clone(),
                scale: f.scale.clone(),
                monthly_salary: f.monthly_salary,
                annual_salary: annual,
                employer_cost: employer,
                cost_per_paid_hour: per_hour,
                share_pct: f.share_pct,
                assumed: f.assumed,
            });
        }

        let mut steps = Vec::new();
        steps.push(CalcStep {
            label: "weighted cost per paid hour".into(),
            formula: functions
                .iter()
                .map(|f| format!("{}% x {}", f.share_pct, r4(f.cost_per_paid_hour)))
                .collect::<Vec<_>>()
                .join(" + "),
            value: weighted,
        });
        let direct = weighted / pct(self.productivity_pct);
        steps.push(CalcStep {
            label: "direct cost per client hour".into(),
            formula: format!("{} / {}% productivity", r4(weighted), self.productivity_pct),
            value: direct,
        });
        let cost_price = match self.overhead_basis {
            OverheadBasis::ShareOfCostPrice => direct / (Decimal::ONE - pct(self.overhead_pct)),
            OverheadBasis::SurchargeOnDirect => direct * (Decimal::ONE + pct(self.overhead_pct)),
        };
        steps.push(CalcStep {
            label: "cost price incl. overhead".into(),
            formula: match self.overhead_basis {
                OverheadBasis::ShareOfCostPrice => {
                    format!(
                        "{} / (1 - {}% overhead share)",
                        r4(direct),
                        self.overhead_pct
                    )
                }
                OverheadBasis::SurchargeOnDirect => {
                    format!(
                        "{} x (1 + {}% overhead surcharge)",
                        r4(direct),
                        self.overhead_pct
                    )
                }
            },
            value: cost_price,
        });
        let with_margin = cost_price * (Decimal::ONE + pct(self.profit_risk_pct));
        steps.push(CalcStep {
            label: "incl. profit/risk".into(),
            formula: format!("{} x (1 + {}%)", r4(cost_price), self.profit_risk_pct),
            value: with_margin,
        });
        let indexed = with_margin * (Decimal::ONE + pct(self.indexation_pct));
        steps.push(CalcStep {
            label: format!("indexed to {}", self.year),
            formula: format!("{} x (1 + {}%)", r4(with_margin), self.indexation_pct),
            value: indexed,
        });
        let hourly = Money::from_euros(indexed);
        let monthly = self
            .hours_per_client_month
            .filter(|_| self.unit == TariffUnit::ClientMonth)
            .map(|h| {
                let m = indexed * h;
                steps.push(CalcStep {
                    label: "per client-month".into(),
                    formula: format!("{} x {} hours per client-month", r4(indexed), h),
                    value: m,
                });
                Money::from_euros(m)
            });
        let tariff = monthly.unwrap_or(hourly);
        Ok(TariffCalculation {
            input: self.clone(),
            functions,
            steps,
            hourly_tariff: hourly,
            monthly_tariff: monthly,
            tariff,
            assumptions,
        })
    }
}

impl TariffCalculation {
    /// Human-readable calculation (CLI `regie tariff calc`).
    pub fn explain(&self) -> String {
        use std::fmt::Write;
        let i = &self.input;
        let mut s = String::new();
        let _ = writeln!(s, "Tariff calculation: {} ({})", i.name, i.year);
        let _ = writeln!(
            s,
            "Per FTE: {} paid hours/year; allowances {}% holiday + {}% year-end; employer burden {}%",
            i.paid_hours_per_fte_year, i.holiday_allowance_pct, i.year_end_bonus_pct, i.employer_burden_pct
        );
        for f in &self.functions {
            let _ = writeln!(
                s,
                "  {} [{}]{}: {}/month -> {} /year -> {} employer cost -> {} per paid hour, {}% of hours",
                f.name,
                f.scale,
                if f.assumed { " (ASSUMED)" } else { "" },
                f.monthly_salary,
                r4(f.annual_salary),
                r4(f.employer_cost),
                r4(f.cost_per_paid_hour),
                f.share_pct
            );
        }
        for (n, st) in self.steps.iter().enumerate() {
            let _ = writeln!(
                s,
                "{}. {}: {} = {}",
                n + 1,
                st.label,
                st.formula,
                r4(st.value)
            );
        }
        let _ = writeln!(s, "Hourly tariff: {}", self.hourly_tariff);
        if let Some(m) = self.monthly_tariff {
            let _ = writeln!(s, "Client-month tariff: {m}");
        }
        for a in &self.assumptions {
            let _ = writeln!(s, "Assumption: {a}");
        }
        for n in &i.notes {
            let _ = writeln!(s, "Note: {n}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn input() -> TariffInput {
        TariffInput {
            name: "test".into(),
            year: 2027,
            unit: TariffUnit::Hour,
            hours_per_client_month: None,
            holiday_allowance_pct: dec!(8),
            year_end_bonus_pct: dec!(8.33),
            employer_burden_pct: dec!(25),
            paid_hours_per_fte_year: dec!(1800),
            productivity_pct: dec!(75),
            overhead_pct: dec!(20),
            overhead_basis: OverheadBasis::ShareOfCostPrice,
            profit_risk_pct: dec!(3),
            indexation_pct: dec!(2),
            functions: vec![FunctionInput {
                name: "A".into(),
                scale: "s".into(),
                monthly_salary: dec!(3000),
                share_pct: dec!(100),
                assumed: true,
            }],
            notes: vec![],
        }
    }

    #[test]
    fn hand_checked_tariff() {
        // 3000 × 12 × 1.1633 = 41,878.80; × 1.25 = 52,348.50; / 1800 = 29.0825
        // / 0.75 = 38.7766…; / 0.8 = 48.4708…; × 1.03 = 49.9250…; × 1.02 = 50.92358…
        let c = input().calculate().unwrap();
        assert_eq!(c.functions[0].annual_salary, dec!(41878.8));
        assert_eq!(c.functions[0].cost_per_paid_hour, dec!(29.0825));
        assert_eq!(c.hourly_tariff, Money::from_cents(5092));
        assert_eq!(c.tariff, c.hourly_tariff);
        assert_eq!(c.assumptions.len(), 1);
        assert!(c.explain().contains("Hourly tariff: € 50.92"));
    }

    #[test]
    fn surcharge_basis_and_client_month() {
        let mut i = input();
        i.overhead_basis = OverheadBasis::SurchargeOnDirect;
        i.unit = TariffUnit::ClientMonth;
        i.hours_per_client_month = Some(dec!(10));
        let c = i.calculate().unwrap();
        // 38.77666… × 1.2 = 46.532; × 1.03 × 1.02 = 48.8865…; × 10 = 488.87
        assert_eq!(c.hourly_tariff, Money::from_cents(4889));
        assert_eq!(c.monthly_tariff, Some(Money::from_cents(48887)));
        assert_eq!(c.tariff, Money::from_cents(48887));
    }

    #[test]
    fn validation() {
        let mut i = input();
        i.functions[0].share_pct = dec!(90);
        assert_eq!(
            i.calculate().unwrap_err(),
            TariffError::SharesNot100(dec!(90))
        );
        let mut i = input();
        i.productivity_pct = dec!(0);
        assert!(matches!(
            i.calculate(),
            Err(TariffError::OutOfRange {
                field: "productivity_pct",
                ..
            })
        ));
        let mut i = input();
        i.unit = TariffUnit::ClientMonth;
        assert_eq!(
            i.calculate().unwrap_err(),
            TariffError::MissingHoursPerMonth
        );
        assert!(matches!(
            TariffInput::from_toml("name = 1"),
            Err(TariffError::Toml(_))
        ));
    }
}
