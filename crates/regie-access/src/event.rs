//! Case events: the only way a case changes. Events are plain serde data so
//! the store can persist them and [`crate::Case::replay`] can rebuild a case.

use crate::actor::Actor;
use chrono::{NaiveDate, NaiveDateTime};
use regie_domain::{
    AgbCode, Beschikking, Bsn, Gemeentecode, Omvang, PayerRule, ProductRef, RedenWijziging,
    Toewijzing,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which access route a case follows; routes differ in who decides and which
/// steps are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Route {
    /// The municipality's local toegang researches and decides (Meierij,
    /// Amersfoort aanvullende begeleiding via the lokaal team, Nijmegen ambulant via the Buurtteam).
    Maatwerk,
    /// Beschermd wonen through a regional access team that researches and
    /// decides (Nijmegen TBW, Amersfoort).
    BeschermdWonen,
    /// Beschermd wonen the Hart van Brabant way: DAT-bepaling by the regional
    /// team, perspectiefplan by the contract partner as part of the beschikking.
    BeschermdWonenPerspectiefplan,
    /// Begeleid wonen in a safehouse: at most one year, then back to the
    /// municipality of origin (Amersfoort).
    Safehouse {
        /// Municipality of origin the client returns to.
        herkomst: Gemeentecode,
    },
    /// Respijtverblijf: a short stay to relieve informal carers (Amersfoort).
    Respijt,
}

impl Route {
    /// The route without its data, for rule filters.
    pub fn kind(&self) -> RouteKind {
        match self {
            Route::Maatwerk => RouteKind::Maatwerk,
            Route::BeschermdWonen => RouteKind::BeschermdWonen,
            Route::BeschermdWonenPerspectiefplan => RouteKind::BeschermdWonenPerspectiefplan,
            Route::Safehouse { .. } => RouteKind::Safehouse,
            Route::Respijt => RouteKind::Respijt,
        }
    }

    /// Whether the regional access team (not a local toegang) holds the case.
    pub fn is_regional(&self) -> bool {
        matches!(
            self,
            Route::BeschermdWonen | Route::BeschermdWonenPerspectiefplan
        )
    }
}

/// [`Route`] without data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    /// See [`Route::Maatwerk`].
    Maatwerk,
    /// See [`Route::BeschermdWonen`].
    BeschermdWonen,
    /// See [`Route::BeschermdWonenPerspectiefplan`].
    BeschermdWonenPerspectiefplan,
    /// See [`Route::Safehouse`].
    Safehouse,
    /// See [`Route::Respijt`].
    Respijt,
}

/// Client data captured at aanmelding (builds a [`regie_domain::Client`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientGegevens {
    /// BSN.
    pub bsn: Bsn,
    /// Birth date.
    pub geboortedatum: NaiveDate,
    /// Municipality of residence at aanmelding.
    pub gemeente: Gemeentecode,
    /// Living there since.
    pub woont_sinds: NaiveDate,
    /// Name, sex and address from the BRP, when the toegang has them; a WMO301
    /// to a provider needs them (absent in events recorded before they existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persoonsgegevens: Option<regie_domain::Persoonsgegevens>,
}

/// The plan the BW contract partner draws up with client and regional team
/// (Hart van Brabant). It carries the beschikking it becomes part of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Perspectiefplan {
    /// The beschikking (aard, omvang, duur, motivation, rechtsmiddelen) the
    /// plan specifies; the provider drafts it under mandate of the college.
    pub beschikking: Beschikking,
    /// Goals towards independence.
    pub doelen: Vec<String>,
    /// Planned evaluation moments of client, provider and access team.
    pub evaluatiemomenten: Vec<NaiveDate>,
    /// Agreed form of overbruggingszorg and who is responsible, if placement is not immediate.
    pub overbrugging: Option<String>,
}

/// How a toewijzing is addressed: directly, or to a hoofdaannemer who routes
/// the care to one of its onderaannemers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Adressering {
    /// The addressed provider delivers itself.
    Direct,
    /// Addressed to the hoofdaannemer (single point of contact); it may route
    /// delivery to one of `onderaannemers`.
    Hoofdaannemer {
        /// The consortium's onderaannemers eligible to deliver.
        onderaannemers: Vec<AgbCode>,
    },
}

/// Where a toewijzing's arrangement is valid: region-wide lots survive a move
/// inside the region (only the payer changes); municipal ones end on a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dekking {
    /// Valid for residents of any of these municipalities.
    Regio {
        /// Member municipalities.
        gemeenten: Vec<Gemeentecode>,
    },
    /// Valid only for residents of one municipality.
    Gemeente {
        /// The municipality.
        gemeente: Gemeentecode,
    },
}

