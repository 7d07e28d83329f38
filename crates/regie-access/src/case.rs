//! The case flow: aanmelding → onderzoek → beschikking → toewijzing(en) →
//! in zorg → evaluaties → afschaling/doorstroom/uitstroom, with the beschermd
//! wonen route (DAT-bepaling, perspectiefplan), Wlz referral, bezwaar,
//! withdrawal and moves.
//!
//! A [`Case`] changes only through [`Case::apply`]. Each applied event lands in
//! the history with its actor, time, from-state, to-state and the derived
//! [`Fact`]s; [`Case::replay`] of the recorded events rebuilds an equal case.

use crate::actor::{Actor, Role};
use crate::error::AccessError;
use crate::event::{
    Adressering, Bestemming, BezwaarUitkomst, CaseEvent, EventKind, EventRecord, Fact, OrderInfo,
    Perspectiefplan, Route,
};
use chrono::{Days, NaiveDate, NaiveDateTime};
use regie_domain::{
    AgbCode, Beschikking, Bsn, CareError, Client, Gemeentecode, Omvang, Period, ProductRef,
    RedenWijziging, Toewijzing,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Awb 6:7: the bezwaar term is six weeks.
pub const BEZWAARTERMIJN_DAGEN: u64 = 42;

/// WMO002 codes this crate sets when it ends toewijzingen.
pub mod reden {
    use regie_domain::RedenWijziging;
    /// 02 Cliënt overleden.
    pub const OVERLEDEN: RedenWijziging = RedenWijziging(2);
    /// 05 Herbeoordeling: verkorting toewijzing.
    pub const VERKORTING: RedenWijziging = RedenWijziging(5);
    /// 06 Uitstroom naar ander domein (Wlz).
    pub const ANDER_DOMEIN: RedenWijziging = RedenWijziging(6);
    /// 07 Verhuizing naar een andere gemeente.
    pub const VERHUIZING: RedenWijziging = RedenWijziging(7);
    /// 13 Verwijderd: the toewijzing counts as never sent (end = start).
    pub const VERWIJDERD: RedenWijziging = RedenWijziging(13);
}

/// How a closed case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Afsluiting {
    /// The client withdrew the request.
    Ingetrokken,
    /// The afwijzing became final.
    AfwijzingDefinitief,
    /// Outflow to the Wlz after a positive CIZ decision.
    Wlz,
    /// Doorstroom to the local team; file handed to that municipality's toegang.
    LokaalTeam {
        /// Receiving municipality.
        gemeente: Gemeentecode,
    },
    /// Care completed.
    Beeindigd,
    /// Safehouse stay ended, client back in the municipality of origin.
    TerugNaarHerkomst {
        /// Municipality of origin.
        gemeente: Gemeentecode,
    },
    /// The client died.
    Overleden,
    /// The client moved out of the arrangement's coverage; the destination's
    /// toegang takes over with a new case.
    Overgedragen {
        /// Destination municipality.
        aan: Gemeentecode,
    },
}

/// Where a case stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaseState {
    /// Aanmelding received, onderzoek not started.
    Aangemeld,
    /// Onderzoek (for BW: the regional team's short DAT research).
    InOnderzoek,
    /// Referred to the CIZ; waiting for the Wlz decision.
    WlzVerwezen,
    /// DAT-bepaling done; the contract partner draws up the perspectiefplan.
    BijContractpartner,
    /// Perspectiefplan delivered; waiting for the client's agreement.
    PerspectiefplanVoorgelegd,
    /// The client disagrees with the perspectiefplan: new plan or bezwaar.
    PerspectiefplanBetwist,
    /// A beschikking is in force, no toewijzing yet.
    Beschikt,
    /// Toewijzing(en) sent, care not started (waiting for placement).
    Toegewezen,
    /// Care is being delivered.
    InZorg,
    /// The request was refused; bezwaar possible.
    Afgewezen,
    /// The case is closed and accepts no more events.
    Gesloten {
        /// How it ended.
        afsluiting: Afsluiting,
    },
}

impl CaseState {
    /// Whether the case is closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, CaseState::Gesloten { .. })
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseState::Aangemeld => f.write_str("aangemeld"),
            CaseState::InOnderzoek => f.write_str("in onderzoek"),
            CaseState::WlzVerwezen => f.write_str("verwezen naar CIZ"),
            CaseState::BijContractpartner => f.write_str("bij contractpartner"),
            CaseState::PerspectiefplanVoorgelegd => f.write_str("perspectiefplan voorgelegd"),
            CaseState::PerspectiefplanBetwist => f.write_str("perspectiefplan betwist"),
            CaseState::Beschikt => f.write_str("beschikt"),
            CaseState::Toegewezen => f.write_str("toegewezen"),
            CaseState::InZorg => f.write_str("in zorg"),
            CaseState::Afgewezen => f.write_str("afgewezen"),
            CaseState::Gesloten { afsluiting } => match afsluiting {
                Afsluiting::Ingetrokken => f.write_str("gesloten: ingetrokken"),
                Afsluiting::AfwijzingDefinitief => f.write_str("gesloten: afwijzing definitief"),
                Afsluiting::Wlz => f.write_str("gesloten: uitstroom Wlz"),
                Afsluiting::LokaalTeam { gemeente } => {
                    write!(f, "gesloten: doorstroom lokaal team {gemeente}")
                }
                Afsluiting::Beeindigd => f.write_str("gesloten: beëindigd"),
                Afsluiting::TerugNaarHerkomst { gemeente } => {
                    write!(f, "gesloten: terug naar herkomst {gemeente}")
                }
                Afsluiting::Overleden => f.write_str("gesloten: overleden"),
                Afsluiting::Overgedragen { aan } => write!(f, "gesloten: overgedragen aan {aan}"),
            },
        }
    }
}

/// Who a toewijzing message goes to and who actually delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePath {
    /// The AGB the iWmo messages are addressed to (the hoofdaannemer for consortia).
    pub addressee: AgbCode,
    /// The AGB that delivers the care (an onderaannemer, or the addressee itself).
    pub deliverer: AgbCode,
}

/// A toewijzing in a case, with its contract context and routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToewijzingRecord {
    /// The order as sent.
    pub toewijzing: Toewijzing,
    /// Contract context at ordering time.
    pub order: OrderInfo,
    /// The onderaannemer the hoofdaannemer routed delivery to, if any.
    pub onderaannemer: Option<AgbCode>,
    /// First day of delivery, once started.
    pub gestart_op: Option<NaiveDate>,
}

impl ToewijzingRecord {
    /// Addressee and deliverer, as the message path must carry them.
    pub fn message_path(&self) -> MessagePath {
        MessagePath {
            addressee: self.toewijzing.provider,
            deliverer: self.onderaannemer.unwrap_or(self.toewijzing.provider),
        }
    }

