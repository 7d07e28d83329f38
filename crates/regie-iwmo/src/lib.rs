//! # regie-iwmo
//!
//! iWmo 3.2 for Regie: typed messages for all fourteen message types
//! (WMO301–WMO325), a streaming parser and writer that follow the XSDs exactly,
//! and layered validation that maps every failure onto its official
//! retourcode and builds the retour message.
//!
//! Pure: no IO, no async. Cross-message rules read state through
//! [`validate::ChainContext`], which the store implements.
//!
//! ```
//! use regie_iwmo::{bericht, sample, validate};
//! let p = sample::Partijen::default();
//! let toewijzing = sample::toewijzing(&p, "T1", sample::bsn(1), 1001);
//! let xml = toewijzing.to_xml();
//! let ctx = validate::InMemoryContext::default();
//! let report = validate::validate(xml.as_bytes(), &ctx, validate::Uitvoeringsvariant::Inspanningsgericht);
//! assert!(report.is_ok(), "{}", report);
//! let retour = validate::retour_for(&report, &validate::RetourParams::default()).unwrap();
//! assert_eq!(retour.message_type(), bericht::MessageType::Wmo302);
//! ```

pub mod bericht;
pub mod codelists;
mod inline;
mod lex;
pub mod model;
pub mod sample;
pub mod types;
pub mod validate;
pub mod xml;
