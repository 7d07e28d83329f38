//! Waiting lists per product and provider, with waiting-time statistics for
//! the quarterly contract talks ("nemen de wachtlijsten en -tijden af?", seed 003).

use chrono::NaiveDate;
use regie_domain::{AgbCode, Bsn};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// How urgent a placement is; higher urgency is served first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgentie {
    /// Regular.
    Regulier,
    /// Urgent: placement has priority.
    Urgent,
    /// Crisis: placement as soon as any place frees.
    Crisis,
}

/// A client waiting for a product at a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingEntry {
    /// Case id.
    pub case_id: String,
    /// Client.
    pub client: Bsn,
    /// Product key (productcode or categorie).
    pub product: String,
    /// Provider waited for.
    pub provider: AgbCode,
    /// Date of the request (toewijzing or DAT-bepaling).
    pub aangevraagd_op: NaiveDate,
    /// Urgency.
    pub urgentie: Urgentie,
    /// Provider of overbruggingszorg meanwhile, if any.
    pub overbrugging: Option<AgbCode>,
}

/// An entry that left the list by placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedEntry {
    /// The entry.
    pub entry: WaitingEntry,
    /// Placement date.
    pub geplaatst_op: NaiveDate,
}

impl PlacedEntry {
    /// Days waited.
    pub fn waited_days(&self) -> i64 {
        (self.geplaatst_op - self.entry.aangevraagd_op).num_days()
    }
}

/// Waiting list problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WaitlistError {
    /// The client already waits for this product at this provider.
    #[error("case {case_id} already waits for {product} at {provider}")]
    AlreadyWaiting {
        /// Case.
        case_id: String,
        /// Product.
        product: String,
        /// Provider.
        provider: AgbCode,
    },
    /// No matching entry.
    #[error("case {case_id} does not wait for {product} at {provider}")]
    NotWaiting {
        /// Case.
        case_id: String,
        /// Product.
        product: String,
        /// Provider.
        provider: AgbCode,
    },
    /// The case is not on the list at all.
    #[error("case {0} is not on the waiting list")]
    UnknownCase(String),
    /// Leaving the list before joining it.
    #[error("leaving on {on} precedes the request of {requested}")]
    BeforeRequest {
        /// Request date.
        requested: NaiveDate,
        /// Offered date.
        on: NaiveDate,
    },
}

/// Waiting-time norms per product in days (e.g. 183 days for BW placement).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitNorms {
    /// Norm for products without their own.
    pub default_days: Option<u32>,
    /// Per product key.
    #[serde(default)]
    pub per_product: BTreeMap<String, u32>,
}

impl WaitNorms {
    /// The norm for a product.
    pub fn for_product(&self, product: &str) -> Option<u32> {
        self.per_product.get(product).copied().or(self.default_days)
    }
}

/// Waiting-time statistics of one product at one provider on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitStats {
    /// Product key.
    pub product: String,
    /// Provider.
    pub provider: AgbCode,
    /// Clients waiting.
    pub waiting: usize,
    /// Mean waiting days, one decimal.
    pub mean_days: Decimal,
    /// Median waiting days (mean of the middle two for even counts).
    pub median_days: Decimal,
    /// Longest wait in days.
    pub max_days: i64,
    /// The norm applied, if any.
    pub norm_days: Option<u32>,
    /// Clients waiting longer than the norm.
    pub over_norm: usize,
    /// Clients receiving overbruggingszorg.
    pub with_overbrugging: usize,
}

/// The waiting list of a region (all products and providers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingList {
    waiting: Vec<WaitingEntry>,
    placed: Vec<PlacedEntry>,
    left: Vec<(WaitingEntry, NaiveDate)>,
}

fn queue_key(e: &WaitingEntry) -> (std::cmp::Reverse<Urgentie>, NaiveDate, String) {
    (
        std::cmp::Reverse(e.urgentie),
        e.aangevraagd_op,
        e.case_id.clone(),
    )
}

