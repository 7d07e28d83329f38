//! Beschikking (the legal decision) and toewijzing (the order to a provider).

use crate::ids::{AgbCode, Bsn, ProductCategorie, ProductCode};
use crate::money::Money;
use crate::period::Period;
use crate::product::{Frequentie, Unit};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use thiserror::Error;

/// The ordered volume of a toewijzing: `volume` `unit` per `frequentie`
/// (iWmo `Omvang`: Volume, Eenheid, Frequentie).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Omvang {
    /// Amount of units.
    pub volume: u32,
    /// Unit.
    pub unit: Unit,
    /// Frequency.
    pub frequentie: Frequentie,
}

/// The product a beschikking or toewijzing concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProductRef {
    /// Category (always present).
    pub categorie: ProductCategorie,
    /// Code (absent for orders at category level, "aspecifiek").
    pub code: Option<ProductCode>,
}

impl ProductRef {
    /// The key used across the system: code if present, else categorie.
    pub fn key(&self) -> String {
        self.code
            .map(|c| c.to_string())
            .unwrap_or_else(|| self.categorie.to_string())
    }
}

/// The legal decision on a client's request: what support (aard),
/// how much (intensiteit), for how long (duur), with its motivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beschikking {
    /// Identifier (beschikkingnummer).
    pub id: String,
    /// Client.
    pub client: Bsn,
    /// Aard: the kind of support granted, in words.
    pub aard: String,
    /// The product granted.
    pub product: ProductRef,
    /// Intensiteit: volume granted (absent for taakgericht/output at category level).
    pub intensiteit: Option<Omvang>,
    /// Duur: validity.
    pub duur: Period,
    /// Date of the decision (dagtekening).
    pub decided_on: NaiveDate,
    /// Legal motivation (overwegingen, wettelijke grondslag).
    pub motivation: String,
    /// Bezwaar clause (rechtsmiddelenclausule) shown to the client.
    pub rechtsmiddelen: String,
}

/// An iWmo reden wijziging toewijzing (codelijst WMO002), carried on changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedenWijziging(pub u8);

/// Toewijzing problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CareError {
    /// The toewijzing period falls outside the beschikking's duur.
    #[error("toewijzing {toewijzing} ({period}) lies outside beschikking {beschikking} ({duur})")]
    OutsideBeschikking {
        /// Toewijzing.
        toewijzing: String,
        /// Its period.
        period: Period,
        /// Beschikking.
        beschikking: String,
        /// Its duur.
        duur: Period,
    },
    /// Client or product of toewijzing and beschikking differ.
    #[error("toewijzing {0} does not match its beschikking's client or product")]
    Mismatch(String),
    /// Two toewijzingen for the same client, product and provider overlap in time.
    #[error("toewijzing {new} overlaps {existing} for the same client, product and provider")]
    Overlap {
        /// The rejected one.
        new: String,
        /// The one already there.
        existing: String,
    },
    /// Neither volume nor budget where one is needed, or both.
    #[error("toewijzing {0} must carry either an omvang or a budget, not both")]
    VolumeOrBudget(String),
    /// Unknown toewijzing.
    #[error("toewijzing {0} not found")]
    NotFound(String),
    /// Ending date before start.
    #[error("toewijzing {id}: end {end} before start {start}")]
    EndBeforeStart {
        /// Toewijzing.
        id: String,
        /// Start.
        start: NaiveDate,
        /// Requested end.
        end: NaiveDate,
    },
}

/// What a toewijzing orders: a volume, a budget, or (taakgericht/output at
/// category level) nothing per client beyond the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Volume × unit × frequency.
    Volume(Omvang),
    /// A budget in euros.
    Budget(Money),
    /// No volume (taakgericht; outputgericht fixed fee per month).
    Unspecified,
}

/// An order (toewijzing) to a provider to deliver a product to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toewijzing {
    /// ToewijzingNummer.
    pub id: String,
    /// Beschikking this order executes.
    pub beschikking_id: String,
    /// Client.
    pub client: Bsn,
    /// Provider addressed (the hoofdaannemer for consortia).
    pub provider: AgbCode,
    /// Product.
    pub product: ProductRef,
    /// What is ordered.
    pub scope: Scope,
    /// Validity.
    pub period: Period,
    /// Reason of the last change, if changed.
    pub reden_wijziging: Option<RedenWijziging>,
}

