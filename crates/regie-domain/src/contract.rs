//! Lots (percelen), procurement forms, funding variants, payer rules and contracts.

use crate::ids::{AgbCode, Gemeentecode};
use crate::money::Money;
use crate::period::{add_months, Period};
use crate::product::Product;
use crate::provider::Consortium;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How providers get a contract for a lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProcurementForm {
    /// Every provider meeting the admission criteria joins; new entry in
    /// windows every `entry_every_months` (six in Meierij); the client chooses.
    OpenHouse {
        /// Months between entry windows.
        entry_every_months: u32,
    },
    /// A few contract partners selected by tender, at most `max_partners`.
    SelectedPartners {
        /// Maximum number of contract partners (Amersfoort BW: 5).
        max_partners: u32,
    },
    /// One consortium or hoofdaannemer with onderaannemers, one point of contact.
    SingleConsortium,
}

impl ProcurementForm {
    /// Next date on or after `on` at which a new provider may enter, counting
    /// windows from the lot's start. `None` for closed forms.
    pub fn next_entry_date(&self, lot_start: NaiveDate, on: NaiveDate) -> Option<NaiveDate> {
        match self {
            ProcurementForm::OpenHouse { entry_every_months } => {
                let step = (*entry_every_months).max(1);
                let mut k = 0u32;
                loop {
                    let d = add_months(lot_start, k * step);
                    if d >= on {
                        return Some(d);
                    }
                    k += 1;
                }
            }
            _ => None,
        }
    }
}

/// The iStandaarden uitvoeringsvariant: how care is funded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingVariant {
    /// PxQ: delivered units × tariff (minutes, hours, dagdelen, etmalen, stays, arrangements).
    Inspanningsgericht,
    /// A fixed fee per product category per client-month.
    Outputgericht,
    /// A lumpsum per contract partner for a task, no per-client pricing.
    Taakgericht,
}

/// Who pays for the care on a lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PayerRule {
    /// Each municipality pays for its own residents, by residence on the delivery date.
    Woonplaatsbeginsel,
    /// The centrumgemeente pays from its (regional) budget.
    Centrumgemeente {
        /// The paying municipality.
        gemeente: Gemeentecode,
    },
}

impl PayerRule {
    /// The municipality that pays for care delivered to someone living in `residence`.
    pub fn payer(&self, residence: Gemeentecode) -> Gemeentecode {
        match self {
            PayerRule::Woonplaatsbeginsel => residence,
            PayerRule::Centrumgemeente { gemeente } => *gemeente,
        }
    }
}

/// A lot (perceel): a set of products bought together under one procurement
/// form, funding variant and payer rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lot {
    /// Short identifier within the region, e.g. `begeleiding`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Procurement form.
    pub procurement: ProcurementForm,
    /// Funding variant.
    pub funding: FundingVariant,
    /// Who pays.
    pub payer: PayerRule,
    /// Products on this lot.
    pub products: Vec<Product>,
    /// Reference annual cost (e.g. Amersfoort 2024 realisation), for budgets.
    pub reference_cost: Option<ReferenceCost>,
}

/// A realised or budgeted annual cost the seed documents give for a lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceCost {
    /// Year.
    pub year: i32,
    /// Amount.
    pub amount: Money,
    /// Where the figure comes from.
    pub source: String,
}

impl Lot {
    /// Finds a product by its key (productcode or categorie).
    pub fn product(&self, key: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.key() == key)
    }
}

/// Who holds a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ContractParty {
    /// A single provider.
    Provider(AgbCode),
    /// A consortium (orders go to the hoofdaannemer).
    Consortium(Consortium),
}

impl ContractParty {
    /// The AGB code orders and messages are addressed to.
    pub fn addressee(&self) -> AgbCode {
        match self {
            ContractParty::Provider(a) => *a,
            ContractParty::Consortium(c) => c.hoofdaannemer(),
        }
    }
}

/// Terms specific to taakgericht (lumpsum) funding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaakgerichtTerms {
    /// Lumpsum per calendar year (the planned reduction path); `budget_for` looks it up.
    pub annual_budget: Vec<(i32, Money)>,
    /// Expected client count: outside `[min, max]` the parties must consult.
    pub client_bandwidth: (u32, u32),
}

impl TaakgerichtTerms {
    /// The lumpsum for a calendar year.
    pub fn budget_for(&self, year: i32) -> Option<Money> {
        self.annual_budget
            .iter()
            .find(|(y, _)| *y == year)
            .map(|(_, m)| *m)
    }

