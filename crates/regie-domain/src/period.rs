//! Date periods and calendar months.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A period was built with its end before its start.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("period ends {end} before it starts {start}")]
pub struct PeriodError {
    /// Start date.
    pub start: NaiveDate,
    /// End date.
    pub end: NaiveDate,
}

/// A closed date interval `[start, end]`; `end = None` means open-ended.
/// iWmo periods are inclusive of both dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawPeriod")]
pub struct Period {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct RawPeriod {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

impl TryFrom<RawPeriod> for Period {
    type Error = PeriodError;
    fn try_from(r: RawPeriod) -> Result<Self, Self::Error> {
        Period::new(r.start, r.end)
    }
}

impl Period {
    /// A period; fails when `end < start`.
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Result<Self, PeriodError> {
        match end {
            Some(e) if e < start => Err(PeriodError { start, end: e }),
            _ => Ok(Period { start, end }),
        }
    }

    /// A period without an end date.
    pub fn open(start: NaiveDate) -> Self {
        Period { start, end: None }
    }

    /// First day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last day, if any.
    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }

    /// Whether `d` lies inside.
    pub fn contains(&self, d: NaiveDate) -> bool {
        d >= self.start && self.end.is_none_or(|e| d <= e)
    }

    /// Whether `other` lies entirely inside this period.
    pub fn covers(&self, other: &Period) -> bool {
        self.contains(other.start)
            && match (self.end, other.end) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => b <= a,
            }
    }

    /// Whether the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end.unwrap_or(NaiveDate::MAX)
            && other.start <= self.end.unwrap_or(NaiveDate::MAX)
    }

    /// The shared days, if any.
    pub fn intersect(&self, other: &Period) -> Option<Period> {
        if !self.overlaps(other) {
            return None;
        }
        let start = self.start.max(other.start);
        let end = match (self.end, other.end) {
            (None, e) | (e, None) => e,
            (Some(a), Some(b)) => Some(a.min(b)),
        };
        Some(Period { start, end })
    }

    /// Number of days, for closed periods.
    pub fn days(&self) -> Option<i64> {
        self.end.map(|e| (e - self.start).num_days() + 1)
    }

    /// Returns a copy ending on `end` (used when ending a toewijzing early).
    pub fn with_end(&self, end: NaiveDate) -> Result<Period, PeriodError> {
        Period::new(self.start, Some(end))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(e) => write!(f, "{} t/m {}", self.start, e),
            None => write!(f, "{} –", self.start),
        }
    }
}

/// A calendar month, the settlement period of iWmo declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// A `YYYY-MM` string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("expected a month as YYYY-MM, got {0:?}")]
pub struct YearMonthError(pub String);

impl YearMonth {
    /// Month `month` (1–12) of `year`.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    /// The month a date lies in.
    pub fn of(d: NaiveDate) -> Self {
        YearMonth {
            year: d.year(),
            month: d.month(),
        }
    }

    /// Year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Month number 1–12.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// First day.
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// Last day.
    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day() - Days::new(1)
    }

    /// Number of days in the month.
    pub fn days(&self) -> u32 {
        self.last_day().day()
    }

    /// The whole month as a period.
    pub fn period(&self) -> Period {
        Period {
            start: self.first_day(),
            end: Some(self.last_day()),
        }
    }

    /// The following month.
    pub fn next(&self) -> Self {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before.
    pub fn prev(&self) -> Self {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Months from `self` up to and including `last`.
    pub fn through(self, last: YearMonth) -> impl Iterator<Item = YearMonth> {
        std::iter::successors(Some(self), move |m| (*m < last).then(|| m.next()))
    }
}

impl FromStr for YearMonth {
    type Err = YearMonthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || YearMonthError(s.to_string());
        let (y, m) = s.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let y: i32 = y.parse().map_err(|_| err())?;
        let m: u32 = m.parse().map_err(|_| err())?;
        YearMonth::new(y, m).ok_or_else(err)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = YearMonthError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<YearMonth> for String {
    fn from(m: YearMonth) -> String {
        m.to_string()
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Adds calendar months to a date, clamping to the month's last day
/// (31 January + 1 month = 28/29 February), as Dutch legal deadlines do.
pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(months))
        .expect("date in range")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn end_before_start_is_rejected() {
        assert!(Period::new(d(2025, 3, 2), Some(d(2025, 3, 1))).is_err());
        assert!(Period::new(d(2025, 3, 2), Some(d(2025, 3, 2))).is_ok());
    }

    #[test]
    fn overlap_and_intersection() {
        let a = Period::new(d(2025, 1, 1), Some(d(2025, 1, 31))).unwrap();
        let b = Period::new(d(2025, 1, 31), None).unwrap();
        let c = Period::new(d(2025, 2, 1), None).unwrap();
        assert!(a.overlaps(&b));
        assert!(!a.overlaps(&c));
        assert_eq!(a.intersect(&b).unwrap().days(), Some(1));
        assert!(b.covers(&c));
        assert!(!c.covers(&b));
    }

    #[test]
    fn months() {
        let m: YearMonth = "2024-02".parse().unwrap();
        assert_eq!(m.days(), 29);
        assert_eq!(m.next().to_string(), "2024-03");
        assert_eq!(
            YearMonth::new(2025, 1).unwrap().prev().to_string(),
            "2024-12"
        );
        assert!("2024-13".parse::<YearMonth>().is_err());
        assert!("24-01".parse::<YearMonth>().is_err());
        let n = YearMonth::new(2024, 11)
            .unwrap()
            .through(YearMonth::new(2025, 2).unwrap())
            .count();
        assert_eq!(n, 4);
        assert_eq!(add_months(d(2025, 1, 31), 1), d(2025, 2, 28));
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric(a in 0i64..400, la in 0i64..100, b in 0i64..400, lb in 0i64..100) {
            let base = d(2025, 1, 1);
            let p = Period::new(base + chrono::Duration::days(a), Some(base + chrono::Duration::days(a + la))).unwrap();
            let q = Period::new(base + chrono::Duration::days(b), Some(base + chrono::Duration::days(b + lb))).unwrap();
            prop_assert_eq!(p.overlaps(&q), q.overlaps(&p));
            prop_assert_eq!(p.overlaps(&q), p.intersect(&q).is_some());
        }
    }
}
