//! The validated content of a region file: domain types plus the
//! seed-document context (sources, assumptions, budgets, deadlines) around them.

use crate::population::PopulationProfile;
use chrono::NaiveDate;
use regie_domain::{
    AgbCode, Consortium, Contract, Gemeentecode, Lot, Money, PayerRule, Provider, ReferenceCost,
    Region, YearMonth,
};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// A seed document that figures in the file are taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Short id used as prefix in every `source` field, e.g. `seed-003`.
    pub id: String,
    /// File name under `shared/seeds/`.
    pub file: String,
    /// Document title.
    pub title: String,
}

/// Membership details the domain [`Region`] does not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipNote {
    /// Municipality.
    pub gemeente: Gemeentecode,
    /// First day of membership when it is not from the start (Alphen-Chaam 2023-01-01).
    pub member_from: Option<NaiveDate>,
    /// Free remark (mergers, optional participation).
    pub note: Option<String>,
}

/// A named part of a region (Rijk van Nijmegen inside Gelderland-Zuid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subregion {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Members, all members of the region.
    pub municipalities: Vec<Gemeentecode>,
    /// Where the composition is stated.
    pub source: String,
}

/// Provenance of a provider entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderInfo {
    /// True when the provider (or its AGB code) is invented so contracts have a party.
    pub placeholder: bool,
    /// Remark.
    pub note: Option<String>,
    /// Seed reference, when the seed names the provider.
    pub source: Option<String>,
}

/// A consortium with the id contracts refer to it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedConsortium {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Hoofdaannemer and onderaannemers.
    pub consortium: Consortium,
    /// True when invented.
    pub placeholder: bool,
    /// Remark.
    pub note: Option<String>,
}

/// A change of payer rule on a date (Hart van Brabant: woonplaatsbeginsel
/// for new clients from 2023-01-01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayerChange {
    /// First day of the new rule.
    pub from: NaiveDate,
    /// The rule from then on.
    pub payer: PayerRule,
    /// To whom it applies, e.g. "new clients (nieuwe instroom)".
    pub scope: String,
    /// Seed reference.
    pub source: String,
}

/// Seed context of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductInfo {
    /// Product key (as [`regie_domain::Product::key`]).
    pub key: String,
    /// Description from the seed.
    pub description: Option<String>,
    /// Seed reference.
    pub source: String,
    /// What about the product itself (code, unit, categorie) is assumed.
    pub assumption: Option<String>,
    /// Why the seed gives no tariff.
    pub tariff_unknown: Option<String>,
}

/// Seed context of a lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotInfo {
    /// Lot id.
    pub id: String,
    /// Municipalities taking part in this lot (all members unless the file says otherwise).
    pub municipalities: Vec<Gemeentecode>,
    /// Subregion the lot is bought for, if any.
    pub subregion: Option<String>,
    /// Later payer rules.
    pub payer_changes: Vec<PayerChange>,
    /// Description.
    pub description: Option<String>,
    /// Seed reference.
    pub source: String,
    /// What about the lot (form, funding) is assumed.
    pub assumption: Option<String>,
    /// Per product, in lot order.
    pub products: Vec<ProductInfo>,
}

/// Seed context of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractInfo {
    /// Contract id.
    pub id: String,
    /// How many of the extension options are tacit yearly renewals (Meierij).
    pub tacit_yearly_extensions: u32,
    /// Seed reference.
    pub source: String,
    /// What about the terms is assumed.
    pub assumption: Option<String>,
    /// What about the lumpsum terms is assumed.
    pub lumpsum_assumption: Option<String>,
    /// Seed reference for the lumpsum terms.
    pub lumpsum_source: Option<String>,
}

/// One year of a budget table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetRow {
    /// Year.
    pub year: i32,
    /// Historic part (historisch budget).
    pub historic: Money,
    /// Objective part (objectief verdeelmodel).
    pub objective: Money,
    /// Total as the seed prints it.
    pub total: Money,
}

/// A per-year budget table (Hart van Brabant Tabel 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetTable {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Seed reference.
    pub source: String,
    /// How far `historic + objective` may differ from the printed total (source rounding).
    pub rounding_tolerance: Money,
    /// Rows by year, ascending.
    pub rows: Vec<BudgetRow>,
}

impl BudgetTable {
    /// The row for a year.
    pub fn row(&self, year: i32) -> Option<&BudgetRow> {
        self.rows.iter().find(|r| r.year == year)
    }
}

/// A cost figure of the region that is not one lot's reference cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedCost {
    /// Identifier.
    pub id: String,
    /// What the amount covers.
    pub name: String,
    /// Lot it belongs to, if any.
    pub lot: Option<String>,
    /// Subregion it belongs to, if any.
    pub subregion: Option<String>,
    /// Year, amount and source.
    pub cost: ReferenceCost,
    /// "circa" in the seed.
    pub approximate: bool,
}

/// A number from a seed that is not money: client counts, provider counts, percentages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    /// Identifier.
    pub id: String,
    /// What it counts.
    pub description: String,
    /// The value.
    pub value: Decimal,
    /// Unit, e.g. `clients`, `providers`, `percent`, `eur`.
    pub unit: String,
    /// Year it refers to.
    pub year: Option<i32>,
    /// Reference date (peildatum).
    pub date: Option<NaiveDate>,
    /// Municipality it refers to.
    pub gemeente: Option<Gemeentecode>,
    /// Lot it refers to.
    pub lot: Option<String>,
    /// "circa" in the seed.
    pub approximate: bool,
    /// Seed reference.
    pub source: String,
}

/// A length of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Span {
    /// Days.
    Days(u32),
    /// Weeks.
    Weeks(u32),
    /// Calendar months.
    Months(u32),
    /// Years.
    Years(u32),
}

