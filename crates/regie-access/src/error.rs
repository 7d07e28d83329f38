//! Why the case machine refused an event.

use crate::actor::Role;
use crate::case::CaseState;
use crate::event::{EventKind, RouteKind};
use chrono::{NaiveDate, NaiveDateTime};
use regie_domain::{AgbCode, Bsn, CareError, ClientError, Gemeentecode};
use thiserror::Error;

/// A refused event. The case is left unchanged whenever one is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessError {
    /// The event is not allowed in the current state.
    #[error("{event} is not allowed in state {state}")]
    IllegalTransition {
        /// Current state.
        state: CaseState,
        /// Refused event.
        event: EventKind,
    },
    /// A closed case accepts nothing.
    #[error("case is closed ({state}); {event} refused")]
    Closed {
        /// The closed state.
        state: CaseState,
        /// Refused event.
        event: EventKind,
    },
    /// A case history must start with an aanmelding.
    #[error("a case must start with an aanmelding, got {0}")]
    NotOpened(EventKind),
    /// An empty history cannot be replayed.
    #[error("no events to replay")]
    EmptyHistory,
    /// The event is not available on this route.
    #[error("{event} does not belong to route {route:?}")]
    WrongRoute {
        /// Case route.
        route: RouteKind,
        /// Refused event.
        event: EventKind,
    },
    /// The actor's role may not do this.
    #[error("a {role} may not record {event} (allowed: {allowed:?})")]
    Unauthorized {
        /// Actor role.
        role: Role,
        /// Refused event.
        event: EventKind,
        /// Roles that may.
        allowed: Vec<Role>,
    },
    /// A toegang worker of another municipality acted on the case.
    #[error("toegang of {actor} may not act for {expected}")]
    WrongToegang {
        /// The worker's municipality.
        actor: Gemeentecode,
        /// The responsible municipality.
        expected: Gemeentecode,
    },
    /// The wrong provider acted (not the contract partner or addressee).
    #[error("provider {actor} acted where {expected} is responsible")]
    WrongProvider {
        /// Acting provider.
        actor: AgbCode,
        /// Responsible provider.
        expected: AgbCode,
    },
    /// Events must be recorded in time order.
    #[error("event at {at} is earlier than the last event at {last}")]
    OutOfOrder {
        /// Last recorded time.
        last: NaiveDateTime,
        /// Offered time.
        at: NaiveDateTime,
    },
    /// A date inside the event lies after the moment it was recorded.
    #[error("{what} {date} lies after the recording date {recorded}")]
    FutureDate {
        /// Which date.
        what: &'static str,
        /// The date.
        date: NaiveDate,
        /// Recording date.
        recorded: NaiveDate,
    },
    /// A decision or toewijzing concerns another client.
    #[error("document is for client {got}, case is for {expected}")]
    ClientMismatch {
        /// Case client.
        expected: Bsn,
        /// Document client.
        got: Bsn,
    },
    /// A domain rule on toewijzingen failed.
    #[error(transparent)]
    Care(#[from] CareError),
    /// A domain rule on clients failed (e.g. a move out of order).
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Unknown toewijzing id.
    #[error("toewijzing {0} is not part of this case")]
    UnknownToewijzing(String),
    /// A toewijzing id is used twice.
    #[error("toewijzing {0} already exists in this case")]
    DuplicateToewijzing(String),
    /// The toewijzing's provider is not the addressee it must be.
    #[error("toewijzing must be addressed to {expected}, not {got}")]
    WrongAddressee {
        /// Required addressee.
        expected: AgbCode,
        /// Offered.
        got: AgbCode,
    },
    /// Routing to an onderaannemer on a direct order.
    #[error("toewijzing {0} is a direct order; there is no hoofdaannemer to route it")]
    NotViaHoofdaannemer(String),
    /// The onderaannemer is not part of the consortium.
    #[error(
        "{onderaannemer} is not an onderaannemer of the consortium for toewijzing {toewijzing}"
    )]
    NotInConsortium {
        /// Toewijzing.
        toewijzing: String,
        /// Offered onderaannemer.
        onderaannemer: AgbCode,
    },
    /// Care already started on this toewijzing.
    #[error("care on toewijzing {0} already started")]
    AlreadyStarted(String),
    /// The start date lies outside the toewijzing.
    #[error("start {start} lies outside toewijzing {toewijzing}")]
    StartOutsideToewijzing {
        /// Toewijzing.
        toewijzing: String,
        /// Offered start.
        start: NaiveDate,
    },
    /// An evaluation in the perspectiefplan route lacks a required party.
    #[error("evaluation must include client, provider and regional access team; missing {0:?}")]
    EvaluationIncomplete(Vec<Role>),
    /// A bezwaar came after the six-week term (Awb 6:7) without excuse.
    #[error("bezwaar lodged {lodged} after the term ended {term_end} (decision of {dagtekening})")]
    BezwaarTooLate {
        /// Dagtekening of the decision.
        dagtekening: NaiveDate,
        /// Last day of the term.
        term_end: NaiveDate,
        /// Lodging date.
        lodged: NaiveDate,
    },
    /// A bezwaar is open already.
    #[error("a bezwaar is already open")]
    BezwaarAlreadyOpen,
    /// Bezwaar against this decision was lodged before.
    #[error("bezwaar against this decision was already decided on {0}")]
    AlreadyObjected(NaiveDate),
    /// No open bezwaar to decide.
    #[error("there is no open bezwaar")]
    NoOpenBezwaar,
    /// The bezwaar decision predates lodging.
    #[error("decision on bezwaar {decided} before it was lodged {lodged}")]
    DecidedBeforeLodged {
        /// Lodged.
        lodged: NaiveDate,
        /// Decided.
        decided: NaiveDate,
    },
    /// A gegrond bezwaar against a beschikking needs the revised beschikking.
    #[error("a gegrond bezwaar against a beschikking must carry the revised beschikking")]
    RevisionMissing,
    /// The afwijzing cannot become final while the term runs or a bezwaar is open.
    #[error("the afwijzing can be objected to until {0}")]
    BezwaartermijnLoopt(NaiveDate),
    /// Beschermd wonen outflow must hand the file to a local toegang.
    #[error("uitstroom from beschermd wonen must hand the file to a local toegang")]
    HandoverRequired,
    /// Return to origin names the wrong municipality, or is used outside a safehouse route.
    #[error("return to municipality of origin: expected {expected:?}, got {got}")]
    WrongHerkomst {
        /// Municipality of origin, if the route has one.
        expected: Option<Gemeentecode>,
        /// Offered.
        got: Gemeentecode,
    },
    /// Wlz granted without a start date.
    #[error("a granted Wlz indication needs an ingangsdatum")]
    WlzStartMissing,
    /// A Wlz decision without a pending referral.
    #[error("no pending referral to the CIZ")]
    NoWlzReferral,
    /// A second concurrent Wlz referral.
    #[error("a referral to the CIZ is already pending")]
    WlzAlreadyPending,
    /// No beschikking to execute.
    #[error("the case has no current beschikking")]
    NoBeschikking,
    /// A change of beschikking during care needs a herbeoordeling first.
    #[error("a new beschikking during care needs a herbeoordeling first")]
    NoHerbeoordeling,
    /// A running toewijzing does not fit the revised beschikking.
    #[error("toewijzing {0} does not fit the revised beschikking; end it first")]
    ToewijzingDoesNotFit(String),
    /// The aanmelding of a maatwerk case names a toegang other than the residence.
    #[error("maatwerk is decided by the toegang of residence {residence}, not {toegang}")]
    ToegangNotResidence {
        /// Named toegang.
        toegang: Gemeentecode,
        /// Residence.
        residence: Gemeentecode,
    },
    /// A move to the municipality the client already lives in, or out of order.
    #[error("toewijzing {id}: cannot end on {einde}, it ends {current:?} already")]
    CannotEnd {
        /// Toewijzing.
        id: String,
        /// Requested end.
        einde: NaiveDate,
        /// Current end.
        current: Option<NaiveDate>,
    },
}
