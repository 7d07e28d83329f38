//! Client numbers per product and municipality that a seed document gives,
//! used by the synthetic population generator.

use regie_domain::Gemeentecode;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Unique client counts of a region in a reference year (peiljaar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationProfile {
    /// Peiljaar, e.g. 2024.
    pub year: i32,
    /// Where the figures come from, e.g. "seed 001, 'Aantallen per interventieniveau x gemeente'".
    pub source: String,
    /// Unique clients over all products and municipalities (Amersfoort: 2212).
    pub unique_total: u32,
    /// Unique clients living in the region ("Regionaal", Amersfoort: 2157).
    pub unique_in_region: Option<u32>,
    /// Unique clients living outside the region ("Buiten regio", Amersfoort: 55).
    pub unique_outside_region: Option<u32>,
    /// Unique clients per member municipality (Amersfoort 1202, Baarn 212, …).
    pub municipality_totals: BTreeMap<Gemeentecode, u32>,
    /// Per product.
    pub products: Vec<ProductPopulation>,
}

/// Unique client counts of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductPopulation {
    /// Product key as in the lot (productcode, or categorie), e.g. "02N01".
    pub product: String,
    /// Lot id the product belongs to.
    pub lot: String,
    /// Unique clients of this product (02N01: 64).
    pub unique_total: u32,
    /// Mean age of the product's clients, if the seed gives it.
    pub mean_age: Option<Decimal>,
    /// Unique clients per member municipality.
    pub by_municipality: BTreeMap<Gemeentecode, u32>,
    /// Clients living outside the region ("Buiten regio" column).
    pub outside_region: u32,
}