    /// Where a client count falls against the bandwidth.
    pub fn bandwidth_status(&self, clients: u32) -> Bandwidth {
        let (lo, hi) = self.client_bandwidth;
        if clients < lo {
            Bandwidth::Below { by: lo - clients }
        } else if clients > hi {
            Bandwidth::Above { by: clients - hi }
        } else {
            Bandwidth::Within
        }
    }
}

/// A client count against the contracted bandwidth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Bandwidth {
    /// Inside: nothing to do.
    Within,
    /// Below the minimum: consult (provider may be overpaid).
    Below {
        /// Clients short.
        by: u32,
    },
    /// Above the maximum: consult (inflow risk is the municipalities').
    Above {
        /// Clients over.
        by: u32,
    },
}

/// Contract problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ContractError {
    /// Zero-length initial term.
    #[error("contract must run at least one year")]
    NoTerm,
    /// The options exceed the maximum duration.
    #[error(
        "initial {initial} + extensions {extensions} years exceeds the maximum of {max} years"
    )]
    TooLong {
        /// Initial years.
        initial: u32,
        /// Sum of extension years.
        extensions: u32,
        /// Maximum years.
        max: u32,
    },
    /// All options already used.
    #[error("no extension option left")]
    NoOptionLeft,
    /// Taakgericht funding needs lumpsum terms, other variants must not have them.
    #[error("lumpsum terms are required for, and only for, taakgericht contracts")]
    LumpsumMismatch,
}

/// A contract (raamovereenkomst) on a lot: a party, a start, an initial term and
/// extension options, e.g. 4 + 2 + 2 years (Hart van Brabant) or at most 9 years (Amersfoort).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contract {
    /// Identifier.
    pub id: String,
    /// The lot.
    pub lot_id: String,
    /// Contract holder.
    pub party: ContractParty,
    /// First day.
    pub start: NaiveDate,
    initial_years: u32,
    extension_options: Vec<u32>,
    extensions_used: usize,
    max_years: Option<u32>,
    /// Lumpsum terms for taakgericht lots.
    pub lumpsum: Option<TaakgerichtTerms>,
}