impl Toewijzing {
    /// Checks the toewijzing against its beschikking.
    pub fn check_against(&self, b: &Beschikking) -> Result<(), CareError> {
        if self.client != b.client || self.product.categorie != b.product.categorie {
            return Err(CareError::Mismatch(self.id.clone()));
        }
        if !b.duur.covers(&self.period) {
            return Err(CareError::OutsideBeschikking {
                toewijzing: self.id.clone(),
                period: self.period,
                beschikking: b.id.clone(),
                duur: b.duur,
            });
        }
        Ok(())
    }

    /// The total units ordered within a window, for volume checks. Per-week
    /// volumes count whole weeks and a pro-rated part week (days/7).
    pub fn units_allowed(&self, window: &Period) -> Option<Decimal> {
        let Scope::Volume(o) = self.scope else {
            return None;
        };
        let overlap = self.period.intersect(window)?;
        let days = Decimal::from(overlap.days()?);
        let v = Decimal::from(o.volume);
        Some(match o.frequentie {
            Frequentie::PerDag => v * days,
            Frequentie::PerWeek => v * days / Decimal::from(7),
            Frequentie::PerMaand => {
                // Volume per calendar month, pro rata for part months.
                let mut total = Decimal::ZERO;
                let first = crate::period::YearMonth::of(overlap.start());
                let last = crate::period::YearMonth::of(overlap.end().expect("closed"));
                for m in first.through(last) {
                    let part = m
                        .period()
                        .intersect(&overlap)
                        .and_then(|p| p.days())
                        .unwrap_or(0);
                    total += v * Decimal::from(part) / Decimal::from(m.days());
                }
                total
            }
            Frequentie::Totaal => v,
        })
    }
}

/// The set of toewijzingen of a region, enforcing the no-overlap rule
/// (iWmo OP259: no stacked toewijzingen for the same client, product and provider).
#[derive(Debug, Default, Clone)]
pub struct ToewijzingBook {
    by_id: HashMap<String, Toewijzing>,
    by_key: HashMap<(Bsn, ProductRef, AgbCode), Vec<String>>,
}

impl ToewijzingBook {
    /// Empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a toewijzing after checking its beschikking and overlaps.
    pub fn add(&mut self, t: Toewijzing, b: &Beschikking) -> Result<(), CareError> {
        t.check_against(b)?;
        let key = (t.client, t.product, t.provider);
        if let Some(ids) = self.by_key.get(&key) {
            for id in ids {
                let other = &self.by_id[id];
                if other.period.overlaps(&t.period) {
                    return Err(CareError::Overlap {
                        new: t.id.clone(),
                        existing: id.clone(),
                    });
                }
            }
        }
        self.by_key.entry(key).or_default().push(t.id.clone());
        self.by_id.insert(t.id.clone(), t);
        Ok(())
    }

    /// Ends a toewijzing early (intrekking/beëindiging).
    pub fn end(
        &mut self,
        id: &str,
        end: NaiveDate,
        reden: RedenWijziging,
    ) -> Result<(), CareError> {
        let t = self
            .by_id
            .get_mut(id)
            .ok_or_else(|| CareError::NotFound(id.to_string()))?;
        t.period = t
            .period
            .with_end(end)
            .map_err(|_| CareError::EndBeforeStart {
                id: id.to_string(),
                start: t.period.start(),
                end,
            })?;
        t.reden_wijziging = Some(reden);
        Ok(())
    }

    /// Looks up a toewijzing.
    pub fn get(&self, id: &str) -> Option<&Toewijzing> {
        self.by_id.get(id)
    }

    /// All toewijzingen of a client.
    pub fn for_client(&self, bsn: Bsn) -> impl Iterator<Item = &Toewijzing> {
        self.by_id.values().filter(move |t| t.client == bsn)
    }

