//! Region files: the Wmo regions of the seed procurement strategies as
//! validated TOML data, loaded into [`regie_domain`] types.
//!
//! The crate is pure apart from [`load_file`], a convenience that reads a file
//! and calls [`parse_region`].

pub mod population;

pub use population::{PopulationProfile, ProductPopulation};