impl Dekking {
    /// Whether a resident of `g` is covered.
    pub fn covers(&self, g: Gemeentecode) -> bool {
        match self {
            Dekking::Regio { gemeenten } => gemeenten.contains(&g),
            Dekking::Gemeente { gemeente } => *gemeente == g,
        }
    }
}

/// The contract context of a toewijzing, snapshotted at ordering time so that
/// replay does not depend on contracts that may have changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInfo {
    /// Lot (perceel) id.
    pub lot_id: String,
    /// Contract id.
    pub contract_id: String,
    /// Addressing (direct or via hoofdaannemer).
    pub adressering: Adressering,
    /// Where the arrangement is valid.
    pub dekking: Dekking,
    /// Who pays.
    pub betaler: PayerRule,
}

/// Where a client goes when their care in this case ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bestemming {
    /// Doorstroom to the local team / voorliggend veld of `gemeente`; the file
    /// is handed over to that municipality's toegang.
    LokaalTeam {
        /// Destination municipality.
        gemeente: Gemeentecode,
    },
    /// Care completed (goals reached), nothing follows.
    Beeindigd,
    /// Safehouse stay ends; the client returns to the municipality of origin.
    TerugNaarHerkomst {
        /// Municipality of origin.
        gemeente: Gemeentecode,
    },
    /// The client died.
    Overleden,
}

/// The outcome of a bezwaar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BezwaarUitkomst {
    /// Well-founded: the decision is revised. With `herziene_beschikking` the
    /// new decision is taken at once; without it the matter is reconsidered
    /// (new onderzoek, or a new perspectiefplan).
    Gegrond {
        /// The revised beschikking, if decided in the same decision.
        herziene_beschikking: Option<Beschikking>,
    },
    /// Unfounded: the decision is upheld.
    Ongegrond,
    /// Inadmissible (e.g. late without excuse): the decision stands.
    NietOntvankelijk,
}

/// Everything that can happen to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CaseEvent {
    /// Aanmelding (melding): the case opens. Must be the first event.
    Aangemeld {
        /// Case id.
        case_id: String,
        /// The client.
        client: ClientGegevens,
        /// Access route.
        route: Route,
        /// The municipality whose toegang holds the case (the centrumgemeente for BW).
        toegang_gemeente: Gemeentecode,
        /// The support question in the client's words.
        hulpvraag: String,
    },
    /// The onderzoek (Wmo 2015 art. 2.3.2) starts.
    OnderzoekGestart,
    /// Wlz is voorliggend: the client is referred to the CIZ.
    WlzVerwezen {
        /// Why Wlz care seems indicated.
        reden: String,
    },
    /// The CIZ decided on the Wlz request.
    WlzBesluit {
        /// Whether a Wlz indication was granted.
        toegekend: bool,
        /// First day of Wlz care, when granted.
        ingangsdatum: Option<NaiveDate>,
    },
    /// DAT-bepaling: the regional team finds beschermd wonen the right support
    /// and refers the client to a contract partner.
    DatAfgegeven {
        /// The BW contract partner (hoofdaannemer) that draws up the perspectiefplan.
        contractpartner: AgbCode,
        /// Why BW is the right support.
        motivering: String,
    },
    /// The contract partner delivers the perspectiefplan.
    PerspectiefplanOpgesteld {
        /// The plan.
        plan: Perspectiefplan,
    },
    /// The client agrees (binding) or disagrees with the perspectiefplan.
    PerspectiefplanReactie {
        /// Agreement.
        akkoord: bool,
    },
    /// A beschikking is issued (first decision, extension or change).
    BeschikkingAfgegeven {
        /// The decision.
        beschikking: Beschikking,
    },
    /// Afwijzing: the request is refused.
    Afgewezen {
        /// Dagtekening of the refusal.
        dagtekening: NaiveDate,
        /// Legal motivation.
        motivering: String,
        /// Rechtsmiddelenclausule.
        rechtsmiddelen: String,
    },
    /// A toewijzing (order) is sent to a provider.
    Toegewezen {
        /// The order.
        toewijzing: Toewijzing,
        /// Its contract context.
        order: OrderInfo,
    },
    /// The hoofdaannemer routes delivery of a toewijzing to an onderaannemer.
    OnderaannemerGekozen {
        /// Toewijzing id.
        toewijzing_id: String,
        /// The delivering onderaannemer.
        onderaannemer: AgbCode,
    },
    /// Overbruggingszorg while the client waits for placement, arranged and
    /// paid by the municipality of residence.
    OverbruggingszorgIngezet {
        /// Delivering provider.
        aanbieder: AgbCode,
        /// Product (usually ambulante begeleiding).
        product: ProductRef,
        /// First day.
        start: NaiveDate,
        /// Volume, if set.
        omvang: Option<Omvang>,
    },
    /// Care starts on a toewijzing (iWmo start message; for BW: placement).
    ZorgGestart {
        /// Toewijzing id.
        toewijzing_id: String,
        /// First day of delivery.
        start: NaiveDate,
    },
    /// An evaluation took place.
    Geevalueerd {
        /// Date of the conversation.
        datum: NaiveDate,
        /// Who took part.
        deelnemers: Vec<crate::actor::Role>,
        /// Findings.
        bevindingen: String,
    },
    /// Re-assessment (herbeoordeling) before the beschikking ends.
    HerbeoordelingGestart,
    /// One toewijzing ends early.
    ToewijzingBeeindigd {
        /// Toewijzing id.
        toewijzing_id: String,
        /// Last day.
        einde: NaiveDate,
        /// iWmo reden (WMO002).
        reden: RedenWijziging,
    },
    /// Afschaling: a lighter beschikking replaces the current one; running
    /// toewijzingen end the day before it starts and new ones must follow.
    Afgeschaald {
        /// The lighter decision.
        beschikking: Beschikking,
    },
    /// Doorstroom/uitstroom: the case ends with care ending on `laatste_dag`.
    Uitgestroomd {
        /// Last day of care.
        laatste_dag: NaiveDate,
        /// Where the client goes.
        bestemming: Bestemming,
    },
    /// The client withdraws the request (intrekking) before care starts.
    Ingetrokken {
        /// Why.
        reden: String,
    },
    /// The client lodges bezwaar against the current decision.
    BezwaarIngediend {
        /// Date of receipt.
        ingediend_op: NaiveDate,
        /// Grounds.
        gronden: String,
        /// A late bezwaar is admissible when the delay is excusable (Awb 6:11).
        verschoonbaar: bool,
    },
    /// The college decides on the open bezwaar.
    BezwaarBeslist {
        /// Date of the decision.
        beslist_op: NaiveDate,
        /// Outcome.
        uitkomst: BezwaarUitkomst,
    },
    /// The afwijzing became final: the bezwaar term passed without bezwaar,
    /// or the bezwaar was decided against the client.
    AfwijzingOnherroepelijk,
    /// The client moved (woonplaatsbeginsel: payer changes on `datum`).
    Verhuisd {
        /// Destination municipality.
        naar: Gemeentecode,
        /// First day of residence there.
        datum: NaiveDate,
    },
}

