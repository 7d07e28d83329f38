//! Products (what is bought), their units and tariffs over time.

use crate::ids::{ProductCategorie, ProductCode};
use crate::money::Money;
use crate::period::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The unit in which care is ordered and declared (iWmo codelijst WJ756).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 01 Minuut.
    Minute,
    /// 04 Uur.
    Hour,
    /// 14 Etmaal (24 hours of stay).
    Etmaal,
    /// 16 Dagdeel (4 hours).
    Dagdeel,
    /// 82 Stuks (output): a fixed product per period, e.g. a client-month.
    StuksOutput,
    /// 83 Euro's: a budget amount.
    Euro,
    /// 84 Stuks (inspanning): a realised stay or arrangement, counted.
    StuksInspanning,
}

impl Unit {
    /// The WJ756 code.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Minute => "01",
            Unit::Hour => "04",
            Unit::Etmaal => "14",
            Unit::Dagdeel => "16",
            Unit::StuksOutput => "82",
            Unit::Euro => "83",
            Unit::StuksInspanning => "84",
        }
    }

    /// Parses a WJ756 code.
    pub fn from_code(code: &str) -> Option<Unit> {
        Some(match code {
            "01" => Unit::Minute,
            "04" => Unit::Hour,
            "14" => Unit::Etmaal,
            "16" => Unit::Dagdeel,
            "82" => Unit::StuksOutput,
            "83" => Unit::Euro,
            "84" => Unit::StuksInspanning,
            _ => return None,
        })
    }

    /// Dutch label as in the code list.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Minute => "minuut",
            Unit::Hour => "uur",
            Unit::Etmaal => "etmaal",
            Unit::Dagdeel => "dagdeel",
            Unit::StuksOutput => "stuks (output)",
            Unit::Euro => "euro's",
            Unit::StuksInspanning => "stuks (inspanning)",
        }
    }
}

/// How often the ordered volume applies (iWmo codelijst WMO757).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequentie {
    /// 1 Per dag.
    PerDag,
    /// 2 Per week.
    PerWeek,
    /// 4 Per maand.
    PerMaand,
    /// 6 Totaal binnen geldigheidsduur toewijzing.
    Totaal,
}

impl Frequentie {
    /// The WMO757 code.
    pub fn code(self) -> &'static str {
        match self {
            Frequentie::PerDag => "1",
            Frequentie::PerWeek => "2",
            Frequentie::PerMaand => "4",
            Frequentie::Totaal => "6",
        }
    }
    /// Parses a WMO757 code.
    pub fn from_code(code: &str) -> Option<Frequentie> {
        Some(match code {
            "1" => Frequentie::PerDag,
            "2" => Frequentie::PerWeek,
            "4" => Frequentie::PerMaand,
            "6" => Frequentie::Totaal,
            _ => return None,
        })
    }
}

/// A tariff valid over a period. `assumption` is set when a seed document
/// gives no figure and the number is a marked placeholder, never silent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffPeriod {
    /// Validity.
    pub valid: Period,
    /// Price per unit.
    pub per_unit: Money,
    /// Why this figure is an assumption, if it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
}

/// Tariff table problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProductError {
    /// Two tariff periods overlap.
    #[error("product {product}: tariff periods {a} and {b} overlap")]
    OverlappingTariffs {
        /// Product key.
        product: String,
        /// First period.
        a: Period,
        /// Second period.
        b: Period,
    },
    /// A tariff is negative.
    #[error("product {0}: negative tariff")]
    NegativeTariff(String),
}

/// A product on a lot: iWmo category + code, the unit of delivery and its tariffs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    categorie: ProductCategorie,
    code: Option<ProductCode>,
    name: String,
    unit: Unit,
    level: Option<String>,
    tariffs: Vec<TariffPeriod>,
}

