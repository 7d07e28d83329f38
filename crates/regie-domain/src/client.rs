//! Clients (inwoners) and their residence history.

use crate::ids::{Bsn, Gemeentecode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One stretch of residence in a municipality, from a date onward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Residence {
    /// Municipality of residence.
    pub gemeente: Gemeentecode,
    /// First day of residence.
    pub from: NaiveDate,
}

/// Client data problems.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClientError {
    /// No residence at all.
    #[error("client {0} has no municipality of residence")]
    NoResidence(Bsn),
    /// A move dated before the previous one, or on the same day.
    #[error("client {bsn}: move on {date} is not after the previous move")]
    MoveOutOfOrder {
        /// Client.
        bsn: Bsn,
        /// The offending date.
        date: NaiveDate,
    },
    /// A move to the municipality the client already lives in.
    #[error("client {bsn}: already lives in {gemeente}")]
    SameMunicipality {
        /// Client.
        bsn: Bsn,
        /// Municipality.
        gemeente: Gemeentecode,
    },
}

/// A client: BSN, birth date and where they live over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    bsn: Bsn,
    birth_date: NaiveDate,
    residences: Vec<Residence>,
}

impl Client {
    /// A client living in `gemeente` since `since`.
    pub fn new(bsn: Bsn, birth_date: NaiveDate, gemeente: Gemeentecode, since: NaiveDate) -> Self {
        Client {
            bsn,
            birth_date,
            residences: vec![Residence {
                gemeente,
                from: since,
            }],
        }
    }

    /// Rebuilds a client from stored history, validating order.
    pub fn from_history(
        bsn: Bsn,
        birth_date: NaiveDate,
        mut residences: Vec<Residence>,
    ) -> Result<Self, ClientError> {
        residences.sort_by_key(|r| r.from);
        let first = *residences.first().ok_or(ClientError::NoResidence(bsn))?;
        let mut c = Client::new(bsn, birth_date, first.gemeente, first.from);
        for r in &residences[1..] {
            c.move_to(r.gemeente, r.from)?;
        }
        Ok(c)
    }

    /// BSN.
    pub fn bsn(&self) -> Bsn {
        self.bsn
    }
    /// Birth date.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
    /// Residence history, oldest first.
    pub fn residences(&self) -> &[Residence] {
        &self.residences
    }

    /// Records a move. Moves must be in date order.
    pub fn move_to(&mut self, gemeente: Gemeentecode, date: NaiveDate) -> Result<(), ClientError> {
        let last = self.residences.last().expect("never empty");
        if date <= last.from {
            return Err(ClientError::MoveOutOfOrder {
                bsn: self.bsn,
                date,
            });
        }
        if gemeente == last.gemeente {
            return Err(ClientError::SameMunicipality {
                bsn: self.bsn,
                gemeente,
            });
        }
        self.residences.push(Residence {
            gemeente,
            from: date,
        });
        Ok(())
    }

    /// Municipality of residence on a date (the earliest known one before the first record).
    pub fn municipality_on(&self, d: NaiveDate) -> Gemeentecode {
        self.residences
            .iter()
            .rev()
            .find(|r| r.from <= d)
            .unwrap_or(&self.residences[0])
            .gemeente
    }

    /// Age in whole years on a date.
    pub fn age_on(&self, d: NaiveDate) -> u32 {
        d.years_since(self.birth_date).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn residence_on_date_follows_moves() {
        let amf: Gemeentecode = "0307".parse().unwrap();
        let soest: Gemeentecode = "0342".parse().unwrap();
        let mut c = Client::new(
            "111222333".parse().unwrap(),
            d(1980, 5, 17),
            amf,
            d(2000, 1, 1),
        );
        c.move_to(soest, d(2025, 3, 16)).unwrap();
        assert_eq!(c.municipality_on(d(2025, 3, 15)), amf);
        assert_eq!(c.municipality_on(d(2025, 3, 16)), soest);
        assert!(matches!(
            c.move_to(amf, d(2025, 3, 1)),
            Err(ClientError::MoveOutOfOrder { .. })
        ));
        assert!(matches!(
            c.move_to(soest, d(2025, 4, 1)),
            Err(ClientError::SameMunicipality { .. })
        ));
        assert_eq!(c.age_on(d(2025, 5, 16)), 44);
        assert_eq!(c.age_on(d(2025, 5, 17)), 45);
    }
}
