//! Deterministic synthetic population for a region, calibrated to the figures
//! its seed document gives (unique clients per product × municipality, mean
//! ages, share of clients with several products, movers).
//!
//! The generator is an iterator: it holds no population in memory, so it
//! scales to millions of clients. Client `i` depends only on `(seed, i)`.
//!
//! Simulation assumptions (not seed figures) are named constants below.

pub mod persoon;
pub mod rng;

use chrono::{Datelike, Days, NaiveDate};
use regie_domain::{
    AgbCode, Beschikking, Bsn, Client, Frequentie, FundingVariant, Gemeentecode, Lot, Omvang,
    Period, Persoonsgegevens, Product, ProductRef, RedenWijziging, Region, Scope, Toewijzing, Unit,
    YearMonth,
};
use regie_regions::PopulationProfile;
use rng::Rng;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use thiserror::Error;

/// Share of clients whose care started before the simulated horizon (ongoing care).
pub const ONGOING_PERMILLE: u64 = 600;
/// Standard deviation of client age around the product's mean, in years.
pub const AGE_SD_YEARS: i64 = 14;
/// Youngest adult client (Wmo begeleiding is 18+).
pub const MIN_AGE: i64 = 18;
/// Oldest simulated client.
pub const MAX_AGE: i64 = 95;
/// Hours per week by intervention level, for hour-based products (assumed; the
/// seeds give no volumes). Level names as in the region files (IN1–IN4).
pub const HOURS_PER_WEEK_BY_LEVEL: &[(&str, u32)] =
    &[("IN1", 1), ("IN2", 2), ("IN3", 3), ("IN4", 5)];
/// Hours per week when a product has no known level.
pub const DEFAULT_HOURS_PER_WEEK: u32 = 2;
/// Default mover share when a profile gives no basis for it (per mille).
pub const DEFAULT_MOVE_PERMILLE: u64 = 13;
/// Default multi-product share when a profile gives no basis (per mille).
pub const DEFAULT_MULTI_PERMILLE: u64 = 140;

/// Configuration problems.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SimError {
    /// No products to assign.
    #[error("region {0} has no products on any contracted lot")]
    NoProducts(String),
    /// A profile product is not on any lot.
    #[error("population product {0} is not a product of any lot")]
    UnknownProduct(String),
    /// A lot with demand has no contract to send orders to.
    #[error("lot {0} has no contract, so no provider can receive toewijzingen")]
    NoProvider(String),
    /// Zero-month horizon.
    #[error("months must be at least 1")]
    NoMonths,
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Number of clients to generate.
    pub clients: u64,
    /// First simulated month.
    pub start: YearMonth,
    /// Number of months.
    pub months: u32,
    /// Seed: same seed, same population.
    pub seed: u64,
}

/// One product option with its demand weight per home municipality.
#[derive(Debug, Clone)]
struct ProductOption {
    lot: usize,
    product: usize,
    mean_age: i64,
    /// Weight per municipality column (index into `Generator::homes`): the
    /// product's share of assignments there.
    weights: Vec<u64>,
    /// Weight for drawing the *first* product, corrected so that first plus
    /// second products together reproduce `weights` (see `calibrate_first`).
    first_weights: Vec<u64>,
}

/// One generated client with all their care.
#[derive(Debug, Clone)]
pub struct GeneratedClient {
    /// The client (residence history includes any move).
    pub client: Client,
    /// Beschikkingen.
    pub beschikkingen: Vec<Beschikking>,
    /// Toewijzingen with `(lot id, municipality filed under)`.
    pub toewijzingen: Vec<(Toewijzing, String, Gemeentecode)>,
    /// Synthetic name, sex and address (in the gemeente lived in at the end).
    pub persoonsgegevens: Persoonsgegevens,
}

/// The calibrated generator.
#[derive(Debug, Clone)]
pub struct Generator {
    cfg: SimConfig,
    lots: Vec<Lot>,
    providers: Vec<Vec<AgbCode>>,
    /// Home municipality columns: members, then an outside-region code.
    homes: Vec<Gemeentecode>,
    /// Names of `homes`, the woonplaats of synthetic addresses.
    home_names: Vec<String>,
    home_weights: Vec<u64>,
    members: usize,
    options: Vec<ProductOption>,
    multi_permille: u64,
    move_permille: u64,
    horizon: Period,
    bsn_prefix: u32,
    next: u64,
    funding: Vec<FundingVariant>,
}