impl Product {
    /// Validates the tariff table (no overlaps, no negative prices) and sorts it.
    pub fn new(
        categorie: ProductCategorie,
        code: Option<ProductCode>,
        name: impl Into<String>,
        unit: Unit,
        level: Option<String>,
        mut tariffs: Vec<TariffPeriod>,
    ) -> Result<Self, ProductError> {
        let name = name.into();
        tariffs.sort_by_key(|t| t.valid.start());
        let key = code.map(|c| c.to_string()).unwrap_or_else(|| name.clone());
        for t in &tariffs {
            if t.per_unit.is_negative() {
                return Err(ProductError::NegativeTariff(key));
            }
        }
        for w in tariffs.windows(2) {
            if w[0].valid.overlaps(&w[1].valid) {
                return Err(ProductError::OverlappingTariffs {
                    product: key,
                    a: w[0].valid,
                    b: w[1].valid,
                });
            }
        }
        Ok(Product {
            categorie,
            code,
            name,
            unit,
            level,
            tariffs,
        })
    }

    /// iWmo productcategorie.
    pub fn categorie(&self) -> ProductCategorie {
        self.categorie
    }
    /// iWmo productcode, when the lot orders at code level.
    pub fn code(&self) -> Option<ProductCode> {
        self.code
    }
    /// Name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Unit of delivery.
    pub fn unit(&self) -> Unit {
        self.unit
    }
    /// Category level (e.g. Waakvlam/Basis/Extra, IN1–IN4).
    pub fn level(&self) -> Option<&str> {
        self.level.as_deref()
    }
    /// All tariff periods, sorted.
    pub fn tariffs(&self) -> &[TariffPeriod] {
        &self.tariffs
    }
    /// The tariff valid on a delivery date.
    pub fn tariff_on(&self, d: NaiveDate) -> Option<&TariffPeriod> {
        self.tariffs.iter().find(|t| t.valid.contains(d))
    }
    /// Key used across the system: the productcode, or `categorie` alone.
    pub fn key(&self) -> String {
        match self.code {
            Some(c) => c.to_string(),
            None => self.categorie.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn tp(s: NaiveDate, e: Option<NaiveDate>, cents: i64) -> TariffPeriod {
        TariffPeriod {
            valid: Period::new(s, e).unwrap(),
            per_unit: Money::from_cents(cents),
            assumption: None,
        }
    }

    #[test]
    fn tariff_lookup_by_date() {
        let p = Product::new(
            "02".parse().unwrap(),
            Some("02N03".parse().unwrap()),
            "Ambulante begeleiding IN3",
            Unit::Hour,
            Some("IN3".into()),
            vec![
                tp(d(2025, 1, 1), None, 7150),
                tp(d(2024, 1, 1), Some(d(2024, 12, 31)), 6890),
            ],
        )
        .unwrap();
        assert_eq!(p.tariff_on(d(2024, 6, 1)).unwrap().per_unit.cents(), 6890);
        assert_eq!(p.tariff_on(d(2026, 6, 1)).unwrap().per_unit.cents(), 7150);
        assert!(p.tariff_on(d(2023, 6, 1)).is_none());
        assert_eq!(p.key(), "02N03");
    }

    #[test]
    fn overlapping_tariffs_rejected() {
        let r = Product::new(
            "02".parse().unwrap(),
            None,
            "x",
            Unit::Hour,
            None,
            vec![tp(d(2024, 1, 1), None, 1), tp(d(2025, 1, 1), None, 2)],
        );
        assert!(matches!(r, Err(ProductError::OverlappingTariffs { .. })));
    }

    #[test]
    fn unit_codes_roundtrip() {
        for u in [
            Unit::Minute,
            Unit::Hour,
            Unit::Etmaal,
            Unit::Dagdeel,
            Unit::StuksOutput,
            Unit::Euro,
            Unit::StuksInspanning,
        ] {
            assert_eq!(Unit::from_code(u.code()), Some(u));
        }
        assert_eq!(Unit::from_code("99"), None);
        for f in [
            Frequentie::PerDag,
            Frequentie::PerWeek,
            Frequentie::PerMaand,
            Frequentie::Totaal,
        ] {
            assert_eq!(Frequentie::from_code(f.code()), Some(f));
        }
    }
}
