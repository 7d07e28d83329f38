//! Regie domain core: the pure model of a Wmo region's care chain.
//!
//! No IO, no async. Everything here is deterministic and testable in memory;
//! the store, codec, settlement and CLI crates depend on it, never the reverse.

pub mod ids;

pub use ids::{AgbCode, Bsn, Gemeentecode, IdError, KvkNummer, ProductCategorie, ProductCode};