impl Span {
    /// The date this span after `from` (months and years clamp to month end).
    pub fn after(self, from: NaiveDate) -> NaiveDate {
        match self {
            Span::Days(n) => from + chrono::Days::new(u64::from(n)),
            Span::Weeks(n) => from + chrono::Days::new(7 * u64::from(n)),
            Span::Months(n) => regie_domain::period::add_months(from, n),
            Span::Years(n) => regie_domain::period::add_months(from, 12 * n),
        }
    }
}

/// A named time limit the seed sets (perspectiefplan within 6 weeks, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// Identifier, e.g. `perspectiefplan`.
    pub id: String,
    /// Description.
    pub name: String,
    /// Lot it applies to, if any.
    pub lot: Option<String>,
    /// The length.
    pub span: Span,
    /// True for a minimum duration (implementation at least 3 months), false for a maximum.
    pub minimum: bool,
    /// The event the time runs from.
    pub starts_at: String,
    /// Seed reference.
    pub source: String,
}

/// A date or a month in a planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum When {
    /// An exact day.
    Date(NaiveDate),
    /// A month only ("september 2025").
    Month(YearMonth),
}

/// A planned step (publication, start of contracts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    /// Identifier.
    pub id: String,
    /// Description.
    pub name: String,
    /// When it happens (or starts).
    pub when: When,
    /// When it ends, for a period.
    pub until: Option<When>,
    /// Lot, if any.
    pub lot: Option<String>,
    /// Seed reference.
    pub source: String,
}

/// A monitoring indicator the seed names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kpi {
    /// Identifier.
    pub id: String,
    /// What is measured.
    pub name: String,
    /// Lot, if any.
    pub lot: Option<String>,
    /// How often, e.g. "per kwartaal".
    pub frequency: Option<String>,
    /// Seed reference.
    pub source: String,
}

/// Information the seed lacks or that is unreadable in it (tables that were images).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// What is missing.
    pub what: String,
    /// Where it should have been.
    pub source: String,
}

/// A figure that is not in a seed document, with why and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assumption {
    /// Field path in the file, e.g. `lots[0].products[1].tariffs[0]`.
    pub path: String,
    /// The explanation written in the file.
    pub text: String,
}

/// A loaded, validated region file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionFile {
    /// Where it was read from (file path or a label).
    pub origin: String,
    /// The region with its member municipalities.
    pub region: Region,
    /// Membership dates and remarks.
    pub membership: Vec<MembershipNote>,
    /// Named parts of the region.
    pub subregions: Vec<Subregion>,
    /// Seed documents.
    pub sources: Vec<Source>,
    /// Providers (many are placeholders, see `provider_info`).
    pub providers: Vec<Provider>,
    /// Provenance per provider.
    pub provider_info: BTreeMap<AgbCode, ProviderInfo>,
    /// Consortia.
    pub consortia: Vec<NamedConsortium>,
    /// Lots with products and tariffs.
    pub lots: Vec<Lot>,
    /// Seed context per lot, same order as `lots`.
    pub lot_info: Vec<LotInfo>,
    /// Contracts.
    pub contracts: Vec<Contract>,
    /// Seed context per contract, same order as `contracts`.
    pub contract_info: Vec<ContractInfo>,
    /// Client numbers, where the seed has them.
    pub population: Option<PopulationProfile>,
    /// Budget tables.
    pub budget_tables: Vec<BudgetTable>,
    /// Other cost figures.
    pub reference_costs: Vec<NamedCost>,
    /// Other numbers.
    pub figures: Vec<Figure>,
    /// Time limits.
    pub deadlines: Vec<Deadline>,
    /// Planning.
    pub milestones: Vec<Milestone>,
    /// Monitoring indicators.
    pub kpis: Vec<Kpi>,
    /// What the seeds do not say.
    pub gaps: Vec<Gap>,
    /// Free remarks.
    pub notes: Vec<String>,
    pub(crate) assumptions: Vec<Assumption>,
}

impl RegionFile {
    /// Every assumption in the file: placeholder figures, invented codes,
    /// chosen terms. The CLI prints these so no invented number goes unnoticed.
    pub fn assumptions(&self) -> Vec<(String, String)> {
        self.assumptions
            .iter()
            .map(|a| (a.path.clone(), a.text.clone()))
            .collect()
    }

    /// A lot by id.
    pub fn lot(&self, id: &str) -> Option<&Lot> {
        self.lots.iter().find(|l| l.id == id)
    }

    /// Seed context of a lot.
    pub fn lot_info(&self, id: &str) -> Option<&LotInfo> {
        self.lot_info.iter().find(|l| l.id == id)
    }

    /// Contracts on a lot.
    pub fn contracts_on<'a>(&'a self, lot: &'a str) -> impl Iterator<Item = &'a Contract> + 'a {
        self.contracts.iter().filter(move |c| c.lot_id == lot)
    }

    /// A provider by AGB code.
    pub fn provider(&self, agb: AgbCode) -> Option<&Provider> {
        self.providers.iter().find(|p| p.agb == agb)
    }

    /// A budget table by id.
    pub fn budget_table(&self, id: &str) -> Option<&BudgetTable> {
        self.budget_tables.iter().find(|t| t.id == id)
    }

    /// A deadline by id.
    pub fn deadline(&self, id: &str) -> Option<&Deadline> {
        self.deadlines.iter().find(|d| d.id == id)
    }

    /// A figure by id.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }

    /// A named cost by id.
    pub fn reference_cost(&self, id: &str) -> Option<&NamedCost> {
        self.reference_costs.iter().find(|c| c.id == id)
    }
}
