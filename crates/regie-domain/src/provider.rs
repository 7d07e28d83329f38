//! Care providers (zorgaanbieders), their admission evidence and consortium roles.

use crate::ids::{AgbCode, KvkNummer};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Proof that a provider meets a region's admission criteria (toetredingseisen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmissionEvidence {
    /// HKZ certificate valid until.
    pub hkz_valid_until: Option<NaiveDate>,
    /// ISO 9001 certificate valid until.
    pub iso_valid_until: Option<NaiveDate>,
    /// Has a complaints regulation (klachtenregeling) and is member of a geschillencommissie.
    pub complaints_regulation: bool,
    /// Uses the meldcode huiselijk geweld en kindermishandeling.
    pub meldcode: bool,
    /// Complies with the AVG (GDPR): processing agreement, DPO.
    pub avg: bool,
    /// Verklaring Omtrent het Gedrag for staff, checked.
    #[serde(default)]
    pub vog: bool,
}

/// A reason admission fails on a given date.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AdmissionGap {
    /// Neither an HKZ nor an ISO certificate is valid.
    #[error("no valid HKZ or ISO quality certificate on {0}")]
    NoQualityCertificate(NaiveDate),
    /// No complaints regulation.
    #[error("no complaints regulation (klachtenregeling)")]
    NoComplaintsRegulation,
    /// No meldcode.
    #[error("no meldcode huiselijk geweld")]
    NoMeldcode,
    /// No AVG compliance.
    #[error("no AVG (GDPR) compliance evidence")]
    NoAvg,
}

impl AdmissionEvidence {
    /// Every criterion that is not met on `on`; empty means admitted.
    pub fn gaps(&self, on: NaiveDate) -> Vec<AdmissionGap> {
        let mut gaps = Vec::new();
        let cert_ok = [self.hkz_valid_until, self.iso_valid_until]
            .iter()
            .flatten()
            .any(|until| *until >= on);
        if !cert_ok {
            gaps.push(AdmissionGap::NoQualityCertificate(on));
        }
        if !self.complaints_regulation {
            gaps.push(AdmissionGap::NoComplaintsRegulation);
        }
        if !self.meldcode {
            gaps.push(AdmissionGap::NoMeldcode);
        }
        if !self.avg {
            gaps.push(AdmissionGap::NoAvg);
        }
        gaps
    }

    /// Whether all criteria are met on `on`.
    pub fn admitted_on(&self, on: NaiveDate) -> bool {
        self.gaps(on).is_empty()
    }
}

/// A care provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// AGB code (the iWmo identity of a provider).
    pub agb: AgbCode,
    /// Chamber of Commerce number.
    pub kvk: Option<KvkNummer>,
    /// Trade name.
    pub name: String,
    /// Admission evidence.
    #[serde(default)]
    pub admission: AdmissionEvidence,
}

/// Invalid consortium composition.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConsortiumError {
    /// The hoofdaannemer is also listed as onderaannemer.
    #[error("hoofdaannemer {0} cannot also be an onderaannemer")]
    MainIsSub(AgbCode),
    /// An onderaannemer appears twice.
    #[error("onderaannemer {0} listed twice")]
    DuplicateSub(AgbCode),
}

/// A consortium: one hoofdaannemer (single point of contact, receives all
/// orders and messages) with onderaannemers who deliver part of the care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consortium {
    hoofdaannemer: AgbCode,
    onderaannemers: Vec<AgbCode>,
}

impl Consortium {
    /// Validates that roles are distinct.
    pub fn new(
        hoofdaannemer: AgbCode,
        onderaannemers: Vec<AgbCode>,
    ) -> Result<Self, ConsortiumError> {
        let mut seen = std::collections::HashSet::new();
        for o in &onderaannemers {
            if *o == hoofdaannemer {
                return Err(ConsortiumError::MainIsSub(*o));
            }
            if !seen.insert(*o) {
                return Err(ConsortiumError::DuplicateSub(*o));
            }
        }
        Ok(Consortium {
            hoofdaannemer,
            onderaannemers,
        })
    }
    /// The main contractor.
    pub fn hoofdaannemer(&self) -> AgbCode {
        self.hoofdaannemer
    }
    /// Subcontractors.
    pub fn onderaannemers(&self) -> &[AgbCode] {
        &self.onderaannemers
    }
    /// Whether `agb` belongs to the consortium in any role.
    pub fn includes(&self, agb: AgbCode) -> bool {
        self.hoofdaannemer == agb || self.onderaannemers.contains(&agb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn admission_requires_all_criteria() {
        let mut e = AdmissionEvidence {
            hkz_valid_until: Some(d(2026, 6, 30)),
            complaints_regulation: true,
            meldcode: true,
            avg: true,
            ..Default::default()
        };
        assert!(e.admitted_on(d(2026, 6, 30)));
        assert_eq!(
            e.gaps(d(2026, 7, 1)),
            vec![AdmissionGap::NoQualityCertificate(d(2026, 7, 1))]
        );
        e.iso_valid_until = Some(d(2027, 1, 1));
        assert!(e.admitted_on(d(2026, 7, 1)));
        e.avg = false;
        assert_eq!(e.gaps(d(2026, 7, 1)), vec![AdmissionGap::NoAvg]);
    }

    #[test]
    fn consortium_roles_are_distinct() {
        let a: AgbCode = "12345678".parse().unwrap();
        let b: AgbCode = "22345678".parse().unwrap();
        assert!(Consortium::new(a, vec![b]).unwrap().includes(b));
        assert_eq!(
            Consortium::new(a, vec![a]),
            Err(ConsortiumError::MainIsSub(a))
        );
        assert_eq!(
            Consortium::new(a, vec![b, b]),
            Err(ConsortiumError::DuplicateSub(b))
        );
    }
}
