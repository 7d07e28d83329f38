//! Complaints (klachten) per provider and municipality, counted per quarter
//! for the quarterly contract talks ("aantal klachten per gemeente", seed 004).

use chrono::{Datelike, NaiveDate};
use regie_domain::{AgbCode, Gemeentecode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Quarter {
    /// Year.
    pub year: i32,
    /// Quarter 1–4.
    pub q: u8,
}

impl Quarter {
    /// The quarter a date falls in.
    pub fn of(d: NaiveDate) -> Self {
        Quarter {
            year: d.year(),
            q: ((d.month() - 1) / 3 + 1) as u8,
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

/// A registered complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// Register number.
    pub id: u32,
    /// Date received.
    pub ontvangen_op: NaiveDate,
    /// Provider complained about.
    pub provider: AgbCode,
    /// Municipality of the client (the paying municipality reports it).
    pub gemeente: Gemeentecode,
    /// Related case, if any.
    pub case_id: Option<String>,
    /// Subject.
    pub onderwerp: String,
    /// Date handled.
    pub afgehandeld_op: Option<NaiveDate>,
}

/// Complaint register problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ComplaintError {
    /// Unknown register number.
    #[error("complaint {0} not found")]
    NotFound(u32),
    /// Handled twice, or before it was received.
    #[error("complaint {id} cannot be handled on {on}")]
    CannotHandle {
        /// Complaint.
        id: u32,
        /// Offered date.
        on: NaiveDate,
    },
}

/// Which complaints to count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintFilter {
    /// Only this provider.
    pub provider: Option<AgbCode>,
    /// Only this municipality.
    pub gemeente: Option<Gemeentecode>,
}

impl ComplaintFilter {
    /// Complaints about one provider.
    pub fn provider(agb: AgbCode) -> Self {
        ComplaintFilter {
            provider: Some(agb),
            gemeente: None,
        }
    }
    /// Complaints from one municipality.
    pub fn gemeente(g: Gemeentecode) -> Self {
        ComplaintFilter {
            provider: None,
            gemeente: Some(g),
        }
    }
    fn matches(&self, c: &Complaint) -> bool {
        self.provider.is_none_or(|p| p == c.provider)
            && self.gemeente.is_none_or(|g| g == c.gemeente)
    }
}

/// The complaint register of a region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintRegister {
    complaints: Vec<Complaint>,
}

impl ComplaintRegister {
    /// An empty register.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a complaint; returns its number.
    pub fn register(
        &mut self,
        ontvangen_op: NaiveDate,
        provider: AgbCode,
        gemeente: Gemeentecode,
        case_id: Option<String>,
        onderwerp: impl Into<String>,
    ) -> u32 {
        let id = self.complaints.len() as u32 + 1;
        self.complaints.push(Complaint {
            id,
            ontvangen_op,
            provider,
            gemeente,
            case_id,
            onderwerp: onderwerp.into(),
            afgehandeld_op: None,
        });
        id
    }

    /// Marks a complaint handled.
    pub fn handle(&mut self, id: u32, on: NaiveDate) -> Result<(), ComplaintError> {
        let c = self
            .complaints
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or(ComplaintError::NotFound(id))?;
        if c.afgehandeld_op.is_some() || on < c.ontvangen_op {
            return Err(ComplaintError::CannotHandle { id, on });
        }
        c.afgehandeld_op = Some(on);
        Ok(())
    }

    /// All complaints.
    pub fn all(&self) -> &[Complaint] {
        &self.complaints
    }

    /// Complaints received per quarter, for those matching the filter.
    /// Quarters without complaints are absent.
    pub fn complaints_per_quarter(&self, filter: ComplaintFilter) -> BTreeMap<Quarter, usize> {
        let mut m = BTreeMap::new();
        for c in self.complaints.iter().filter(|c| filter.matches(c)) {
            *m.entry(Quarter::of(c.ontvangen_op)).or_insert(0) += 1;
        }
        m
    }

    /// Complaints received in a quarter per provider and municipality: the
    /// table for the quarterly contract talk.
    pub fn quarter_table(&self, q: Quarter) -> BTreeMap<(AgbCode, Gemeentecode), usize> {
        let mut m = BTreeMap::new();
        for c in self
            .complaints
            .iter()
            .filter(|c| Quarter::of(c.ontvangen_op) == q)
        {
            *m.entry((c.provider, c.gemeente)).or_insert(0) += 1;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn quarters() {
        assert_eq!(Quarter::of(d(2025, 3, 31)).to_string(), "2025-Q1");
        assert_eq!(Quarter::of(d(2025, 4, 1)).to_string(), "2025-Q2");
        assert_eq!(Quarter::of(d(2025, 12, 31)).to_string(), "2025-Q4");
    }

    #[test]
    fn counts_per_quarter_by_provider_and_municipality() {
        let a: AgbCode = "11111111".parse().unwrap();
        let b: AgbCode = "22222222".parse().unwrap();
        let vught: Gemeentecode = "0865".parse().unwrap();
        let den_bosch: Gemeentecode = "0796".parse().unwrap();
        let mut r = ComplaintRegister::new();
        r.register(d(2025, 1, 10), a, vught, None, "late");
        r.register(d(2025, 3, 31), a, den_bosch, None, "bejegening");
        r.register(d(2025, 4, 1), a, vught, Some("C1".into()), "uitval");
        let id = r.register(d(2025, 5, 1), b, vught, None, "factuur");
        let pa = r.complaints_per_quarter(ComplaintFilter::provider(a));
        assert_eq!(pa.get(&Quarter { year: 2025, q: 1 }), Some(&2));
        assert_eq!(pa.get(&Quarter { year: 2025, q: 2 }), Some(&1));
        let pv = r.complaints_per_quarter(ComplaintFilter::gemeente(vught));
        assert_eq!(pv.get(&Quarter { year: 2025, q: 1 }), Some(&1));
        assert_eq!(pv.get(&Quarter { year: 2025, q: 2 }), Some(&2));
        let t = r.quarter_table(Quarter { year: 2025, q: 2 });
        assert_eq!(t.get(&(a, vught)), Some(&1));
        assert_eq!(t.get(&(b, vught)), Some(&1));
        assert_eq!(t.get(&(a, den_bosch)), None);
        r.handle(id, d(2025, 5, 20)).unwrap();
        assert!(r.handle(id, d(2025, 5, 21)).is_err());
        assert!(r.handle(1, d(2024, 1, 1)).is_err());
        assert_eq!(
            r.handle(99, d(2025, 1, 1)),
            Err(ComplaintError::NotFound(99))
        );
    }
}