/// A municipality outside the region for clients with an outside address
/// ("Buiten regio"): Utrecht (0344) unless it is a member, then Zwolle (0193),
/// then Amsterdam (0363); with its name.
fn outside_code(region: &Region) -> (Gemeentecode, &'static str) {
    [
        ("0344", "Utrecht"),
        ("0193", "Zwolle"),
        ("0363", "Amsterdam"),
    ]
    .iter()
    .map(|(c, n)| (c.parse::<Gemeentecode>().expect("valid code"), *n))
    .find(|(g, _)| !region.is_member(*g))
    .expect("a region cannot hold all three")
}

impl Generator {
    /// Builds a generator for a region. `contracts` maps lot id → addressee AGB codes.
    pub fn new(
        region: &Region,
        lots: &[Lot],
        contracts: &BTreeMap<String, Vec<AgbCode>>,
        profile: Option<&PopulationProfile>,
        cfg: SimConfig,
    ) -> Result<Self, SimError> {
        if cfg.months == 0 {
            return Err(SimError::NoMonths);
        }
        let members = region.municipalities().len();
        let mut homes: Vec<Gemeentecode> = region.municipalities().iter().map(|m| m.code).collect();
        let mut home_names: Vec<String> = region
            .municipalities()
            .iter()
            .map(|m| m.name.clone())
            .collect();
        let (outside, outside_name) = outside_code(region);
        homes.push(outside);
        home_names.push(outside_name.to_string());
        let mut options = Vec::new();
        let (home_weights, multi_permille, move_permille) = match profile {
            // A profile with product rows calibrates the product mix; one with
            // only client totals (Meierij) falls through to the uniform mix below.
            Some(p) if !p.products.is_empty() => {
                for pp in &p.products {
                    let (li, pi) = find_product(lots, &pp.product)
                        .ok_or_else(|| SimError::UnknownProduct(pp.product.clone()))?;
                    let mut weights: Vec<u64> = homes[..members]
                        .iter()
                        .map(|g| u64::from(pp.by_municipality.get(g).copied().unwrap_or(0)))
                        .collect();
                    weights.push(u64::from(pp.outside_region));
                    options.push(ProductOption {
                        lot: li,
                        product: pi,
                        mean_age: pp.mean_age.and_then(|a| a.round().to_i64()).unwrap_or(45),
                        first_weights: Vec::new(),
                        weights,
                    });
                }
                let mut hw: Vec<u64> = homes[..members]
                    .iter()
                    .map(|g| u64::from(p.municipality_totals.get(g).copied().unwrap_or(0)))
                    .collect();
                hw.push(u64::from(p.unique_outside_region.unwrap_or(0)));
                // Several products: row totals exceed the unique total by the extra assignments.
                let rows: u64 = p.products.iter().map(|x| u64::from(x.unique_total)).sum();
                let uniq = u64::from(p.unique_total.max(1));
                let multi = rows.saturating_sub(uniq) * 1000 / uniq;
                // Movers: municipality columns exceed the regional unique count by clients counted twice.
                let col_sum: u64 = hw[..members].iter().sum();
                let moves = match p.unique_in_region {
                    Some(r) if r > 0 => col_sum.saturating_sub(u64::from(r)) * 1000 / u64::from(r),
                    _ => DEFAULT_MOVE_PERMILLE,
                };
                if hw.iter().all(|w| *w == 0) {
                    hw = vec![1; members];
                    hw.push(0);
                }
                (hw, multi, moves)
            }
            _ => {
                // No product figures: every product equally likely everywhere,
                // municipalities weighted by the profile's client totals if any.
                for (li, lot) in lots.iter().enumerate() {
                    for pi in 0..lot.products.len() {
                        let mut w = vec![1; members];
                        w.push(0);
                        options.push(ProductOption {
                            lot: li,
                            product: pi,
                            mean_age: 45,
                            first_weights: Vec::new(),
                            weights: w,
                        });
                    }
                }
                let mut hw: Vec<u64> = match profile {
                    Some(p) if p.municipality_totals.values().any(|n| *n > 0) => homes[..members]
                        .iter()
                        .map(|g| u64::from(p.municipality_totals.get(g).copied().unwrap_or(0)))
                        .collect(),
                    _ => vec![1; members],
                };
                hw.push(0);
                for o in &mut options {
                    o.weights = hw.iter().map(|w| u64::from(*w > 0)).collect();
                }
                (hw, DEFAULT_MULTI_PERMILLE, DEFAULT_MOVE_PERMILLE)
            }
        };
        if options.is_empty() {
            return Err(SimError::NoProducts(region.id().to_string()));
        }
        for col in 0..homes.len() {
            let w: Vec<u64> = options.iter().map(|o| o.weights[col]).collect();
            let f = calibrate_first(&w, multi_permille);
            for (o, fw) in options.iter_mut().zip(f) {
                o.first_weights.push(fw);
            }
        }
        let mut providers = Vec::with_capacity(lots.len());
        for lot in lots {
            providers.push(contracts.get(&lot.id).cloned().unwrap_or_default());
        }
        for o in &options {
            if providers[o.lot].is_empty() {
                return Err(SimError::NoProvider(lots[o.lot].id.clone()));
            }
        }
        let horizon_end = {
            let mut m = cfg.start;
            for _ in 1..cfg.months {
                m = m.next();
            }
            m.last_day()
        };
        let horizon = Period::new(cfg.start.first_day(), Some(horizon_end)).expect("ordered");
        // BSN numbers come from a seed- and region-dependent block of prefixes.
        let mut h = Rng::new(
            cfg.seed,
            region
                .id()
                .bytes()
                .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b))),
        );
        let bsn_prefix = 10_000_000 + h.below(40_000_000) as u32;
        Ok(Generator {
            funding: lots.iter().map(|l| l.funding).collect(),
            lots: lots.to_vec(),
            providers,
            homes,
            home_names,
            home_weights,
            members,
            options,
            multi_permille,
            move_permille,
            horizon,
            bsn_prefix,
            next: 0,
            cfg,
        })
    }

    /// The simulated period.
    pub fn horizon(&self) -> Period {
        self.horizon
    }

    /// Clients still to come.
    pub fn remaining(&self) -> u64 {
        self.cfg.clients - self.next
    }

    fn generate(&mut self, i: u64, bsn: Bsn) -> GeneratedClient {
        let mut rng = Rng::new(self.cfg.seed, i + 1);
        let hs = self.horizon.start();
        let he = self.horizon.end().expect("closed");
        let span = (he - hs).num_days() as u64 + 1;

        let home = rng.weighted(&self.home_weights).expect("weights");
        let weights: Vec<u64> = self.options.iter().map(|o| o.weights[home]).collect();
        let first_weights: Vec<u64> = self.options.iter().map(|o| o.first_weights[home]).collect();
        // A home column can have zero demand for every product (tiny columns); fall back to all.
        let first = rng
            .weighted(&first_weights)
            .or_else(|| {
                rng.weighted(
                    &self
                        .options
                        .iter()
                        .map(|o| o.weights.iter().sum())
                        .collect::<Vec<u64>>(),
                )
            })
            .expect("options non-empty");
        let mut chosen = vec![first];
        if self.options.len() > 1 && rng.chance(self.multi_permille, 1000) {
            let mut w = weights.clone();
            w[first] = 0;
            if let Some(second) = rng.weighted(&w) {
                chosen.push(second);
            }
        }

        let age = (self.options[first].mean_age * 1000 + AGE_SD_YEARS * rng.normal_milli()) / 1000;
        let age = age.clamp(MIN_AGE, MAX_AGE);
        let birth = hs
            .checked_sub_days(Days::new(age as u64 * 365 + rng.below(365)))
            .expect("date");
        let birth = birth.with_day(birth.day().min(28)).unwrap_or(birth);

        // Care periods overlapping the horizon.
        let mut periods = Vec::new();
        for _ in &chosen {
            let start = if rng.chance(ONGOING_PERMILLE, 1000) {
                hs - Days::new(1 + rng.below(365))
            } else {
                hs + Days::new(rng.below(span))
            };
            let mut end = start + Days::new(90 + rng.below(640));
            if end < hs {
                end = hs + Days::new(rng.below(span));
            }
            periods.push(Period::new(start, Some(end)).expect("ordered"));
        }
        let earliest = periods.iter().map(|p| p.start()).min().expect("one");
        let home_code = self.homes[home];
        let mut client = Client::new(bsn, birth, home_code, earliest - Days::new(365));

        // A mover changes municipality inside the horizon (members only).
        let mut move_to: Option<(Gemeentecode, NaiveDate)> = None;
        let mut lives_in = home;
        if home < self.members && self.members > 1 && rng.chance(self.move_permille, 1000) {
            let mut w = self.home_weights[..self.members].to_vec();
            w[home] = 0;
            if let Some(dest) = rng.weighted(&w) {
                let date = hs + Days::new(1 + rng.below(span.saturating_sub(1).max(1)));
                let date = date.min(he);
                if client.move_to(self.homes[dest], date).is_ok() {
                    move_to = Some((self.homes[dest], date));
                    lives_in = dest;
                }
            }
        }

        let mut beschikkingen = Vec::new();
        let mut toewijzingen = Vec::new();
        for (k, (oi, period)) in chosen.iter().zip(periods).enumerate() {
            let o = &self.options[*oi];
            let lot = &self.lots[o.lot];
            let product = &lot.products[o.product];
            let pref = ProductRef {
                categorie: product.categorie(),
                code: product.code(),
            };
            let omvang = omvang_for(self.funding[o.lot], product);
            let bid = format!("B{bsn}-{}", k + 1);
            let decided = period.start() - Days::new(7 + rng.below(21));
            beschikkingen.push(Beschikking {
                id: bid.clone(),
                client: bsn,
                aard: product.name().to_string(),
                product: pref,
                intensiteit: omvang,
                duur: period,
                decided_on: decided,
                motivation: format!("Onderzoek wijst uit dat {} nodig is voor zelfredzaamheid en participatie (art. 2.3.5 Wmo 2015).", product.name()),
                rechtsmiddelen: "Bezwaar binnen zes weken na dagtekening (art. 6:7 Awb).".to_string(),
            });
            let provs = &self.providers[o.lot];
            let provider = provs[rng.below(provs.len() as u64) as usize];
            let scope = match omvang {
                Some(o) => Scope::Volume(o),
                None => Scope::Unspecified,
            };
            let tid = format!("T{bsn}-{}", k + 1);
            let base = Toewijzing {
                id: tid.clone(),
                beschikking_id: bid,
                client: bsn,
                provider,
                product: pref,
                scope,
                period,
                reden_wijziging: None,
            };
            match move_to {
                Some((dest, date)) if period.start() < date && period.contains(date) => {
                    let before = Toewijzing {
                        period: Period::new(period.start(), Some(date - Days::new(1)))
                            .expect("ordered"),
                        // WMO002 reden 07: verhuizing naar een andere gemeente (end = move date − 1).
                        reden_wijziging: Some(RedenWijziging(7)),
                        ..base.clone()
                    };
                    let after = Toewijzing {
                        id: format!("{tid}v"),
                        period: Period::new(date, period.end()).expect("ordered"),
                        ..base
                    };
                    toewijzingen.push((before, lot.id.clone(), home_code));
                    toewijzingen.push((after, lot.id.clone(), dest));
                }
                Some((dest, date)) if period.start() >= date => {
                    toewijzingen.push((base, lot.id.clone(), dest));
                }
                _ => toewijzingen.push((base, lot.id.clone(), home_code)),
            }
        }
        // Its own stream (keyed on the BSN), so adding it changed no care draw.
        let persoonsgegevens = persoon::persoonsgegevens(
            self.cfg.seed,
            u64::from(bsn.value()),
            &self.home_names[lives_in],
        );
        GeneratedClient {
            client,
            beschikkingen,
            toewijzingen,
            persoonsgegevens,
        }
    }
}