impl Contract {
    /// Validates term and options against the maximum and the funding variant.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: impl Into<String>,
        lot: &Lot,
        party: ContractParty,
        start: NaiveDate,
        initial_years: u32,
        extension_options: Vec<u32>,
        max_years: Option<u32>,
        lumpsum: Option<TaakgerichtTerms>,
    ) -> Result<Self, ContractError> {
        if initial_years == 0 {
            return Err(ContractError::NoTerm);
        }
        let ext: u32 = extension_options.iter().sum();
        if let Some(max) = max_years {
            if initial_years + ext > max {
                return Err(ContractError::TooLong {
                    initial: initial_years,
                    extensions: ext,
                    max,
                });
            }
        }
        if (lot.funding == FundingVariant::Taakgericht) != lumpsum.is_some() {
            return Err(ContractError::LumpsumMismatch);
        }
        Ok(Contract {
            id: id.into(),
            lot_id: lot.id.clone(),
            party,
            start,
            initial_years,
            extension_options,
            extensions_used: 0,
            max_years,
            lumpsum,
        })
    }

    /// Years currently contracted (initial + used extensions).
    pub fn years(&self) -> u32 {
        self.initial_years
            + self.extension_options[..self.extensions_used]
                .iter()
                .sum::<u32>()
    }

    /// The current contract period (end inclusive).
    pub fn period(&self) -> Period {
        let end = add_months(self.start, self.years() * 12)
            .pred_opt()
            .expect("date");
        Period::new(self.start, Some(end)).expect("end after start")
    }

    /// The latest possible end date if all options are used.
    pub fn max_end(&self) -> NaiveDate {
        let all = self.initial_years + self.extension_options.iter().sum::<u32>();
        add_months(self.start, all * 12).pred_opt().expect("date")
    }

    /// Extension options not yet used.
    pub fn remaining_options(&self) -> &[u32] {
        &self.extension_options[self.extensions_used..]
    }

    /// Uses the next extension option; returns the new end date.
    pub fn extend(&mut self) -> Result<NaiveDate, ContractError> {
        if self.extensions_used >= self.extension_options.len() {
            return Err(ContractError::NoOptionLeft);
        }
        self.extensions_used += 1;
        Ok(self.period().end().expect("closed"))
    }

    /// Initial term in years.
    pub fn initial_years(&self) -> u32 {
        self.initial_years
    }

    /// Maximum duration, if the seed sets one.
    pub fn max_years(&self) -> Option<u32> {
        self.max_years
    }

    /// The contract year (1-based) a date falls in, if inside the maximum term.
    pub fn contract_year(&self, d: NaiveDate) -> Option<u32> {
        if d < self.start || d > self.max_end() {
            return None;
        }
        let mut y = d.year() - self.start.year();
        if (d.month(), d.day()) < (self.start.month(), self.start.day()) {
            y -= 1;
        }
        Some(y as u32 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn lot(f: FundingVariant) -> Lot {
        Lot {
            id: "bw".into(),
            name: "Beschermd wonen".into(),
            procurement: ProcurementForm::SelectedPartners { max_partners: 5 },
            funding: f,
            payer: PayerRule::Woonplaatsbeginsel,
            products: vec![],
            reference_cost: None,
        }
    }

    #[test]
    fn hart_van_brabant_4_2_2() {
        let l = lot(FundingVariant::Inspanningsgericht);
        let mut c = Contract::new(
            "c1",
            &l,
            ContractParty::Provider("12345678".parse().unwrap()),
            d(2022, 7, 1),
            4,
            vec![2, 2],
            None,
            None,
        )
        .unwrap();
        assert_eq!(c.period().end(), Some(d(2026, 6, 30)));
        assert_eq!(c.max_end(), d(2030, 6, 30));
        assert_eq!(c.extend().unwrap(), d(2028, 6, 30));
        assert_eq!(c.extend().unwrap(), d(2030, 6, 30));
        assert_eq!(c.extend(), Err(ContractError::NoOptionLeft));
        assert_eq!(c.contract_year(d(2022, 7, 1)), Some(1));
        assert_eq!(c.contract_year(d(2023, 6, 30)), Some(1));
        assert_eq!(c.contract_year(d(2023, 7, 1)), Some(2));
        assert_eq!(c.contract_year(d(2030, 7, 1)), None);
    }

    #[test]
    fn amersfoort_max_nine_years() {
        let l = lot(FundingVariant::Inspanningsgericht);
        let party = ContractParty::Provider("12345678".parse().unwrap());
        assert!(Contract::new(
            "c",
            &l,
            party.clone(),
            d(2027, 1, 1),
            5,
            vec![2, 2],
            Some(9),
            None
        )
        .is_ok());
        assert!(matches!(
            Contract::new("c", &l, party, d(2027, 1, 1), 5, vec![2, 3], Some(9), None),
            Err(ContractError::TooLong { .. })
        ));
    }

    #[test]
    fn lumpsum_only_for_taakgericht() {
        let terms = TaakgerichtTerms {
            annual_budget: vec![(2022, Money::from_cents(100))],
            client_bandwidth: (665, 735),
        };
        let party = ContractParty::Provider("12345678".parse().unwrap());
        let t = lot(FundingVariant::Taakgericht);
        assert!(Contract::new(
            "c",
            &t,
            party.clone(),
            d(2022, 1, 1),
            4,
            vec![],
            None,
            Some(terms.clone())
        )
        .is_ok());
        assert_eq!(
            Contract::new("c", &t, party.clone(), d(2022, 1, 1), 4, vec![], None, None),
            Err(ContractError::LumpsumMismatch)
        );
        let i = lot(FundingVariant::Inspanningsgericht);
        assert_eq!(
            Contract::new(
                "c",
                &i,
                party,
                d(2022, 1, 1),
                4,
                vec![],
                None,
                Some(terms.clone())
            ),
            Err(ContractError::LumpsumMismatch)
        );
        assert_eq!(terms.bandwidth_status(700), Bandwidth::Within);
        assert_eq!(terms.bandwidth_status(600), Bandwidth::Below { by: 65 });
        assert_eq!(terms.bandwidth_status(740), Bandwidth::Above { by: 5 });
    }

    #[test]
    fn open_house_entry_windows() {
        let f = ProcurementForm::OpenHouse {
            entry_every_months: 6,
        };
        assert_eq!(
            f.next_entry_date(d(2020, 1, 1), d(2020, 3, 15)),
            Some(d(2020, 7, 1))
        );
        assert_eq!(
            f.next_entry_date(d(2020, 1, 1), d(2020, 7, 1)),
            Some(d(2020, 7, 1))
        );
        assert_eq!(
            f.next_entry_date(d(2020, 1, 1), d(2021, 2, 1)),
            Some(d(2021, 7, 1))
        );
        assert_eq!(
            ProcurementForm::SingleConsortium.next_entry_date(d(2020, 1, 1), d(2020, 2, 1)),
            None
        );
    }

    #[test]
    fn payer_rule() {
        let amf: Gemeentecode = "0307".parse().unwrap();
        let baarn: Gemeentecode = "0308".parse().unwrap();
        assert_eq!(PayerRule::Woonplaatsbeginsel.payer(baarn), baarn);
        assert_eq!(
            PayerRule::Centrumgemeente { gemeente: amf }.payer(baarn),
            amf
        );
    }
}