impl WaitingList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts a client on the list.
    pub fn add(&mut self, entry: WaitingEntry) -> Result<(), WaitlistError> {
        if self.waiting.iter().any(|e| {
            e.case_id == entry.case_id && e.product == entry.product && e.provider == entry.provider
        }) {
            return Err(WaitlistError::AlreadyWaiting {
                case_id: entry.case_id,
                product: entry.product,
                provider: entry.provider,
            });
        }
        self.waiting.push(entry);
        Ok(())
    }

    /// Places a client: the entry leaves the list, and the client's entries for
    /// the same product at other providers are withdrawn on the same day.
    pub fn place(
        &mut self,
        case_id: &str,
        product: &str,
        provider: AgbCode,
        on: NaiveDate,
    ) -> Result<PlacedEntry, WaitlistError> {
        let i = self
            .waiting
            .iter()
            .position(|e| e.case_id == case_id && e.product == product && e.provider == provider)
            .ok_or_else(|| WaitlistError::NotWaiting {
                case_id: case_id.into(),
                product: product.into(),
                provider,
            })?;
        if on < self.waiting[i].aangevraagd_op {
            return Err(WaitlistError::BeforeRequest {
                requested: self.waiting[i].aangevraagd_op,
                on,
            });
        }
        let entry = self.waiting.remove(i);
        let placed = PlacedEntry {
            entry,
            geplaatst_op: on,
        };
        self.placed.push(placed.clone());
        let (others, keep): (Vec<_>, Vec<_>) = self
            .waiting
            .drain(..)
            .partition(|e| e.case_id == case_id && e.product == product);
        self.waiting = keep;
        self.left.extend(
            others
                .into_iter()
                .map(|e| (e.clone(), on.max(e.aangevraagd_op))),
        );
        Ok(placed)
    }

    /// Removes all entries of a case without placement (withdrawal, Wlz, move).
    pub fn withdraw(&mut self, case_id: &str, on: NaiveDate) -> Result<usize, WaitlistError> {
        let (gone, keep): (Vec<_>, Vec<_>) =
            self.waiting.drain(..).partition(|e| e.case_id == case_id);
        self.waiting = keep;
        if gone.is_empty() {
            return Err(WaitlistError::UnknownCase(case_id.into()));
        }
        let n = gone.len();
        self.left.extend(
            gone.into_iter()
                .map(|e| (e.clone(), on.max(e.aangevraagd_op))),
        );
        Ok(n)
    }

    /// Records overbruggingszorg for all entries of a case.
    pub fn set_overbrugging(
        &mut self,
        case_id: &str,
        provider: Option<AgbCode>,
    ) -> Result<(), WaitlistError> {
        let mut found = false;
        for e in self.waiting.iter_mut().filter(|e| e.case_id == case_id) {
            e.overbrugging = provider;
            found = true;
        }
        if found {
            Ok(())
        } else {
            Err(WaitlistError::UnknownCase(case_id.into()))
        }
    }

    /// Entries currently waiting.
    pub fn entries(&self) -> &[WaitingEntry] {
        &self.waiting
    }

    /// Placements so far.
    pub fn placed(&self) -> &[PlacedEntry] {
        &self.placed
    }

    /// The queue for a product at a provider: crisis first, then urgent, then
    /// by request date.
    pub fn queue(&self, product: &str, provider: AgbCode) -> Vec<&WaitingEntry> {
        let mut q: Vec<&WaitingEntry> = self
            .waiting
            .iter()
            .filter(|e| e.product == product && e.provider == provider)
            .collect();
        q.sort_by_key(|e| queue_key(e));
        q
    }

    /// 1-based queue position of a case.
    pub fn position(&self, case_id: &str, product: &str, provider: AgbCode) -> Option<usize> {
        self.queue(product, provider)
            .iter()
            .position(|e| e.case_id == case_id)
            .map(|i| i + 1)
    }

    /// How many wait for a product at a provider now.
    pub fn waiting_for(&self, product: &str, provider: AgbCode) -> usize {
        self.waiting
            .iter()
            .filter(|e| e.product == product && e.provider == provider)
            .count()
    }

    /// Entries that were waiting on `as_of`: requested by then and not yet
    /// placed or withdrawn on that day.
    fn waiting_on(&self, as_of: NaiveDate) -> impl Iterator<Item = &WaitingEntry> {
        let current = self
            .waiting
            .iter()
            .filter(move |e| e.aangevraagd_op <= as_of);
        let placed = self
            .placed
            .iter()
            .filter(move |p| p.entry.aangevraagd_op <= as_of && p.geplaatst_op > as_of)
            .map(|p| &p.entry);
        let left = self
            .left
            .iter()
            .filter(move |(e, on)| e.aangevraagd_op <= as_of && *on > as_of)
            .map(|(e, _)| e);
        current.chain(placed).chain(left)
    }

    /// Statistics per product and provider of everyone waiting on `as_of`,
    /// sorted by product then provider.
    pub fn stats(&self, as_of: NaiveDate, norms: &WaitNorms) -> Vec<WaitStats> {
        let mut groups: BTreeMap<(String, AgbCode), Vec<(i64, bool)>> = BTreeMap::new();
        for e in self.waiting_on(as_of) {
            groups
                .entry((e.product.clone(), e.provider))
                .or_default()
                .push((
                    (as_of - e.aangevraagd_op).num_days(),
                    e.overbrugging.is_some(),
                ));
        }
        groups
            .into_iter()
            .map(|((product, provider), v)| {
                let mut days: Vec<i64> = v.iter().map(|(d, _)| *d).collect();
                days.sort_unstable();
                let n = days.len();
                let sum: i64 = days.iter().sum();
                let mean = (Decimal::from(sum) / Decimal::from(n as u64)).round_dp(1);
                let median = if n % 2 == 1 {
                    Decimal::from(days[n / 2])
                } else {
                    (Decimal::from(days[n / 2 - 1] + days[n / 2]) / Decimal::TWO).round_dp(1)
                };
                let norm = norms.for_product(&product);
                WaitStats {
                    over_norm: norm
                        .map_or(0, |nd| days.iter().filter(|d| **d > i64::from(nd)).count()),
                    with_overbrugging: v.iter().filter(|(_, b)| *b).count(),
                    waiting: n,
                    mean_days: mean,
                    median_days: median,
                    max_days: *days.last().expect("non-empty group"),
                    norm_days: norm,
                    product,
                    provider,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn agb(s: &str) -> AgbCode {
        s.parse().unwrap()
    }
    fn e(case: &str, provider: &str, on: NaiveDate, u: Urgentie) -> WaitingEntry {
        WaitingEntry {
            case_id: case.into(),
            client: "111222333".parse().unwrap(),
            product: "BW01".into(),
            provider: agb(provider),
            aangevraagd_op: on,
            urgentie: u,
            overbrugging: None,
        }
    }

    #[test]
    fn queue_orders_by_urgency_then_date() {
        let mut w = WaitingList::new();
        w.add(e("A", "11111111", d(2025, 1, 1), Urgentie::Regulier))
            .unwrap();
        w.add(e("B", "11111111", d(2025, 2, 1), Urgentie::Crisis))
            .unwrap();
        w.add(e("C", "11111111", d(2024, 12, 1), Urgentie::Regulier))
            .unwrap();
        assert_eq!(w.position("B", "BW01", agb("11111111")), Some(1));
        assert_eq!(w.position("C", "BW01", agb("11111111")), Some(2));
        assert_eq!(w.position("A", "BW01", agb("11111111")), Some(3));
        assert!(matches!(
            w.add(e("A", "11111111", d(2025, 3, 1), Urgentie::Urgent)),
            Err(WaitlistError::AlreadyWaiting { .. })
        ));
    }

    #[test]
    fn stats_as_of_a_date_and_placement() {
        let mut w = WaitingList::new();
        w.add(e("A", "11111111", d(2025, 1, 1), Urgentie::Regulier))
            .unwrap();
        w.add(e("B", "11111111", d(2025, 3, 1), Urgentie::Regulier))
            .unwrap();
        w.add(e("C", "11111111", d(2025, 5, 1), Urgentie::Regulier))
            .unwrap();
        w.add(e("C", "22222222", d(2025, 5, 1), Urgentie::Regulier))
            .unwrap();
        w.set_overbrugging("A", Some(agb("33333333"))).unwrap();
        let norms = WaitNorms {
            default_days: Some(100),
            per_product: BTreeMap::new(),
        };
        // On 2025-06-01: A waits 151, B 92, C 31 days at provider 1.
        let s = w.stats(d(2025, 6, 1), &norms);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].waiting, 3);
        assert_eq!(s[0].max_days, 151);
        assert_eq!(s[0].median_days, Decimal::from(92));
        assert_eq!(s[0].mean_days, Decimal::new(913, 1));
        assert_eq!(s[0].over_norm, 1);
        assert_eq!(s[0].with_overbrugging, 1);
        // C is placed at provider 2: both of C's entries leave.
        let p = w
            .place("C", "BW01", agb("22222222"), d(2025, 6, 15))
            .unwrap();
        assert_eq!(p.waited_days(), 45);
        assert_eq!(w.waiting_for("BW01", agb("11111111")), 2);
        assert_eq!(w.waiting_for("BW01", agb("22222222")), 0);
        // History is kept: as of 2025-06-01 C still counted, as of 2025-07-01 not.
        assert_eq!(w.stats(d(2025, 6, 1), &norms)[0].waiting, 3);
        let later = w.stats(d(2025, 7, 1), &norms);
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].waiting, 2);
        // Even count median: A 181, B 122 → 151.5.
        assert_eq!(later[0].median_days, Decimal::new(1515, 1));
        assert!(matches!(
            w.place("C", "BW01", agb("22222222"), d(2025, 7, 1)),
            Err(WaitlistError::NotWaiting { .. })
        ));
        assert!(matches!(
            w.place("A", "BW01", agb("11111111"), d(2024, 7, 1)),
            Err(WaitlistError::BeforeRequest { .. })
        ));
        assert_eq!(w.withdraw("B", d(2025, 8, 1)).unwrap(), 1);
        assert!(w.withdraw("B", d(2025, 8, 1)).is_err());
    }
}