/// Weights for the first product such that, when a share `multi_permille` of
/// clients draws a second product from `target` (without the first), every
/// product's expected share of all assignments equals its share of `target`.
///
/// Drawing both from `target` would over-represent small products (a second
/// draw that excludes a big first product lands on small ones more often);
/// this solves `f_p + m·s_p(f) = (1+m)·t_p` by fixed-point iteration, where
/// `s_p(f) = Σ_q f_q · t_p / (1 − t_q)` is the second-draw distribution.
/// Weights are simulation parameters, not money, so floats are fine here.
pub fn calibrate_first(target: &[u64], multi_permille: u64) -> Vec<u64> {
    let total: u64 = target.iter().sum();
    if total == 0 || target.len() < 2 {
        return target.to_vec();
    }
    let t: Vec<f64> = target.iter().map(|w| *w as f64 / total as f64).collect();
    let m = multi_permille as f64 / 1000.0;
    let mut f = t.clone();
    for _ in 0..50 {
        let mut s = vec![0.0; t.len()];
        for (q, fq) in f.iter().enumerate() {
            if t[q] >= 1.0 {
                continue;
            }
            for (p, tp) in t.iter().enumerate() {
                if p != q {
                    s[p] += fq * tp / (1.0 - t[q]);
                }
            }
        }
        let mut next: Vec<f64> = t
            .iter()
            .zip(&s)
            .map(|(tp, sp)| ((1.0 + m) * tp - m * sp).max(0.0))
            .collect();
        let norm: f64 = next.iter().sum();
        if norm <= 0.0 {
            return target.to_vec();
        }
        next.iter_mut().for_each(|x| *x /= norm);
        f = next;
    }
    f.iter().map(|x| (x * 1e9).round() as u64).collect()
}

