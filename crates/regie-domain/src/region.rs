//! Regions of cooperating municipalities.

use crate::ids::Gemeentecode;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A municipality (gemeente) identified by its CBS code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Municipality {
    /// CBS gemeentecode.
    pub code: Gemeentecode,
    /// Official name.
    pub name: String,
}

/// Invalid region composition.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegionError {
    /// A region needs at least one member.
    #[error("region {0:?} has no municipalities")]
    Empty(String),
    /// The same gemeentecode appears twice.
    #[error("municipality {0} appears twice in region")]
    Duplicate(Gemeentecode),
    /// The centrumgemeente must be a member.
    #[error("centrumgemeente {0} is not a member of the region")]
    CentrumNotMember(Gemeentecode),
}

/// A region of municipalities that procure Wmo support together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    id: String,
    name: String,
    municipalities: Vec<Municipality>,
    centrumgemeente: Option<Gemeentecode>,
}

impl Region {
    /// Validates membership: non-empty, unique codes, centrumgemeente is a member.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        municipalities: Vec<Municipality>,
        centrumgemeente: Option<Gemeentecode>,
    ) -> Result<Self, RegionError> {
        let id = id.into();
        if municipalities.is_empty() {
            return Err(RegionError::Empty(id));
        }
        let mut seen = std::collections::HashSet::new();
        for m in &municipalities {
            if !seen.insert(m.code) {
                return Err(RegionError::Duplicate(m.code));
            }
        }
        if let Some(c) = centrumgemeente {
            if !seen.contains(&c) {
                return Err(RegionError::CentrumNotMember(c));
            }
        }
        Ok(Region {
            id,
            name: name.into(),
            municipalities,
            centrumgemeente,
        })
    }

    /// Short identifier, e.g. `amersfoort`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Member municipalities.
    pub fn municipalities(&self) -> &[Municipality] {
        &self.municipalities
    }
    /// The centrumgemeente, if the region has one (beschermd wonen).
    pub fn centrumgemeente(&self) -> Option<Gemeentecode> {
        self.centrumgemeente
    }
    /// Whether `g` is a member.
    pub fn is_member(&self, g: Gemeentecode) -> bool {
        self.municipalities.iter().any(|m| m.code == g)
    }
    /// Name of a member municipality.
    pub fn municipality_name(&self, g: Gemeentecode) -> Option<&str> {
        self.municipalities
            .iter()
            .find(|m| m.code == g)
            .map(|m| m.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(code: &str, name: &str) -> Municipality {
        Municipality {
            code: code.parse().unwrap(),
            name: name.into(),
        }
    }

    #[test]
    fn validates_membership() {
        let r = Region::new(
            "x",
            "X",
            vec![m("0307", "Amersfoort"), m("0308", "Baarn")],
            Some("0307".parse().unwrap()),
        )
        .unwrap();
        assert!(r.is_member("0308".parse().unwrap()));
        assert_eq!(
            r.municipality_name("0307".parse().unwrap()),
            Some("Amersfoort")
        );
        assert!(matches!(
            Region::new("x", "X", vec![m("0307", "A"), m("0307", "B")], None),
            Err(RegionError::Duplicate(_))
        ));
        assert!(matches!(
            Region::new(
                "x",
                "X",
                vec![m("0307", "A")],
                Some("0308".parse().unwrap())
            ),
            Err(RegionError::CentrumNotMember(_))
        ));
        assert!(matches!(
            Region::new("x", "X", vec![], None),
            Err(RegionError::Empty(_))
        ));
    }
}