    /// Count.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn product() -> ProductRef {
        ProductRef {
            categorie: "02".parse().unwrap(),
            code: Some("02N03".parse().unwrap()),
        }
    }

    fn beschikking() -> Beschikking {
        Beschikking {
            id: "B1".into(),
            client: "111222333".parse().unwrap(),
            aard: "Ambulante begeleiding".into(),
            product: product(),
            intensiteit: None,
            duur: Period::new(d(2025, 1, 1), Some(d(2025, 12, 31))).unwrap(),
            decided_on: d(2024, 12, 15),
            motivation: "test".into(),
            rechtsmiddelen: "bezwaar binnen 6 weken".into(),
        }
    }

    fn tw(id: &str, s: NaiveDate, e: Option<NaiveDate>) -> Toewijzing {
        Toewijzing {
            id: id.into(),
            beschikking_id: "B1".into(),
            client: "111222333".parse().unwrap(),
            provider: "12345678".parse().unwrap(),
            product: product(),
            scope: Scope::Volume(Omvang {
                volume: 3,
                unit: Unit::Hour,
                frequentie: Frequentie::PerWeek,
            }),
            period: Period::new(s, e).unwrap(),
            reden_wijziging: None,
        }
    }

    #[test]
    fn no_overlapping_toewijzingen() {
        let b = beschikking();
        let mut book = ToewijzingBook::new();
        book.add(tw("T1", d(2025, 1, 1), Some(d(2025, 6, 30))), &b)
            .unwrap();
        let err = book
            .add(tw("T2", d(2025, 6, 30), Some(d(2025, 12, 31))), &b)
            .unwrap_err();
        assert!(matches!(err, CareError::Overlap { .. }));
        book.add(tw("T3", d(2025, 7, 1), Some(d(2025, 12, 31))), &b)
            .unwrap();
        assert_eq!(book.len(), 2);
    }

    #[test]
    fn toewijzing_within_beschikking() {
        let b = beschikking();
        let mut book = ToewijzingBook::new();
        assert!(matches!(
            book.add(tw("T1", d(2024, 12, 1), Some(d(2025, 6, 30))), &b),
            Err(CareError::OutsideBeschikking { .. })
        ));
        assert!(matches!(
            book.add(tw("T1", d(2025, 1, 1), None), &b),
            Err(CareError::OutsideBeschikking { .. })
        ));
    }

    #[test]
    fn ending_never_before_start() {
        let b = beschikking();
        let mut book = ToewijzingBook::new();
        book.add(tw("T1", d(2025, 2, 1), Some(d(2025, 6, 30))), &b)
            .unwrap();
        assert!(matches!(
            book.end("T1", d(2025, 1, 31), RedenWijziging(1)),
            Err(CareError::EndBeforeStart { .. })
        ));
        book.end("T1", d(2025, 3, 31), RedenWijziging(1)).unwrap();
        assert_eq!(book.get("T1").unwrap().period.end(), Some(d(2025, 3, 31)));
    }

    #[test]
    fn units_allowed_per_frequency() {
        let t = tw("T1", d(2025, 1, 1), Some(d(2025, 12, 31)));
        let jan = crate::period::YearMonth::new(2025, 1).unwrap().period();
        // 3 hours per week over 31 days = 93/7.
        assert_eq!(t.units_allowed(&jan).unwrap(), dec!(93) / dec!(7));
        let mut m = t.clone();
        m.scope = Scope::Volume(Omvang {
            volume: 10,
            unit: Unit::Hour,
            frequentie: Frequentie::PerMaand,
        });
        assert_eq!(m.units_allowed(&jan).unwrap(), dec!(10));
        let half = Period::new(d(2025, 1, 1), Some(d(2025, 2, 14))).unwrap();
        assert_eq!(m.units_allowed(&half).unwrap(), dec!(15));
    }

    proptest! {
        /// Whatever sequence of toewijzingen is offered, the book never holds two
        /// overlapping ones for the same key.
        #[test]
        fn book_never_holds_overlaps(spans in proptest::collection::vec((0i64..360, 0i64..120), 1..30)) {
            let b = beschikking();
            let mut book = ToewijzingBook::new();
            for (i, (s, len)) in spans.iter().enumerate() {
                let start = d(2025, 1, 1) + chrono::Duration::days(*s);
                let end = (start + chrono::Duration::days(*len)).min(d(2025, 12, 31));
                let _ = book.add(tw(&format!("T{i}"), start, Some(end)), &b);
            }
            let all: Vec<_> = book.for_client("111222333".parse().unwrap()).collect();
            for (i, a) in all.iter().enumerate() {
                for c in &all[i + 1..] {
                    prop_assert!(!a.period.overlaps(&c.period));
                }
            }
        }
    }
}