    /// Whether the toewijzing is valid on or after `d` (not ended before it).
    pub fn runs_on_or_after(&self, d: NaiveDate) -> bool {
        self.toewijzing.period.end().is_none_or(|e| e >= d)
    }
}

/// Overbruggingszorg: bridging care while waiting for placement, arranged and
/// paid by the municipality of residence (Hart van Brabant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overbruggingszorg {
    /// Delivering provider.
    pub aanbieder: AgbCode,
    /// Product.
    pub product: ProductRef,
    /// Volume.
    pub omvang: Option<Omvang>,
    /// When it runs.
    pub periode: Period,
}

/// A recorded evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluatie {
    /// Date.
    pub datum: NaiveDate,
    /// Participants.
    pub deelnemers: Vec<Role>,
    /// Findings.
    pub bevindingen: String,
}

/// A referral to the CIZ and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WlzVerwijzing {
    /// Referral date.
    pub verwezen_op: NaiveDate,
    /// Why.
    pub reden: String,
    /// The CIZ outcome, once known.
    pub toegekend: Option<bool>,
    /// Wlz start date when granted.
    pub ingangsdatum: Option<NaiveDate>,
}

/// A refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Afwijzing {
    /// Dagtekening.
    pub dagtekening: NaiveDate,
    /// Motivation.
    pub motivering: String,
    /// Rechtsmiddelenclausule.
    pub rechtsmiddelen: String,
}

/// What a bezwaar is directed against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BezwaarTegen {
    /// A beschikking.
    Beschikking {
        /// Its id.
        id: String,
    },
    /// The afwijzing of the case.
    Afwijzing {
        /// Its dagtekening.
        dagtekening: NaiveDate,
    },
    /// The perspectiefplan the client did not agree to (it is the beschikking).
    Perspectiefplan {
        /// The plan's beschikking id.
        beschikking_id: String,
    },
}

/// A bezwaar and, once decided, its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bezwaar {
    /// Contested decision.
    pub tegen: BezwaarTegen,
    /// Dagtekening of the contested decision.
    pub dagtekening_besluit: NaiveDate,
    /// Last day of the six-week bezwaar term.
    pub termijn_einde: NaiveDate,
    /// Lodged on.
    pub ingediend_op: NaiveDate,
    /// Grounds.
    pub gronden: String,
    /// Late but excusable.
    pub verschoonbaar: bool,
    /// Decided on.
    pub beslist_op: Option<NaiveDate>,
    /// Outcome.
    pub uitkomst: Option<BezwaarUitkomst>,
}

impl Bezwaar {
    /// Whether still undecided.
    pub fn is_open(&self) -> bool {
        self.beslist_op.is_none()
    }
}

/// One applied event with the state change it caused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Position in the history, from 0.
    pub seq: usize,
    /// The event as recorded (who, when, what).
    pub record: EventRecord,
    /// State before (`None` for the aanmelding).
    pub from: Option<CaseState>,
    /// State after.
    pub to: CaseState,
    /// Derived facts (toewijzingen ended, beschikking in force, …).
    pub facts: Vec<Fact>,
}

/// A client's case at the toegang.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    id: String,
    route: Route,
    client: Client,
    toegang_gemeente: Gemeentecode,
    hulpvraag: String,
    state: CaseState,
    beschikking: Option<Beschikking>,
    eerdere_beschikkingen: Vec<Beschikking>,
    afwijzing: Option<Afwijzing>,
    contractpartner: Option<AgbCode>,
    perspectiefplan: Option<Perspectiefplan>,
    toewijzingen: Vec<ToewijzingRecord>,
    overbrugging: Vec<Overbruggingszorg>,
    evaluaties: Vec<Evaluatie>,
    wlz: Vec<WlzVerwijzing>,
    herbeoordeling_sinds: Option<NaiveDate>,
    bezwaren: Vec<Bezwaar>,
    dossier_overgedragen_aan: Option<Gemeentecode>,
    history: Vec<HistoryEntry>,
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d.pred_opt().expect("date in range")
}

/// Ends a period on `last_day`, never before its start (a same-day end).
fn end_period(p: Period, last_day: NaiveDate) -> Period {
    p.with_end(last_day.max(p.start()))
        .expect("end clamped to start")
}

fn not_after(what: &'static str, date: NaiveDate, at: NaiveDateTime) -> Result<(), AccessError> {
    if date > at.date() {
        return Err(AccessError::FutureDate {
            what,
            date,
            recorded: at.date(),
        });
    }
    Ok(())
}

impl Case {
    /// Opens a case from its aanmelding.
    pub fn open(rec: EventRecord) -> Result<Case, AccessError> {
        let CaseEvent::Aangemeld {
            case_id,
            client,
            route,
            toegang_gemeente,
            hulpvraag,
        } = &rec.event
        else {
            return Err(AccessError::NotOpened(rec.event.kind()));
        };
        let role = rec.actor.role();
        let allowed = vec![
            Role::ToegangWorker,
            Role::RegionalAccessTeam,
            Role::Client,
            Role::System,
        ];
        if !allowed.contains(&role) {
            return Err(AccessError::Unauthorized {
                role,
                event: EventKind::Aangemeld,
                allowed,
            });
        }
        // Maatwerk is a decision of the municipality of residence, so its toegang holds the case.
        if *route == Route::Maatwerk && *toegang_gemeente != client.gemeente {
            return Err(AccessError::ToegangNotResidence {
                toegang: *toegang_gemeente,
                residence: client.gemeente,
            });
        }
        let state = CaseState::Aangemeld;
        let entry = HistoryEntry {
            seq: 0,
            record: rec.clone(),
            from: None,
            to: state.clone(),
            facts: vec![],
        };
        Ok(Case {
            id: case_id.clone(),
            route: *route,
            client: Client::new(
                client.bsn,
                client.geboortedatum,
                client.gemeente,
                client.woont_sinds,
            ),
            toegang_gemeente: *toegang_gemeente,
            hulpvraag: hulpvraag.clone(),
            state,
            beschikking: None,
            eerdere_beschikkingen: vec![],
            afwijzing: None,
            contractpartner: None,
            perspectiefplan: None,
            toewijzingen: vec![],
            overbrugging: vec![],
            evaluaties: vec![],
            wlz: vec![],
            herbeoordeling_sinds: None,
            bezwaren: vec![],
            dossier_overgedragen_aan: None,
            history: vec![entry],
        })
    }

    /// Rebuilds a case from its recorded events (the first must be the aanmelding).
    pub fn replay<I: IntoIterator<Item = EventRecord>>(events: I) -> Result<Case, AccessError> {
        let mut it = events.into_iter();
        let first = it.next().ok_or(AccessError::EmptyHistory)?;
        let mut case = Case::open(first)?;
        for rec in it {
            case.apply(rec)?;
        }
        Ok(case)
    }

