//! The TOML shape of a region file, exactly as written (see `regions/README.md`).
//! Everything here is unvalidated; `convert` turns it into domain types.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use toml::value::Datetime;

/// A money amount or count written as a string (`"4558.00"`) or integer.
/// Floats are refused: they cannot hold cents exactly.
#[derive(Debug, Clone)]
pub struct Amount(pub String);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount as a string like \"4558.00\" or an integer")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                Err(E::custom(format!(
                    "amount {v} is a float; write it as a string, e.g. \"{v}\", so cents stay exact"
                )))
            }
            fn visit_str<E>(self, v: &str) -> Result<Amount, E> {
                Ok(Amount(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub format: u32,
    pub region: RawRegion,
    #[serde(default)]
    pub sources: Vec<RawSource>,
    #[serde(default)]
    pub providers: Vec<RawProvider>,
    #[serde(default)]
    pub consortia: Vec<RawConsortium>,
    #[serde(default)]
    pub lots: Vec<RawLot>,
    #[serde(default)]
    pub contracts: Vec<RawContract>,
    pub population: Option<RawPopulation>,
    #[serde(default)]
    pub budget_tables: Vec<RawBudgetTable>,
    #[serde(default)]
    pub reference_costs: Vec<RawNamedCost>,
    #[serde(default)]
    pub figures: Vec<RawFigure>,
    #[serde(default)]
    pub deadlines: Vec<RawDeadline>,
    #[serde(default)]
    pub milestones: Vec<RawMilestone>,
    #[serde(default)]
    pub kpis: Vec<RawKpi>,
    #[serde(default)]
    pub gaps: Vec<RawGap>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: String,
    pub file: String,
    pub title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: String,
    pub name: String,
    pub centrumgemeente: Option<String>,
    pub source: String,
    pub municipalities: Vec<RawMunicipality>,
    #[serde(default)]
    pub subregions: Vec<RawSubregion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMunicipality {
    pub code: String,
    pub name: String,
    pub member_from: Option<Datetime>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSubregion {
    pub id: String,
    pub name: String,
    pub municipalities: Vec<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    pub agb: String,
    pub kvk: Option<String>,
    pub name: String,
    #[serde(default)]
    pub placeholder: bool,
    pub note: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsortium {
    pub id: String,
    pub name: String,
    pub hoofdaannemer: String,
    #[serde(default)]
    pub onderaannemers: Vec<String>,
    #[serde(default)]
    pub placeholder: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum RawProcurement {
    OpenHouse { entry_every_months: u32 },
    SelectedPartners { max_partners: u32 },
    SingleConsortium,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum RawPayer {
    Woonplaatsbeginsel,
    Centrumgemeente { gemeente: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPayerChange {
    pub from: Datetime,
    pub payer: RawPayer,
    pub scope: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    pub year: i32,
    pub amount: Amount,
    #[serde(default)]
    pub approximate: bool,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLot {
    pub id: String,
    pub name: String,
    pub source: String,
    pub description: Option<String>,
    pub assumption: Option<String>,
    pub municipalities: Option<Vec<String>>,
    pub subregion: Option<String>,
    pub procurement: RawProcurement,
    pub funding: String,
    pub payer: RawPayer,
    #[serde(default)]
    pub payer_changes: Vec<RawPayerChange>,
    pub reference_cost: Option<RawCost>,
    #[serde(default)]
    pub products: Vec<RawProduct>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProduct {
    pub name: String,
    pub categorie: String,
    pub code: Option<String>,
    pub unit: String,
    pub level: Option<String>,
    pub description: Option<String>,
    pub source: String,
    pub assumption: Option<String>,
    pub tariff_unknown: Option<String>,
    #[serde(default)]
    pub tariffs: Vec<RawTariff>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTariff {
    pub start: Datetime,
    pub end: Option<Datetime>,
    pub per_unit: Amount,
    pub assumption: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    pub id: String,
    pub lot: String,
    pub provider: Option<String>,
    pub consortium: Option<String>,
    pub start: Datetime,
    pub initial_years: u32,
    #[serde(default)]
    pub extension_options: Vec<u32>,
    #[serde(default)]
    pub tacit_yearly_extensions: u32,
    pub max_years: Option<u32>,
    pub source: String,
    pub assumption: Option<String>,
    pub lumpsum: Option<RawLumpsum>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLumpsum {
    pub client_bandwidth: [u32; 2],
    pub source: String,
    pub assumption: Option<String>,
    pub annual_budget: Vec<RawYearAmount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawYearAmount {
    pub year: i32,
    pub amount: Amount,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    pub year: i32,
    pub source: String,
    pub unique_total: u32,
    pub unique_total_assumption: Option<String>,
    pub unique_in_region: Option<u32>,
    pub unique_outside_region: Option<u32>,
    #[serde(default)]
    pub municipality_totals: BTreeMap<String, u32>,
    #[serde(default)]
    pub products: Vec<RawProductPopulation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProductPopulation {
    pub product: String,
    pub lot: String,
    pub unique_total: u32,
    pub mean_age: Option<Amount>,
    #[serde(default)]
    pub by_municipality: BTreeMap<String, u32>,
    #[serde(default)]
    pub outside_region: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudgetTable {
    pub id: String,
    pub name: String,
    pub source: String,
    #[serde(default = "one_euro")]
    pub rounding_tolerance: Amount,
    pub rows: Vec<RawBudgetRow>,
}

fn one_euro() -> Amount {
    Amount("1".into())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudgetRow {
    pub year: i32,
    pub historic: Amount,
    pub objective: Amount,
    pub total: Amount,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNamedCost {
    pub id: String,
    pub name: String,
    pub lot: Option<String>,
    pub subregion: Option<String>,
    pub year: i32,
    pub amount: Amount,
    #[serde(default)]
    pub approximate: bool,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFigure {
    pub id: String,
    pub description: String,
    pub value: Amount,
    pub unit: String,
    pub year: Option<i32>,
    pub date: Option<Datetime>,
    pub gemeente: Option<String>,
    pub lot: Option<String>,
    #[serde(default)]
    pub approximate: bool,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeadline {
    pub id: String,
    pub name: String,
    pub lot: Option<String>,
    pub days: Option<u32>,
    pub weeks: Option<u32>,
    pub months: Option<u32>,
    pub years: Option<u32>,
    #[serde(default)]
    pub minimum: bool,
    pub starts_at: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMilestone {
    pub id: String,
    pub name: String,
    pub when: String,
    pub until: Option<String>,
    pub lot: Option<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKpi {
    pub id: String,
    pub name: String,
    pub lot: Option<String>,
    pub frequency: Option<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGap {
    pub what: String,
    pub source: String,
}
