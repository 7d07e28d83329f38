//! Region files: the Wmo regions of the seed procurement strategies as
//! validated TOML data, loaded into [`regie_domain`] types.
//!
//! The crate is pure apart from [`load_file`], a convenience that reads a file
//! and calls [`parse_region`]. The format is documented in `regions/README.md`.

#![deny(missing_docs)]

mod convert;
pub mod error;
pub mod model;
pub mod population;
mod raw;
pub mod spans;
mod summary;

pub use error::{ErrorKind, Located, RegionFileError};
pub use model::*;
pub use population::{PopulationProfile, ProductPopulation};

use std::path::Path;

/// Parses and validates a region file. `origin` names it in error messages
/// (usually the path, e.g. `regions/amersfoort.toml`).
pub fn parse_region(text: &str, origin: &str) -> Result<RegionFile, RegionFileError> {
    let idx = spans::SpanIndex::build(text);
    let raw: raw::RawFile =
        toml::from_str(text).map_err(|e| error::from_toml(origin, text, &idx, &e))?;
    convert::convert(raw, origin).map_err(|e| e.locate(origin, text, &idx))
}

/// Reads a region file from disk and parses it; errors name `path`.
pub fn load_file(path: &Path) -> Result<RegionFile, RegionFileError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RegionFileError::Io {
        origin: origin.clone(),
        source,
    })?;
    parse_region(&text, &origin)
}