/// The ordered volume a simulated toewijzing carries, by funding variant and unit.
fn omvang_for(funding: FundingVariant, p: &Product) -> Option<Omvang> {
    match funding {
        FundingVariant::Taakgericht => None,
        FundingVariant::Outputgericht => Some(Omvang {
            volume: 1,
            unit: Unit::StuksOutput,
            frequentie: Frequentie::PerMaand,
        }),
        FundingVariant::Inspanningsgericht => Some(match p.unit() {
            Unit::Hour | Unit::Minute => {
                let hours = p
                    .level()
                    .and_then(|l| {
                        HOURS_PER_WEEK_BY_LEVEL
                            .iter()
                            .find(|(n, _)| *n == l)
                            .map(|(_, h)| *h)
                    })
                    .unwrap_or(DEFAULT_HOURS_PER_WEEK);
                let (volume, unit) = if p.unit() == Unit::Minute {
                    (hours * 60, Unit::Minute)
                } else {
                    (hours, Unit::Hour)
                };
                Omvang {
                    volume,
                    unit,
                    frequentie: Frequentie::PerWeek,
                }
            }
            Unit::Dagdeel => Omvang {
                volume: 4,
                unit: Unit::Dagdeel,
                frequentie: Frequentie::PerWeek,
            },
            Unit::Etmaal => Omvang {
                volume: 31,
                unit: Unit::Etmaal,
                frequentie: Frequentie::PerMaand,
            },
            Unit::StuksInspanning | Unit::StuksOutput => Omvang {
                volume: 1,
                unit: p.unit(),
                frequentie: Frequentie::PerMaand,
            },
            Unit::Euro => return None,
        }),
    }
}

fn find_product(lots: &[Lot], key: &str) -> Option<(usize, usize)> {
    lots.iter().enumerate().find_map(|(li, l)| {
        l.products
            .iter()
            .position(|p| p.key() == key)
            .map(|pi| (li, pi))
    })
}

impl Iterator for Generator {
    type Item = GeneratedClient;
    fn next(&mut self) -> Option<GeneratedClient> {
        if self.next >= self.cfg.clients {
            return None;
        }
        // Walk the prefix block; about 1 in 11 prefixes has no valid check digit.
        let bsn = loop {
            let p = self.bsn_prefix;
            self.bsn_prefix += 1;
            if let Some(b) = Bsn::complete(p) {
                break b;
            }
        };
        let i = self.next;
        self.next += 1;
        Some(self.generate(i, bsn))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.remaining() as usize;
        (n, Some(n))
    }
}

#[cfg(test)]
mod tests;
