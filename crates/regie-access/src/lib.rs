//! Regie access (toegang): everything between a client's aanmelding and the
//! end of their care, as pure data and functions.
//!
//! * [`case`]: the case flow as an explicit, replayable state machine. Every
//!   change is an [`EventRecord`] (who, when, what); [`Case::apply`] refuses
//!   illegal transitions with a typed [`AccessError`], and
//!   [`Case::replay`] rebuilds a case from its stored events.
//! * [`choice`]: which provider gets the order, per procurement form
//!   (open house, selected partners, consortium with hoofdaannemer).
//! * [`waitlist`]: waiting lists per product and provider with statistics.
//! * [`deadline`]: deadline rules as data, evaluated against case histories.
//! * [`complaints`]: complaint register with quarter aggregation.
//!
//! No IO, no async, no clock: every date is passed in by the caller.

pub mod actor;
pub mod case;
pub mod choice;
pub mod complaints;
pub mod deadline;
pub mod error;
pub mod event;
pub mod render;
pub mod waitlist;

pub use actor::{Actor, Role};
pub use case::{
    Afsluiting, Afwijzing, Bezwaar, BezwaarTegen, Case, CaseState, Evaluatie, HistoryEntry,
    MessagePath, Overbruggingszorg, ToewijzingRecord, WlzVerwijzing,
};
pub use choice::{
    Availability, CapacityTable, ChoiceError, Keuze, Order, ProviderChoice, ProviderOption,
};
pub use complaints::{Complaint, ComplaintError, ComplaintFilter, ComplaintRegister, Quarter};
pub use deadline::{
    Deadline, DeadlineEngine, DeadlineRule, DeadlineStatus, Offset, OffsetUnit, Trigger,
};
pub use error::AccessError;
pub use event::{
    Adressering, Bestemming, BezwaarUitkomst, CaseEvent, ClientGegevens, Dekking, EventKind,
    EventRecord, Fact, OrderInfo, Perspectiefplan, Route, RouteKind,
};
pub use waitlist::{
    PlacedEntry, Urgentie, WaitNorms, WaitStats, WaitingEntry, WaitingList, WaitlistError,
};
