//! Deadlines computed from case histories.
//!
//! A [`DeadlineRule`] is data: an anchor ([`Trigger`]), an [`Offset`] and the
//! triggers that close it. Every anchor occurrence in a history opens one
//! deadline instance; a closing trigger later in the history closes the oldest
//! open instance of that rule (first in, first out), so three planned
//! evaluations need three evaluations. Closing a case lapses what is still open.
//! Regions can load their own rules (serde) instead of [`DeadlineEngine::seeds`].

use crate::actor::Role;
use crate::case::Case;
use crate::event::{EventKind, Fact, RouteKind};
use crate::HistoryEntry;
use chrono::{Days, Duration, Months, NaiveDate};
use regie_domain::Bsn;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Unit of an [`Offset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// Calendar days.
    Days,
    /// Weeks of seven days.
    Weeks,
    /// Calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb).
    Months,
}

/// A signed distance from an anchor date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offset {
    /// Amount; negative means before the anchor.
    pub amount: i32,
    /// Unit.
    pub unit: OffsetUnit,
}

impl Offset {
    /// `n` days.
    pub const fn days(n: i32) -> Self {
        Offset {
            amount: n,
            unit: OffsetUnit::Days,
        }
    }
    /// `n` weeks.
    pub const fn weeks(n: i32) -> Self {
        Offset {
            amount: n,
            unit: OffsetUnit::Weeks,
        }
    }
    /// `n` calendar months.
    pub const fn months(n: i32) -> Self {
        Offset {
            amount: n,
            unit: OffsetUnit::Months,
        }
    }

    /// The date `self` away from `d`.
    pub fn from(self, d: NaiveDate) -> NaiveDate {
        let n = self.amount.unsigned_abs();
        let fwd = self.amount >= 0;
        let r = match self.unit {
            OffsetUnit::Days | OffsetUnit::Weeks => {
                let days =
                    Days::new(u64::from(n) * if self.unit == OffsetUnit::Weeks { 7 } else { 1 });
                if fwd {
                    d.checked_add_days(days)
                } else {
                    d.checked_sub_days(days)
                }
            }
            OffsetUnit::Months => {
                if fwd {
                    d.checked_add_months(Months::new(n))
                } else {
                    d.checked_sub_months(Months::new(n))
                }
            }
        };
        r.expect("date in range")
    }
}

/// What opens or closes a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "event", rename_all = "snake_case")]
pub enum Trigger {
    /// An event of this kind, at its effective date.
    Event(EventKind),
    /// A beschikking came into force. As anchor: its duur end (open-ended
    /// beschikkingen open nothing); as closer: the date it came into force.
    NieuweBeschikking,
    /// Each evaluation date planned in a binding perspectiefplan.
    GeplandeEvaluatie,
    /// The start of the Awb 7:10 decision term of a lodged bezwaar.
    BezwaarBeslistermijn,
}

impl Trigger {
    fn anchor_dates(&self, h: &HistoryEntry) -> Vec<NaiveDate> {
        match self {
            Trigger::Event(k) if h.record.event.kind() == *k => vec![h.record.effective_date()],
            Trigger::Event(_) => vec![],
            Trigger::NieuweBeschikking => h
                .facts
                .iter()
                .filter_map(|f| match f {
                    Fact::NieuweBeschikking { einde, .. } => *einde,
                    _ => None,
                })
                .collect(),
            Trigger::GeplandeEvaluatie => h
                .facts
                .iter()
                .flat_map(|f| match f {
                    Fact::EvaluatiesGepland { data } => data.clone(),
                    _ => vec![],
                })
                .collect(),
            Trigger::BezwaarBeslistermijn => h
                .facts
                .iter()
                .filter_map(|f| match f {
                    Fact::BeslistermijnAnker { datum } => Some(*datum),
                    _ => None,
                })
                .collect(),
        }
    }

    fn matches(&self, h: &HistoryEntry) -> bool {
        match self {
            Trigger::Event(k) => h.record.event.kind() == *k,
            Trigger::NieuweBeschikking => h
                .facts
                .iter()
                .any(|f| matches!(f, Fact::NieuweBeschikking { .. })),
            Trigger::GeplandeEvaluatie => h
                .facts
                .iter()
                .any(|f| matches!(f, Fact::EvaluatiesGepland { .. })),
            Trigger::BezwaarBeslistermijn => h
                .facts
                .iter()
                .any(|f| matches!(f, Fact::BeslistermijnAnker { .. })),
        }
    }
}

/// A configurable deadline rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineRule {
    /// Short name, e.g. `perspectiefplan`.
    pub name: String,
    /// What must happen by the due date.
    pub description: String,
    /// Where the rule comes from (seed, law) or that it is an assumption.
    pub source: String,
    /// Who must act; `None` means the toegang holding the case.
    pub owner: Option<Role>,
    /// What opens the deadline.
    pub anchor: Trigger,
    /// Due date relative to the anchor date.
    pub offset: Offset,
    /// What meets the deadline.
    pub closed_by: Vec<Trigger>,
    /// Routes the rule applies to; empty means all.
    #[serde(default)]
    pub routes: Vec<RouteKind>,
    /// Only the first anchor occurrence opens a deadline (e.g. the first placement).
    #[serde(default)]
    pub first_only: bool,
}

/// Where a deadline stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// Not yet due and not met.
    Open,
    /// Met on time.
    Met {
        /// When.
        on: NaiveDate,
    },
    /// Due date passed before it was met. `closed_on` is set when it was met
    /// late or lapsed by the case closing; `None` means it still needs action.
    Missed {
        /// Days past due (as of the evaluation date, or until closed).
        overdue_days: i64,
        /// When it was resolved, if it was.
        closed_on: Option<NaiveDate>,
    },
    /// The case closed before the deadline was due; nothing is owed.
    Vervallen {
        /// Closing date.
        on: NaiveDate,
    },
}

impl DeadlineStatus {
    /// Whether somebody still has to act (open or missed and unresolved).
    pub fn is_actionable(&self) -> bool {
        matches!(
            self,
            DeadlineStatus::Open
                | DeadlineStatus::Missed {
                    closed_on: None,
                    ..
                }
        )
    }
}

/// One deadline of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Case id.
    pub case_id: String,
    /// Client.
    pub client: Bsn,
    /// Rule name.
    pub rule: String,
    /// What must happen.
    pub description: String,
    /// Who must act.
    pub owner: Role,
    /// The anchor date.
    pub anchor_date: NaiveDate,
    /// Due date.
    pub due: NaiveDate,
    /// Status as of the evaluation date.
    pub status: DeadlineStatus,
}

/// Evaluates deadline rules against cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineEngine {
    rules: Vec<DeadlineRule>,
}

fn ev(k: EventKind) -> Trigger {
    Trigger::Event(k)
}

impl DeadlineEngine {
    /// An engine with the given rules.
    pub fn new(rules: Vec<DeadlineRule>) -> Self {
        DeadlineEngine { rules }
    }

    /// The rules.
    pub fn rules(&self) -> &[DeadlineRule] {
        &self.rules
    }

    /// Default rules from the seed strategies and the law.
    pub fn seeds() -> Self {
        use EventKind as K;
        let r = |name: &str,
                 description: &str,
                 source: &str,
                 owner: Option<Role>,
                 anchor: Trigger,
                 offset: Offset,
                 closed_by: Vec<Trigger>,
                 routes: Vec<RouteKind>,
                 first_only: bool| DeadlineRule {
            name: name.into(),
            description: description.into(),
            source: source.into(),
            owner,
            anchor,
            offset,
            closed_by,
            routes,
            first_only,
        };
        DeadlineEngine::new(vec![
            r(
                "onderzoek",
                "finish the onderzoek: beschikking, afwijzing, DAT-bepaling or CIZ referral",
                "Wmo 2015 art. 2.3.2 lid 1: onderzoek binnen zes weken na de melding",
                None,
                ev(K::Aangemeld),
                Offset::weeks(6),
                vec![
                    ev(K::BeschikkingAfgegeven),
                    ev(K::Afgewezen),
                    ev(K::DatAfgegeven),
                    ev(K::WlzVerwezen),
                ],
                vec![],
                true,
            ),
            r(
                "perspectiefplan",
                "contract partner delivers the perspectiefplan",
                "seed 003 Hart van Brabant §4.5: perspectiefplan binnen 6 weken",
                Some(Role::Provider),
                ev(K::DatAfgegeven),
                Offset::weeks(6),
                vec![ev(K::PerspectiefplanOpgesteld)],
                vec![RouteKind::BeschermdWonenPerspectiefplan],
                false,
            ),
            r(
                "plaatsing",
                "client placed in a suitable BW place",
                "seed 003 Hart van Brabant §4.5: alle inwoners BW binnen 6 maanden geplaatst",
                Some(Role::Provider),
                ev(K::DatAfgegeven),
                Offset::months(6),
                vec![ev(K::ZorgGestart)],
                vec![RouteKind::BeschermdWonenPerspectiefplan],
                true,
            ),
            r(
                "evaluatie",
                "evaluate with client, provider and toegang on the planned date",
                "seed 003 §4.4.2: evaluatiemomenten in het perspectiefplan",
                None,
                Trigger::GeplandeEvaluatie,
                Offset::days(0),
                vec![ev(K::Geevalueerd)],
                vec![],
                false,
            ),
            r(
                "herbeoordeling",
                "start the re-assessment before the beschikking ends",
                "assumption: 8 weeks before the end (seeds require re-assessment, give no term)",
                None,
                Trigger::NieuweBeschikking,
                Offset::weeks(-8),
                vec![ev(K::HerbeoordelingGestart), Trigger::NieuweBeschikking],
                vec![],
                false,
            ),
            r(
                "einde_beschikking",
                "follow-up decision or uitstroom before the beschikking ends",
                "Wmo 2015: care needs a beschikking in force",
                None,
                Trigger::NieuweBeschikking,
                Offset::days(0),
                vec![Trigger::NieuweBeschikking],
                vec![],
                false,
            ),
            r(
                "safehouse_max_1_jaar",
                "safehouse stay ends; client returns to the municipality of origin",
                "seed 000 Amersfoort: verblijf in een safehouse maximaal één jaar",
                None,
                ev(K::ZorgGestart),
                Offset::months(12),
                vec![ev(K::Uitgestroomd)],
                vec![RouteKind::Safehouse],
                true,
            ),
            r(
                "bezwaar_beslistermijn",
                "decide on the bezwaar",
                "Awb 7:10 lid 1: twaalf weken met adviescommissie (zes zonder)",
                Some(Role::Municipality),
                Trigger::BezwaarBeslistermijn,
                Offset::weeks(12),
                vec![ev(K::BezwaarBeslist)],
                vec![],
                false,
            ),
        ])
    }

    /// Every deadline instance of a case with its status as of `as_of`,
    /// considering only events recorded on or before `as_of`.
    pub fn evaluate(&self, case: &Case, as_of: NaiveDate) -> Vec<Deadline> {
        let mut out = Vec::new();
        let history: Vec<&HistoryEntry> = case
            .history()
            .iter()
            .filter(|h| h.record.at.date() <= as_of)
            .collect();
        let route = case.route().kind();
        for rule in &self.rules {
            if !rule.routes.is_empty() && !rule.routes.contains(&route) {
                continue;
            }
            let owner = rule.owner.unwrap_or(if case.route().is_regional() {
                Role::RegionalAccessTeam
            } else {
                Role::ToegangWorker
            });
            let make = |anchor: NaiveDate, due: NaiveDate, status| Deadline {
                case_id: case.id().to_string(),
                client: case.bsn(),
                rule: rule.name.clone(),
                description: rule.description.clone(),
                owner,
                anchor_date: anchor,
                due,
                status,
            };
            let mut open: VecDeque<(NaiveDate, NaiveDate)> = VecDeque::new();
            let mut opened_any = false;
            for h in &history {
                let on = h.record.effective_date();
                // Close before opening: an event that both meets an old deadline
                // and anchors a new one (a follow-up beschikking) must not meet its own.
                if rule.closed_by.iter().any(|t| t.matches(h)) {
                    if let Some((a, due)) = open.pop_front() {
                        let status = if on <= due {
                            DeadlineStatus::Met { on }
                        } else {
                            DeadlineStatus::Missed {
                                overdue_days: (on - due).num_days(),
                                closed_on: Some(on),
                            }
                        };
                        out.push(make(a, due, status));
                    }
                }
                if !(rule.first_only && opened_any) {
                    for a in rule.anchor.anchor_dates(h) {
                        open.push_back((a, rule.offset.from(a)));
                        opened_any = true;
                    }
                }
                if h.facts.contains(&Fact::Gesloten) {
                    let closed = h.record.at.date();
                    for (a, due) in open.drain(..) {
                        let status = if due < closed {
                            DeadlineStatus::Missed {
                                overdue_days: (closed - due).num_days(),
                                closed_on: Some(closed),
                            }
                        } else {
                            DeadlineStatus::Vervallen { on: closed }
                        };
                        out.push(make(a, due, status));
                    }
                }
            }
            for (a, due) in open {
                let status = if as_of > due {
                    DeadlineStatus::Missed {
                        overdue_days: (as_of - due).num_days(),
                        closed_on: None,
                    }
                } else {
                    DeadlineStatus::Open
                };
                out.push(make(a, due, status));
            }
        }
        sort(&mut out);
        out
    }

    /// Deadlines that still need action and fall due by `as_of + due_within`
    /// (missed ones included), sorted by due date.
    pub fn deadlines(&self, case: &Case, as_of: NaiveDate, due_within: Duration) -> Vec<Deadline> {
        self.deadlines_for(std::iter::once(case), as_of, due_within)
    }

    /// [`DeadlineEngine::deadlines`] over many cases, merged and sorted by due date.
    pub fn deadlines_for<'a>(
        &self,
        cases: impl IntoIterator<Item = &'a Case>,
        as_of: NaiveDate,
        due_within: Duration,
    ) -> Vec<Deadline> {
        let horizon = as_of + due_within;
        let mut out: Vec<Deadline> = cases
            .into_iter()
            .flat_map(|c| self.evaluate(c, as_of))
            .filter(|d| d.status.is_actionable() && d.due <= horizon)
            .collect();
        sort(&mut out);
        out
    }
}

fn sort(v: &mut [Deadline]) {
    v.sort_by(|a, b| {
        (a.due, &a.case_id, &a.rule, a.anchor_date).cmp(&(
            b.due,
            &b.case_id,
            &b.rule,
            b.anchor_date,
        ))
    });
}

impl Case {
    /// Actionable deadlines under the seed rules, due by `as_of + due_within`.
    pub fn deadlines(&self, as_of: NaiveDate, due_within: Duration) -> Vec<Deadline> {
        DeadlineEngine::seeds().deadlines(self, as_of, due_within)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn offsets() {
        assert_eq!(Offset::weeks(6).from(d(2025, 1, 1)), d(2025, 2, 12));
        assert_eq!(Offset::weeks(-8).from(d(2025, 12, 31)), d(2025, 11, 5));
        assert_eq!(Offset::months(6).from(d(2025, 8, 31)), d(2026, 2, 28));
        assert_eq!(Offset::months(-1).from(d(2025, 3, 31)), d(2025, 2, 28));
        assert_eq!(Offset::days(0).from(d(2025, 3, 31)), d(2025, 3, 31));
    }

    #[test]
    fn rules_roundtrip_as_data() {
        let e = DeadlineEngine::seeds();
        let json = serde_json::to_string(&e).unwrap();
        let back: DeadlineEngine = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        assert!(json.contains("\"perspectiefplan\""));
    }
}
