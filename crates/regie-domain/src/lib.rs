//! Regie domain core: the pure model of a Wmo region's care chain.
//!
//! No IO, no async. Everything here is deterministic and testable in memory;
//! the store, codec, settlement and CLI crates depend on it, never the reverse.

pub mod care;
pub mod client;
pub mod contract;
pub mod ids;
pub mod money;
pub mod period;
pub mod persoon;
pub mod product;
pub mod provider;
pub mod region;

pub use care::{
    Beschikking, CareError, Omvang, ProductRef, RedenWijziging, Scope, Toewijzing, ToewijzingBook,
};
pub use client::{Client, ClientError, Residence};
pub use contract::{
    Bandwidth, Contract, ContractError, ContractParty, FundingVariant, Lot, PayerRule,
    ProcurementForm, ReferenceCost, TaakgerichtTerms,
};
pub use ids::{AgbCode, Bsn, Gemeentecode, IdError, KvkNummer, ProductCategorie, ProductCode};
pub use money::Money;
pub use period::{Period, PeriodError, YearMonth};
pub use persoon::{Adres, Geslachtsnaam, Naamgebruik, PersoonError, Persoonsgegevens};
pub use product::{Frequentie, Product, ProductError, TariffPeriod, Unit};
pub use provider::{AdmissionEvidence, AdmissionGap, Consortium, ConsortiumError, Provider};
pub use region::{Municipality, Region, RegionError};