/// [`CaseEvent`] without data: for errors, permission tables and deadline rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum EventKind {
    Aangemeld,
    OnderzoekGestart,
    WlzVerwezen,
    WlzBesluit,
    DatAfgegeven,
    PerspectiefplanOpgesteld,
    PerspectiefplanReactie,
    BeschikkingAfgegeven,
    Afgewezen,
    Toegewezen,
    OnderaannemerGekozen,
    OverbruggingszorgIngezet,
    ZorgGestart,
    Geevalueerd,
    HerbeoordelingGestart,
    ToewijzingBeeindigd,
    Afgeschaald,
    Uitgestroomd,
    Ingetrokken,
    BezwaarIngediend,
    BezwaarBeslist,
    AfwijzingOnherroepelijk,
    Verhuisd,
}

impl EventKind {
    /// Human label with the Dutch term of art.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Aangemeld => "aanmelding",
            EventKind::OnderzoekGestart => "onderzoek started",
            EventKind::WlzVerwezen => "referral to CIZ (Wlz)",
            EventKind::WlzBesluit => "Wlz decision",
            EventKind::DatAfgegeven => "DAT-bepaling",
            EventKind::PerspectiefplanOpgesteld => "perspectiefplan delivered",
            EventKind::PerspectiefplanReactie => "client response to perspectiefplan",
            EventKind::BeschikkingAfgegeven => "beschikking",
            EventKind::Afgewezen => "afwijzing",
            EventKind::Toegewezen => "toewijzing",
            EventKind::OnderaannemerGekozen => "routing to onderaannemer",
            EventKind::OverbruggingszorgIngezet => "overbruggingszorg",
            EventKind::ZorgGestart => "start of care",
            EventKind::Geevalueerd => "evaluatie",
            EventKind::HerbeoordelingGestart => "herbeoordeling",
            EventKind::ToewijzingBeeindigd => "end of toewijzing",
            EventKind::Afgeschaald => "afschaling",
            EventKind::Uitgestroomd => "uitstroom",
            EventKind::Ingetrokken => "withdrawal",
            EventKind::BezwaarIngediend => "bezwaar lodged",
            EventKind::BezwaarBeslist => "decision on bezwaar",
            EventKind::AfwijzingOnherroepelijk => "afwijzing final",
            EventKind::Verhuisd => "move",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl CaseEvent {
    /// The kind of this event.
    pub fn kind(&self) -> EventKind {
        match self {
            CaseEvent::Aangemeld { .. } => EventKind::Aangemeld,
            CaseEvent::OnderzoekGestart => EventKind::OnderzoekGestart,
            CaseEvent::WlzVerwezen { .. } => EventKind::WlzVerwezen,
            CaseEvent::WlzBesluit { .. } => EventKind::WlzBesluit,
            CaseEvent::DatAfgegeven { .. } => EventKind::DatAfgegeven,
            CaseEvent::PerspectiefplanOpgesteld { .. } => EventKind::PerspectiefplanOpgesteld,
            CaseEvent::PerspectiefplanReactie { .. } => EventKind::PerspectiefplanReactie,
            CaseEvent::BeschikkingAfgegeven { .. } => EventKind::BeschikkingAfgegeven,
            CaseEvent::Afgewezen { .. } => EventKind::Afgewezen,
            CaseEvent::Toegewezen { .. } => EventKind::Toegewezen,
            CaseEvent::OnderaannemerGekozen { .. } => EventKind::OnderaannemerGekozen,
            CaseEvent::OverbruggingszorgIngezet { .. } => EventKind::OverbruggingszorgIngezet,
            CaseEvent::ZorgGestart { .. } => EventKind::ZorgGestart,
            CaseEvent::Geevalueerd { .. } => EventKind::Geevalueerd,
            CaseEvent::HerbeoordelingGestart => EventKind::HerbeoordelingGestart,
            CaseEvent::ToewijzingBeeindigd { .. } => EventKind::ToewijzingBeeindigd,
            CaseEvent::Afgeschaald { .. } => EventKind::Afgeschaald,
            CaseEvent::Uitgestroomd { .. } => EventKind::Uitgestroomd,
            CaseEvent::Ingetrokken { .. } => EventKind::Ingetrokken,
            CaseEvent::BezwaarIngediend { .. } => EventKind::BezwaarIngediend,
            CaseEvent::BezwaarBeslist { .. } => EventKind::BezwaarBeslist,
            CaseEvent::AfwijzingOnherroepelijk => EventKind::AfwijzingOnherroepelijk,
            CaseEvent::Verhuisd { .. } => EventKind::Verhuisd,
        }
    }

    /// The date the event takes effect: the date it carries, or the day it was recorded.
    pub fn effective_date(&self, recorded: NaiveDateTime) -> NaiveDate {
        match self {
            CaseEvent::BeschikkingAfgegeven { beschikking }
            | CaseEvent::Afgeschaald { beschikking } => beschikking.decided_on,
            CaseEvent::Afgewezen { dagtekening, .. } => *dagtekening,
            CaseEvent::OverbruggingszorgIngezet { start, .. }
            | CaseEvent::ZorgGestart { start, .. } => *start,
            CaseEvent::Geevalueerd { datum, .. } | CaseEvent::Verhuisd { datum, .. } => *datum,
            CaseEvent::Uitgestroomd { laatste_dag, .. } => *laatste_dag,
            CaseEvent::BezwaarIngediend { ingediend_op, .. } => *ingediend_op,
            CaseEvent::BezwaarBeslist { beslist_op, .. } => *beslist_op,
            _ => recorded.date(),
        }
    }
}

/// One event as recorded: when, by whom, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// When it was recorded (passed in; the crate never reads a clock).
    pub at: NaiveDateTime,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub event: CaseEvent,
}