    /// Applies one event. On error the case is unchanged.
    pub fn apply(&mut self, rec: EventRecord) -> Result<(), AccessError> {
        // Work on a copy so a refusal halfway through leaves no trace.
        let mut next = self.clone();
        next.step(rec)?;
        *self = next;
        Ok(())
    }

    // ----- accessors -------------------------------------------------------

    /// Case id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Route.
    pub fn route(&self) -> Route {
        self.route
    }
    /// The client with residence history (moves recorded).
    pub fn client(&self) -> &Client {
        &self.client
    }
    /// The municipality whose toegang holds the case now.
    pub fn toegang_gemeente(&self) -> Gemeentecode {
        self.toegang_gemeente
    }
    /// The support question.
    pub fn hulpvraag(&self) -> &str {
        &self.hulpvraag
    }
    /// Current state.
    pub fn state(&self) -> &CaseState {
        &self.state
    }
    /// The beschikking in force.
    pub fn beschikking(&self) -> Option<&Beschikking> {
        self.beschikking.as_ref()
    }
    /// Replaced beschikkingen, oldest first.
    pub fn eerdere_beschikkingen(&self) -> &[Beschikking] {
        &self.eerdere_beschikkingen
    }
    /// The afwijzing, if refused.
    pub fn afwijzing(&self) -> Option<&Afwijzing> {
        self.afwijzing.as_ref()
    }
    /// BW contract partner after the DAT-bepaling.
    pub fn contractpartner(&self) -> Option<AgbCode> {
        self.contractpartner
    }
    /// The perspectiefplan, once delivered.
    pub fn perspectiefplan(&self) -> Option<&Perspectiefplan> {
        self.perspectiefplan.as_ref()
    }
    /// All toewijzingen, in order of sending.
    pub fn toewijzingen(&self) -> &[ToewijzingRecord] {
        &self.toewijzingen
    }
    /// One toewijzing by id.
    pub fn toewijzing(&self, id: &str) -> Option<&ToewijzingRecord> {
        self.toewijzingen.iter().find(|r| r.toewijzing.id == id)
    }
    /// Overbruggingszorg arrangements.
    pub fn overbrugging(&self) -> &[Overbruggingszorg] {
        &self.overbrugging
    }
    /// Evaluations held.
    pub fn evaluaties(&self) -> &[Evaluatie] {
        &self.evaluaties
    }
    /// Referrals to the CIZ.
    pub fn wlz_verwijzingen(&self) -> &[WlzVerwijzing] {
        &self.wlz
    }
    /// Bezwaren, oldest first.
    pub fn bezwaren(&self) -> &[Bezwaar] {
        &self.bezwaren
    }
    /// The municipality whose toegang received the file at uitstroom.
    pub fn dossier_overgedragen_aan(&self) -> Option<Gemeentecode> {
        self.dossier_overgedragen_aan
    }
    /// Full history.
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }
    /// The recorded events, for persistence and [`Case::replay`].
    pub fn events(&self) -> Vec<EventRecord> {
        self.history.iter().map(|h| h.record.clone()).collect()
    }
    /// The aanmelding date.
    pub fn aangemeld_op(&self) -> NaiveDate {
        self.history[0].record.at.date()
    }

    /// The municipality that pays for toewijzing `id` on `d`: follows the lot's
    /// payer rule and the client's residence that day (woonplaatsbeginsel).
    /// `None` when the toewijzing is unknown or not valid on `d`.
    pub fn payer_on(&self, id: &str, d: NaiveDate) -> Option<Gemeentecode> {
        let r = self.toewijzing(id)?;
        r.toewijzing
            .period
            .contains(d)
            .then(|| r.order.betaler.payer(self.client.municipality_on(d)))
    }

    /// The municipality that pays overbruggingszorg on `d`: always the
    /// municipality of residence that day (seed 003).
    pub fn overbrugging_payer_on(&self, d: NaiveDate) -> Option<Gemeentecode> {
        self.overbrugging
            .iter()
            .any(|o| o.periode.contains(d))
            .then(|| self.client.municipality_on(d))
    }

    /// The open bezwaar, if any.
    pub fn open_bezwaar(&self) -> Option<&Bezwaar> {
        self.bezwaren.last().filter(|b| b.is_open())
    }

    /// Last day to lodge bezwaar against the current decision, if there is one.
    pub fn bezwaartermijn_einde(&self) -> Option<NaiveDate> {
        let dagtekening = match &self.state {
            CaseState::Afgewezen => self.afwijzing.as_ref()?.dagtekening,
            CaseState::PerspectiefplanBetwist => {
                self.perspectiefplan.as_ref()?.beschikking.decided_on
            }
            _ => self.beschikking.as_ref()?.decided_on,
        };
        Some(dagtekening + Days::new(BEZWAARTERMIJN_DAGEN))
    }

    /// Every violated invariant; empty for a consistent case. Used by tests and
    /// by the store as a guard after loading.
    pub fn invariant_violations(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.history.is_empty() {
            v.push("empty history".into());
            return v;
        }
        if self.history[0].record.event.kind() != EventKind::Aangemeld {
            v.push("history does not start with aanmelding".into());
        }
        for (i, h) in self.history.iter().enumerate() {
            if h.seq != i {
                v.push(format!("entry {i} has seq {}", h.seq));
            }
            if i > 0 {
                let prev = &self.history[i - 1];
                if h.from.as_ref() != Some(&prev.to) {
                    v.push(format!(
                        "entry {i} from-state differs from previous to-state"
                    ));
                }
                if h.record.at < prev.record.at {
                    v.push(format!("entry {i} recorded before entry {}", i - 1));
                }
            }
        }
        if self.history.last().map(|h| &h.to) != Some(&self.state) {
            v.push("last history state differs from case state".into());
        }
        let has_b = self.beschikking.is_some();
        match &self.state {
            CaseState::InZorg => {
                if !has_b {
                    v.push("in zorg without beschikking".into());
                }
                if !self.toewijzingen.iter().any(|r| r.gestart_op.is_some()) {
                    v.push("in zorg without a started toewijzing".into());
                }
            }
            CaseState::Toegewezen if !has_b || self.toewijzingen.is_empty() => {
                v.push("toegewezen without beschikking and toewijzing".into());
            }
            CaseState::Beschikt if !has_b => v.push("beschikt without beschikking".into()),
            CaseState::BijContractpartner
            | CaseState::PerspectiefplanVoorgelegd
            | CaseState::PerspectiefplanBetwist => {
                if self.route != Route::BeschermdWonenPerspectiefplan
                    || self.contractpartner.is_none()
                {
                    v.push("perspectiefplan state outside its route".into());
                }
                if self.state != CaseState::BijContractpartner && self.perspectiefplan.is_none() {
                    v.push("perspectiefplan state without a plan".into());
                }
            }
            CaseState::WlzVerwezen if self.wlz.last().is_none_or(|w| w.toegekend.is_some()) => {
                v.push("verwezen naar CIZ without pending referral".into())
            }
            CaseState::Afgewezen if self.afwijzing.is_none() => {
                v.push("afgewezen without afwijzing".into())
            }
            CaseState::Gesloten { .. } => {
                if self
                    .toewijzingen
                    .iter()
                    .any(|r| r.toewijzing.period.end().is_none())
                {
                    v.push("closed case with an open-ended toewijzing".into());
                }
                if self.overbrugging.iter().any(|o| o.periode.end().is_none()) {
                    v.push("closed case with running overbruggingszorg".into());
                }
            }
            _ => {}
        }
        if self.bezwaren.iter().rev().skip(1).any(|b| b.is_open()) {
            v.push("more than one open bezwaar".into());
        }
        for (i, a) in self.toewijzingen.iter().enumerate() {
            if a.toewijzing.client != self.client.bsn() {
                v.push(format!("toewijzing {} for another client", a.toewijzing.id));
            }
            for b in &self.toewijzingen[i + 1..] {
                if a.toewijzing.product == b.toewijzing.product
                    && a.toewijzing.provider == b.toewijzing.provider
                    && a.toewijzing.period.overlaps(&b.toewijzing.period)
                {
                    v.push(format!(
                        "toewijzingen {} and {} overlap",
                        a.toewijzing.id, b.toewijzing.id
                    ));
                }
            }
        }
        v
    }

    // ----- permissions -----------------------------------------------------

    fn toegang_role(&self) -> Role {
        if self.route.is_regional() {
            Role::RegionalAccessTeam
        } else {
            Role::ToegangWorker
        }
    }

    fn is_toegang(&self, actor: &Actor) -> Result<bool, AccessError> {
        match actor {
            Actor::RegionalAccessTeam { .. } => Ok(self.route.is_regional()),
            Actor::ToegangWorker { gemeente, .. } if !self.route.is_regional() => {
                if *gemeente == self.toegang_gemeente {
                    Ok(true)
                } else {
                    Err(AccessError::WrongToegang {
                        actor: *gemeente,
                        expected: self.toegang_gemeente,
                    })
                }
            }
            _ => Ok(false),
        }
    }

    /// Allows the toegang of the case, plus the `extra` roles.
    fn require(&self, actor: &Actor, kind: EventKind, extra: &[Role]) -> Result<(), AccessError> {
        if extra.contains(&actor.role()) || self.is_toegang(actor)? {
            return Ok(());
        }
        let mut allowed = vec![self.toegang_role()];
        allowed.extend_from_slice(extra);
        Err(AccessError::Unauthorized {
            role: actor.role(),
            event: kind,
            allowed,
        })
    }

    fn require_only(actor: &Actor, kind: EventKind, allowed: &[Role]) -> Result<(), AccessError> {
        if allowed.contains(&actor.role()) {
            Ok(())
        } else {
            Err(AccessError::Unauthorized {
                role: actor.role(),
                event: kind,
                allowed: allowed.to_vec(),
            })
        }
    }

    fn require_provider(actor: &Actor, expected: AgbCode) -> Result<(), AccessError> {
        match actor {
            Actor::Provider { agb } if *agb == expected => Ok(()),
            Actor::Provider { agb } => Err(AccessError::WrongProvider {
                actor: *agb,
                expected,
            }),
            _ => Ok(()), // role mismatch is reported by the caller's role check
        }
    }

    fn authorize(&self, actor: &Actor, ev: &CaseEvent) -> Result<(), AccessError> {
        use CaseEvent as E;
        let kind = ev.kind();
        match ev {
            E::Aangemeld { .. } => unreachable!("handled before"),
            E::OnderzoekGestart
            | E::WlzVerwezen { .. }
            | E::BeschikkingAfgegeven { .. }
            | E::Afgewezen { .. }
            | E::Toegewezen { .. }
            | E::HerbeoordelingGestart
            | E::ToewijzingBeeindigd { .. }
            | E::Afgeschaald { .. }
            | E::Uitgestroomd { .. }
            | E::AfwijzingOnherroepelijk => self.require(actor, kind, &[]),
            E::DatAfgegeven { .. } => Self::require_only(actor, kind, &[Role::RegionalAccessTeam]),
            E::WlzBesluit { .. } | E::Verhuisd { .. } => self.require(actor, kind, &[Role::System]),
            E::PerspectiefplanOpgesteld { .. } => {
                Self::require_only(actor, kind, &[Role::Provider])?;
                match self.contractpartner {
                    Some(cp) => Self::require_provider(actor, cp),
                    None => Ok(()),
                }
            }
            E::PerspectiefplanReactie { .. } | E::BezwaarIngediend { .. } => {
                Self::require_only(actor, kind, &[Role::Client])
            }
            E::OnderaannemerGekozen { toewijzing_id, .. } => {
                Self::require_only(actor, kind, &[Role::Provider])?;
                let r = self
                    .toewijzing(toewijzing_id)
                    .ok_or_else(|| AccessError::UnknownToewijzing(toewijzing_id.clone()))?;
                Self::require_provider(actor, r.toewijzing.provider)
            }
            E::ZorgGestart { toewijzing_id, .. } => {
                Self::require_only(actor, kind, &[Role::Provider, Role::System])?;
                let r = self
                    .toewijzing(toewijzing_id)
                    .ok_or_else(|| AccessError::UnknownToewijzing(toewijzing_id.clone()))?;
                // Messages go through the addressee, also when an onderaannemer delivers.
                Self::require_provider(actor, r.toewijzing.provider)
            }
            E::OverbruggingszorgIngezet { start, .. } => {
                // Bridging care is the local municipality's own arrangement.
                Self::require_only(actor, kind, &[Role::ToegangWorker])?;
                let residence = self.client.municipality_on(*start);
                match actor {
                    Actor::ToegangWorker { gemeente, .. } if *gemeente != residence => {
                        Err(AccessError::WrongToegang {
                            actor: *gemeente,
                            expected: residence,
                        })
                    }
                    _ => Ok(()),
                }
            }
            E::Geevalueerd { .. } => self.require(actor, kind, &[Role::Provider]),
            E::Ingetrokken { .. } => self.require(actor, kind, &[Role::Client]),
            E::BezwaarBeslist { .. } => {
                Self::require_only(actor, kind, &[Role::Municipality])?;
                match actor {
                    Actor::Municipality { gemeente } if *gemeente != self.toegang_gemeente => {
                        Err(AccessError::WrongToegang {
                            actor: *gemeente,
                            expected: self.toegang_gemeente,
                        })
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    // ----- transitions -----------------------------------------------------

    fn illegal(&self, kind: EventKind) -> AccessError {
        AccessError::IllegalTransition {
            state: self.state.clone(),
            event: kind,
        }
    }

    fn require_route(&self, route: Route, kind: EventKind) -> Result<(), AccessError> {
        if self.route == route {
            Ok(())
        } else {
            Err(AccessError::WrongRoute {
                route: self.route.kind(),
                event: kind,
            })
        }
    }

    fn check_beschikking(&self, b: &Beschikking, at: NaiveDateTime) -> Result<(), AccessError> {
        if b.client != self.client.bsn() {
            return Err(AccessError::ClientMismatch {
                expected: self.client.bsn(),
                got: b.client,
            });
        }
        not_after("dagtekening", b.decided_on, at)
    }

    fn set_beschikking(&mut self, b: Beschikking, facts: &mut Vec<Fact>) {
        facts.push(Fact::NieuweBeschikking {
            id: b.id.clone(),
            einde: b.duur.end(),
        });
        if let Some(old) = self.beschikking.replace(b) {
            self.eerdere_beschikkingen.push(old);
        }
    }

    fn close(&mut self, afsluiting: Afsluiting, facts: &mut Vec<Fact>) {
        self.state = CaseState::Gesloten { afsluiting };
        facts.push(Fact::Gesloten);
    }

    /// Ends every toewijzing still valid after `last_day`. One that has not
    /// begun by then is deleted (reden 13, end = start) as if never sent.
    fn stop_toewijzingen(
        &mut self,
        last_day: NaiveDate,
        reden: RedenWijziging,
        facts: &mut Vec<Fact>,
    ) -> usize {
        let mut n = 0;
        for r in &mut self.toewijzingen {
            let t = &mut r.toewijzing;
            if t.period.end().is_some_and(|e| e <= last_day) {
                continue;
            }
            let (end, reden) = if t.period.start() > last_day {
                (t.period.start(), reden::VERWIJDERD)
            } else {
                (last_day, reden)
            };
            t.period = end_period(t.period, end);
            t.reden_wijziging = Some(reden);
            facts.push(Fact::ToewijzingGestopt {
                id: t.id.clone(),
                einde: end,
                reden,
            });
            n += 1;
        }
        n
    }

    fn stop_overbrugging(&mut self, last_day: NaiveDate, facts: &mut Vec<Fact>) {
        for o in &mut self.overbrugging {
            if o.periode.end().is_none_or(|e| e > last_day) {
                o.periode = end_period(o.periode, last_day);
                facts.push(Fact::OverbruggingGestopt {
                    einde: o.periode.end().expect("just ended"),
                });
            }
        }
    }

    fn record_mut(&mut self, id: &str) -> Result<&mut ToewijzingRecord, AccessError> {
        self.toewijzingen
            .iter_mut()
            .find(|r| r.toewijzing.id == id)
            .ok_or_else(|| AccessError::UnknownToewijzing(id.to_string()))
    }

    fn step(&mut self, rec: EventRecord) -> Result<(), AccessError> {
        let kind = rec.event.kind();
        if self.state.is_closed() {
            return Err(AccessError::Closed {
                state: self.state.clone(),
                event: kind,
            });
        }
        if kind == EventKind::Aangemeld {
            return Err(self.illegal(kind));
        }
        let last = self.history.last().expect("never empty").record.at;
        if rec.at < last {
            return Err(AccessError::OutOfOrder { last, at: rec.at });
        }
        self.authorize(&rec.actor, &rec.event)?;
        let from = self.state.clone();
        let mut facts = Vec::new();
        self.transition(&rec, &mut facts)?;
        self.history.push(HistoryEntry {
            seq: self.history.len(),
            record: rec,
            from: Some(from),
            to: self.state.clone(),
            facts,
        });
        Ok(())
    }

    fn transition(&mut self, rec: &EventRecord, facts: &mut Vec<Fact>) -> Result<(), AccessError> {
        use CaseEvent as E;
        use CaseState as S;
        let kind = rec.event.kind();
        let at = rec.at;
        match &rec.event {
            E::Aangemeld { .. } => return Err(self.illegal(kind)),

            E::OnderzoekGestart => match self.state {
                S::Aangemeld => self.state = S::InOnderzoek,
                _ => return Err(self.illegal(kind)),
            },

            E::WlzVerwezen { reden } => {
                let pending = self.wlz.last().is_some_and(|w| w.toegekend.is_none());
                match self.state {
                    S::InOnderzoek => self.state = S::WlzVerwezen,
                    // The contract partner may find no perspective on recovery during care.
                    S::InZorg if pending => return Err(AccessError::WlzAlreadyPending),
                    S::InZorg => {}
                    _ => return Err(self.illegal(kind)),
                }
                self.wlz.push(WlzVerwijzing {
                    verwezen_op: at.date(),
                    reden: reden.clone(),
                    toegekend: None,
                    ingangsdatum: None,
                });
            }

            E::WlzBesluit {
                toegekend,
                ingangsdatum,
            } => {
                if !matches!(self.state, S::WlzVerwezen | S::InZorg) {
                    return Err(self.illegal(kind));
                }
                let w = self
                    .wlz
                    .last_mut()
                    .filter(|w| w.toegekend.is_none())
                    .ok_or(AccessError::NoWlzReferral)?;
                if *toegekend {
                    let start = ingangsdatum.ok_or(AccessError::WlzStartMissing)?;
                    w.toegekend = Some(true);
                    w.ingangsdatum = Some(start);
                    let last_day = day_before(start);
                    self.stop_toewijzingen(last_day, reden::ANDER_DOMEIN, facts);
                    self.stop_overbrugging(last_day, facts);
                    self.close(Afsluiting::Wlz, facts);
                } else {
                    w.toegekend = Some(false);
                    // Only after a Wlz refusal is BW (or other Wmo support) considered again.
                    if self.state == S::WlzVerwezen {
                        self.state = S::InOnderzoek;
                    }
                }
            }

            E::DatAfgegeven {
                contractpartner, ..
            } => {
                self.require_route(Route::BeschermdWonenPerspectiefplan, kind)?;
                if self.state != S::InOnderzoek {
                    return Err(self.illegal(kind));
                }
                self.contractpartner = Some(*contractpartner);
                self.state = S::BijContractpartner;
            }

            E::PerspectiefplanOpgesteld { plan } => {
                self.require_route(Route::BeschermdWonenPerspectiefplan, kind)?;
                match self.state {
                    S::BijContractpartner => {}
                    S::PerspectiefplanBetwist if self.open_bezwaar().is_none() => {}
                    _ => return Err(self.illegal(kind)),
                }
                self.check_beschikking(&plan.beschikking, at)?;
                self.perspectiefplan = Some(plan.clone());
                self.state = S::PerspectiefplanVoorgelegd;
            }

            E::PerspectiefplanReactie { akkoord } => {
                self.require_route(Route::BeschermdWonenPerspectiefplan, kind)?;
                match (&self.state, akkoord) {
                    (S::PerspectiefplanVoorgelegd, true) => self.plan_binding(facts),
                    (S::PerspectiefplanBetwist, true) if self.open_bezwaar().is_none() => {
                        self.plan_binding(facts)
                    }
                    (S::PerspectiefplanVoorgelegd, false) => self.state = S::PerspectiefplanBetwist,
                    _ => return Err(self.illegal(kind)),
                }
            }

            E::BeschikkingAfgegeven { beschikking } => {
                match self.state {
                    S::InOnderzoek => {
                        // In Hart van Brabant the first beschikking is the perspectiefplan.
                        if self.route == Route::BeschermdWonenPerspectiefplan {
                            return Err(AccessError::WrongRoute {
                                route: self.route.kind(),
                                event: kind,
                            });
                        }
                    }
                    S::Beschikt | S::Toegewezen | S::InZorg => {
                        if self.herbeoordeling_sinds.is_none() {
                            return Err(AccessError::NoHerbeoordeling);
                        }
                    }
                    _ => return Err(self.illegal(kind)),
                }
                self.check_beschikking(beschikking, at)?;
                self.set_beschikking(beschikking.clone(), facts);
                self.herbeoordeling_sinds = None;
                if self.state == S::InOnderzoek {
                    self.state = S::Beschikt;
                }
            }

            E::Afgewezen {
                dagtekening,
                motivering,
                rechtsmiddelen,
            } => {
                if self.state != S::InOnderzoek {
                    return Err(self.illegal(kind));
                }
                not_after("dagtekening", *dagtekening, at)?;
                self.afwijzing = Some(Afwijzing {
                    dagtekening: *dagtekening,
                    motivering: motivering.clone(),
                    rechtsmiddelen: rechtsmiddelen.clone(),
                });
                self.state = S::Afgewezen;
            }

            E::Toegewezen { toewijzing, order } => {
                if !matches!(self.state, S::Beschikt | S::Toegewezen | S::InZorg) {
                    return Err(self.illegal(kind));
                }
                let b = self
                    .beschikking
                    .as_ref()
                    .ok_or(AccessError::NoBeschikking)?;
                if toewijzing.client != self.client.bsn() {
                    return Err(AccessError::ClientMismatch {
                        expected: self.client.bsn(),
                        got: toewijzing.client,
                    });
                }
                if toewijzing.beschikking_id != b.id {
                    return Err(CareError::Mismatch(toewijzing.id.clone()).into());
                }
                toewijzing.check_against(b)?;
                if self.toewijzing(&toewijzing.id).is_some() {
                    return Err(AccessError::DuplicateToewijzing(toewijzing.id.clone()));
                }
                // iWmo OP259: no stacked toewijzingen for one client, product and provider.
                if let Some(other) = self.toewijzingen.iter().find(|r| {
                    r.toewijzing.product == toewijzing.product
                        && r.toewijzing.provider == toewijzing.provider
                        && r.toewijzing.period.overlaps(&toewijzing.period)
                }) {
                    return Err(CareError::Overlap {
                        new: toewijzing.id.clone(),
                        existing: other.toewijzing.id.clone(),
                    }
                    .into());
                }
                if let Some(cp) = self.contractpartner {
                    if toewijzing.provider != cp {
                        return Err(AccessError::WrongAddressee {
                            expected: cp,
                            got: toewijzing.provider,
                        });
                    }
                }
                self.toewijzingen.push(ToewijzingRecord {
                    toewijzing: toewijzing.clone(),
                    order: order.clone(),
                    onderaannemer: None,
                    gestart_op: None,
                });
                if self.state == S::Beschikt {
                    self.state = S::Toegewezen;
                }
            }

            E::OnderaannemerGekozen {
                toewijzing_id,
                onderaannemer,
            } => {
                let r = self.record_mut(toewijzing_id)?;
                match &r.order.adressering {
                    Adressering::Direct => {
                        return Err(AccessError::NotViaHoofdaannemer(toewijzing_id.clone()))
                    }
                    Adressering::Hoofdaannemer { onderaannemers } => {
                        if !onderaannemers.contains(onderaannemer) {
                            return Err(AccessError::NotInConsortium {
                                toewijzing: toewijzing_id.clone(),
                                onderaannemer: *onderaannemer,
                            });
                        }
                    }
                }
                r.onderaannemer = Some(*onderaannemer);
            }

            E::OverbruggingszorgIngezet {
                aanbieder,
                product,
                start,
                omvang,
            } => {
                if !matches!(
                    self.state,
                    S::InOnderzoek
                        | S::BijContractpartner
                        | S::PerspectiefplanVoorgelegd
                        | S::PerspectiefplanBetwist
                        | S::Beschikt
                        | S::Toegewezen
                ) {
                    return Err(self.illegal(kind));
                }
                // A new arrangement replaces a running one.
                self.stop_overbrugging(day_before(*start), facts);
                self.overbrugging.push(Overbruggingszorg {
                    aanbieder: *aanbieder,
                    product: *product,
                    omvang: *omvang,
                    periode: Period::open(*start),
                });
            }

            E::ZorgGestart {
                toewijzing_id,
                start,
            } => {
                if !matches!(self.state, S::Toegewezen | S::InZorg) {
                    return Err(self.illegal(kind));
                }
                not_after("start", *start, at)?;
                let r = self.record_mut(toewijzing_id)?;
                if r.gestart_op.is_some() {
                    return Err(AccessError::AlreadyStarted(toewijzing_id.clone()));
                }
                if !r.toewijzing.period.contains(*start) {
                    return Err(AccessError::StartOutsideToewijzing {
                        toewijzing: toewijzing_id.clone(),
                        start: *start,
                    });
                }
                r.gestart_op = Some(*start);
                // Placement ends overbruggingszorg.
                self.stop_overbrugging(day_before(*start), facts);
                self.state = S::InZorg;
            }

            E::Geevalueerd {
                datum,
                deelnemers,
                bevindingen,
            } => {
                if self.state != S::InZorg {
                    return Err(self.illegal(kind));
                }
                not_after("datum", *datum, at)?;
                if self.route == Route::BeschermdWonenPerspectiefplan {
                    // Evaluations are a conversation of client, provider and regional team.
                    let missing: Vec<Role> =
                        [Role::Client, Role::Provider, Role::RegionalAccessTeam]
                            .into_iter()
                            .filter(|r| !deelnemers.contains(r))
                            .collect();
                    if !missing.is_empty() {
                        return Err(AccessError::EvaluationIncomplete(missing));
                    }
                }
                self.evaluaties.push(Evaluatie {
                    datum: *datum,
                    deelnemers: deelnemers.clone(),
                    bevindingen: bevindingen.clone(),
                });
            }

            E::HerbeoordelingGestart => {
                if !matches!(self.state, S::Toegewezen | S::InZorg)
                    || self.herbeoordeling_sinds.is_some()
                {
                    return Err(self.illegal(kind));
                }
                self.herbeoordeling_sinds = Some(at.date());
            }

            E::ToewijzingBeeindigd {
                toewijzing_id,
                einde,
                reden,
            } => {
                if !matches!(self.state, S::Beschikt | S::Toegewezen | S::InZorg) {
                    return Err(self.illegal(kind));
                }
                let r = self.record_mut(toewijzing_id)?;
                let t = &mut r.toewijzing;
                if t.period.end().is_some_and(|e| e <= *einde) {
                    return Err(AccessError::CannotEnd {
                        id: toewijzing_id.clone(),
                        einde: *einde,
                        current: t.period.end(),
                    });
                }
                t.period = t
                    .period
                    .with_end(*einde)
                    .map_err(|_| CareError::EndBeforeStart {
                        id: toewijzing_id.clone(),
                        start: t.period.start(),
                        end: *einde,
                    })?;
                t.reden_wijziging = Some(*reden);
                facts.push(Fact::ToewijzingGestopt {
                    id: toewijzing_id.clone(),
                    einde: *einde,
                    reden: *reden,
                });
            }

            E::Afgeschaald { beschikking } => {
                if self.state != S::InZorg {
                    return Err(self.illegal(kind));
                }
                self.check_beschikking(beschikking, at)?;
                self.stop_toewijzingen(
                    day_before(beschikking.duur.start()),
                    reden::VERKORTING,
                    facts,
                );
                self.set_beschikking(beschikking.clone(), facts);
                self.herbeoordeling_sinds = None;
                self.state = S::Beschikt;
            }

            E::Uitgestroomd {
                laatste_dag,
                bestemming,
            } => {
                if self.state != S::InZorg {
                    return Err(self.illegal(kind));
                }
                if self.route == Route::BeschermdWonenPerspectiefplan
                    && !matches!(
                        bestemming,
                        Bestemming::LokaalTeam { .. } | Bestemming::Overleden
                    )
                {
                    return Err(AccessError::HandoverRequired);
                }
                let (afsluiting, r) = match bestemming {
                    Bestemming::LokaalTeam { gemeente } => {
                        self.dossier_overgedragen_aan = Some(*gemeente);
                        (
                            Afsluiting::LokaalTeam {
                                gemeente: *gemeente,
                            },
                            reden::VERKORTING,
                        )
                    }
                    Bestemming::Beeindigd => (Afsluiting::Beeindigd, reden::VERKORTING),
                    Bestemming::TerugNaarHerkomst { gemeente } => {
                        let expected = match self.route {
                            Route::Safehouse { herkomst } => Some(herkomst),
                            _ => None,
                        };
                        if expected != Some(*gemeente) {
                            return Err(AccessError::WrongHerkomst {
                                expected,
                                got: *gemeente,
                            });
                        }
                        self.dossier_overgedragen_aan = Some(*gemeente);
                        (
                            Afsluiting::TerugNaarHerkomst {
                                gemeente: *gemeente,
                            },
                            reden::VERKORTING,
                        )
                    }
                    Bestemming::Overleden => (Afsluiting::Overleden, reden::OVERLEDEN),
                };
                self.stop_toewijzingen(*laatste_dag, r, facts);
                self.stop_overbrugging(*laatste_dag, facts);
                self.close(afsluiting, facts);
            }

            E::Ingetrokken { .. } => {
                if self.state == S::InZorg {
                    // Once care runs, ending it is an uitstroom with a destination.
                    return Err(self.illegal(kind));
                }
                self.stop_toewijzingen(at.date(), reden::VERKORTING, facts);
                self.stop_overbrugging(at.date(), facts);
                self.close(Afsluiting::Ingetrokken, facts);
            }

            E::BezwaarIngediend {
                ingediend_op,
                gronden,
                verschoonbaar,
            } => {
                not_after("ingediend_op", *ingediend_op, at)?;
                let (tegen, dagtekening) = match self.state {
                    S::Afgewezen => {
                        let a = self.afwijzing.as_ref().expect("invariant");
                        (
                            BezwaarTegen::Afwijzing {
                                dagtekening: a.dagtekening,
                            },
                            a.dagtekening,
                        )
                    }
                    S::PerspectiefplanBetwist => {
                        let b = &self
                            .perspectiefplan
                            .as_ref()
                            .expect("invariant")
                            .beschikking;
                        (
                            BezwaarTegen::Perspectiefplan {
                                beschikking_id: b.id.clone(),
                            },
                            b.decided_on,
                        )
                    }
                    S::Beschikt | S::Toegewezen | S::InZorg => {
                        let b = self
                            .beschikking
                            .as_ref()
                            .ok_or(AccessError::NoBeschikking)?;
                        (BezwaarTegen::Beschikking { id: b.id.clone() }, b.decided_on)
                    }
                    _ => return Err(self.illegal(kind)),
                };
                if self.open_bezwaar().is_some() {
                    return Err(AccessError::BezwaarAlreadyOpen);
                }
                if let Some(prev) = self.bezwaren.iter().find(|b| b.tegen == tegen) {
                    return Err(AccessError::AlreadyObjected(
                        prev.beslist_op.expect("only the last can be open"),
                    ));
                }
                let termijn_einde = dagtekening + Days::new(BEZWAARTERMIJN_DAGEN);
                if *ingediend_op > termijn_einde && !verschoonbaar {
                    return Err(AccessError::BezwaarTooLate {
                        dagtekening,
                        term_end: termijn_einde,
                        lodged: *ingediend_op,
                    });
                }
                // Awb 7:10: the decision term runs from the end of the bezwaar term.
                facts.push(Fact::BeslistermijnAnker {
                    datum: termijn_einde.max(*ingediend_op),
                });
                self.bezwaren.push(Bezwaar {
                    tegen,
                    dagtekening_besluit: dagtekening,
                    termijn_einde,
                    ingediend_op: *ingediend_op,
                    gronden: gronden.clone(),
                    verschoonbaar: *verschoonbaar,
                    beslist_op: None,
                    uitkomst: None,
                });
            }

            E::BezwaarBeslist {
                beslist_op,
                uitkomst,
            } => {
                let open = self
                    .open_bezwaar()
                    .ok_or(AccessError::NoOpenBezwaar)?
                    .clone();
                if *beslist_op < open.ingediend_op {
                    return Err(AccessError::DecidedBeforeLodged {
                        lodged: open.ingediend_op,
                        decided: *beslist_op,
                    });
                }
                not_after("beslist_op", *beslist_op, at)?;
                self.decide_bezwaar(&open.tegen, uitkomst, at, facts)?;
                let b = self.bezwaren.last_mut().expect("open exists");
                b.beslist_op = Some(*beslist_op);
                b.uitkomst = Some(uitkomst.clone());
            }

            E::AfwijzingOnherroepelijk => {
                if self.state != S::Afgewezen {
                    return Err(self.illegal(kind));
                }
                if self.open_bezwaar().is_some() {
                    return Err(AccessError::BezwaarAlreadyOpen);
                }
                let decided = self
                    .bezwaren
                    .iter()
                    .any(|b| matches!(b.tegen, BezwaarTegen::Afwijzing { .. }));
                let termijn_einde = self.bezwaartermijn_einde().expect("afwijzing present");
                if !decided && at.date() <= termijn_einde {
                    return Err(AccessError::BezwaartermijnLoopt(termijn_einde));
                }
                // Bridging care started during the onderzoek has nothing left to bridge.
                self.stop_overbrugging(at.date(), facts);
                self.close(Afsluiting::AfwijzingDefinitief, facts);
            }

            E::Verhuisd { naar, datum } => self.verhuis(*naar, *datum, facts)?,
        }
        Ok(())
    }

    fn plan_binding(&mut self, facts: &mut Vec<Fact>) {
        let plan = self
            .perspectiefplan
            .clone()
            .expect("plan present in this state");
        self.set_beschikking(plan.beschikking, facts);
        facts.push(Fact::EvaluatiesGepland {
            data: plan.evaluatiemomenten,
        });
        self.state = CaseState::Beschikt;
    }

    fn decide_bezwaar(
        &mut self,
        tegen: &BezwaarTegen,
        uitkomst: &BezwaarUitkomst,
        at: NaiveDateTime,
        facts: &mut Vec<Fact>,
    ) -> Result<(), AccessError> {
        use BezwaarUitkomst as U;
        match (tegen, uitkomst) {
            (
                BezwaarTegen::Beschikking { .. },
                U::Gegrond {
                    herziene_beschikking,
                },
            ) => {
                let nb = herziene_beschikking
                    .as_ref()
                    .ok_or(AccessError::RevisionMissing)?;
                self.check_beschikking(nb, at)?;
                let old_id = self.beschikking.as_ref().map(|b| b.id.clone());
                // Running toewijzingen now execute the revised decision and must fit it.
                for r in &mut self.toewijzingen {
                    if Some(&r.toewijzing.beschikking_id) != old_id.as_ref()
                        || !r.runs_on_or_after(nb.duur.start())
                    {
                        continue;
                    }
                    let mut t = r.toewijzing.clone();
                    t.beschikking_id = nb.id.clone();
                    if t.check_against(nb).is_err() {
                        return Err(AccessError::ToewijzingDoesNotFit(t.id));
                    }
                    r.toewijzing = t;
                }
                self.set_beschikking(nb.clone(), facts);
            }
            (BezwaarTegen::Beschikking { .. }, U::Ongegrond | U::NietOntvankelijk) => {}
            (
                BezwaarTegen::Afwijzing { .. },
                U::Gegrond {
                    herziene_beschikking,
                },
            ) => {
                match herziene_beschikking {
                    Some(nb) => {
                        self.check_beschikking(nb, at)?;
                        self.set_beschikking(nb.clone(), facts);
                        self.state = CaseState::Beschikt;
                    }
                    // The request is reconsidered with a new onderzoek.
                    None => self.state = CaseState::InOnderzoek,
                }
            }
            (BezwaarTegen::Afwijzing { .. }, U::Ongegrond | U::NietOntvankelijk) => {}
            (
                BezwaarTegen::Perspectiefplan { .. },
                U::Gegrond {
                    herziene_beschikking,
                },
            ) => {
                match herziene_beschikking {
                    Some(nb) => {
                        self.check_beschikking(nb, at)?;
                        let dates = self
                            .perspectiefplan
                            .as_ref()
                            .map(|p| p.evaluatiemomenten.clone())
                            .unwrap_or_default();
                        if let Some(p) = self.perspectiefplan.as_mut() {
                            p.beschikking = nb.clone();
                        }
                        self.set_beschikking(nb.clone(), facts);
                        facts.push(Fact::EvaluatiesGepland { data: dates });
                        self.state = CaseState::Beschikt;
                    }
                    // The contract partner draws up a new plan.
                    None => self.state = CaseState::BijContractpartner,
                }
            }
            (BezwaarTegen::Perspectiefplan { .. }, U::Ongegrond | U::NietOntvankelijk) => {
                // The plan as drawn up stands and binds.
                self.plan_binding(facts);
            }
        }
        Ok(())
    }

    fn verhuis(
        &mut self,
        naar: Gemeentecode,
        datum: NaiveDate,
        facts: &mut Vec<Fact>,
    ) -> Result<(), AccessError> {
        self.client.move_to(naar, datum)?;
        let last_day = day_before(datum);
        let mut ended = 0;
        let mut continuing = 0;
        for i in 0..self.toewijzingen.len() {
            let r = &self.toewijzingen[i];
            if !r.runs_on_or_after(datum) {
                continue;
            }
            if r.order.dekking.covers(naar) {
                // Region-wide arrangement: it continues, the payer follows the residence.
                continuing += 1;
                continue;
            }
            let t = &mut self.toewijzingen[i].toewijzing;
            let (end, reden) = if t.period.start() > last_day {
                (t.period.start(), reden::VERWIJDERD)
            } else {
                (last_day, reden::VERHUIZING)
            };
            t.period = end_period(t.period, end);
            t.reden_wijziging = Some(reden);
            facts.push(Fact::ToewijzingGestopt {
                id: t.id.clone(),
                einde: end,
                reden,
            });
            ended += 1;
        }
        // Overbruggingszorg is the old municipality's arrangement; the new one arranges its own.
        self.stop_overbrugging(last_day, facts);
        let follows_residence = matches!(self.route, Route::Maatwerk | Route::Respijt);
        if ended > 0
            && continuing == 0
            && matches!(self.state, CaseState::Toegewezen | CaseState::InZorg)
        {
            self.dossier_overgedragen_aan = Some(naar);
            self.close(Afsluiting::Overgedragen { aan: naar }, facts);
        } else if follows_residence && self.toegang_gemeente != naar {
            facts.push(Fact::ToegangOvergedragen {
                van: self.toegang_gemeente,
                naar,
            });
            self.toegang_gemeente = naar;
        }
        Ok(())
    }
}

/// The client's BSN of a case (shortcut used by registers and deadlines).
impl Case {
    /// BSN of the client.
    pub fn bsn(&self) -> Bsn {
        self.client.bsn()
    }
}