impl EventRecord {
    /// Builds a record.
    pub fn new(at: NaiveDateTime, actor: Actor, event: CaseEvent) -> Self {
        EventRecord { at, actor, event }
    }

    /// The date the event takes effect.
    pub fn effective_date(&self) -> NaiveDate {
        self.event.effective_date(self.at)
    }
}

/// Derived facts an applied event produced, kept in the history so deadline
/// rules can anchor on them (e.g. the end of a beschikking that became current).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    /// A beschikking became the current decision.
    NieuweBeschikking {
        /// Beschikking id.
        id: String,
        /// Its duur end, if closed.
        einde: Option<NaiveDate>,
    },
    /// Evaluation moments were planned.
    EvaluatiesGepland {
        /// The planned dates.
        data: Vec<NaiveDate>,
    },
    /// A bezwaar was lodged; the Awb 7:10 decision term counts from this date
    /// (the end of the bezwaar term, or the lodging date when later).
    BeslistermijnAnker {
        /// Anchor date.
        datum: NaiveDate,
    },
    /// A toewijzing was ended or deleted.
    ToewijzingGestopt {
        /// Toewijzing id.
        id: String,
        /// New last day.
        einde: NaiveDate,
        /// Reden (WMO002).
        reden: RedenWijziging,
    },
    /// Overbruggingszorg ended.
    OverbruggingGestopt {
        /// Last day.
        einde: NaiveDate,
    },
    /// The case moved to another municipality's toegang.
    ToegangOvergedragen {
        /// From.
        van: Gemeentecode,
        /// To.
        naar: Gemeentecode,
    },
    /// The case closed.
    Gesloten,
}
