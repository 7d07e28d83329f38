//! The iWmo message chain over the store: every received message is validated
//! against the chain state in the database, answered, and applied, in **one
//! transaction per message**.
//!
//! Design: `regie_iwmo::validate::ChainContext` is synchronous and the store
//! is async, so [`Store::ingest`] first parses the message, then (inside the
//! message's transaction) pre-loads exactly the state its rules can ask for —
//! keyed on the parties, BSNs, toewijzingnummers, referenties and
//! declaratienummer the message names — into a [`ChainSnapshot`], validates
//! synchronously against it, and writes the outcome. A question the snapshot
//! was not loaded for is a bug: it is counted in `misses` and fails the
//! message (debug builds panic) rather than silently answering "unknown".
//!
//! Idempotency: a message is keyed on sender + type + Identificatie + sha256 of
//! its bytes. The same message again returns the stored answer and changes
//! nothing; a *different* message with a known Identificatie is rejected with
//! TR056 by the validator (through [`ChainContext::identificatie_bekend`]).

// Row tuples mirror the SELECT lists; the match on message types reads best flat.
#![allow(clippy::type_complexity, clippy::collapsible_match)]

use crate::{date_str, Result, Script, Store, StoreError};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use regie_domain::FundingVariant;
use regie_iwmo::bericht::{self, Bericht, MessageType};
use regie_iwmo::model::*;
use regie_iwmo::types::*;
use regie_iwmo::validate::context::{
    LeveringSleutel, PrestatieInfo, StartInfo, StopInfo, ToewijzingInfo, VerzoekInfo,
};
use regie_iwmo::validate::{
    self, ChainContext, Options, RetourParams, Uitvoeringsvariant, ValidationReport,
};
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

mod bericht301;
mod verzoek;

pub use verzoek::besluit::{
    reden_afwijzing, reden_omschrijving, Beslist, Besluit, VerzoekError, VerzoekFilter,
    VerzoekOverzicht, VerzoekSoort, VerzoekStatus,
};

/// Settings of one ingest or export run.
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    /// Moment of receipt (and of sending the answers); deadlines count from its date.
    pub now: NaiveDateTime,
}

impl IngestOptions {
    fn today(&self) -> NaiveDate {
        self.now.date()
    }
    fn stamp(&self) -> String {
        self.now.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// What happened to one received message.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOutcome {
    /// Row id of the received message.
    pub message_id: i64,
    /// Message type, when recognised.
    pub message_type: Option<MessageType>,
    /// `accepted`, `partial`, `rejected` or `retour` (a received answer).
    pub status: String,
    /// The retour message (WMO302/306/308/316/318/320/325) to send back, if one can be addressed.
    pub retour: Option<String>,
    /// Further answers sent on a verzoek: a WMO301 for what was granted,
    /// a WMO319 for each verzoek refused or taken into onderzoek.
    pub answers: Vec<String>,
    /// The validation report (`ValidationReport::to_json`).
    pub report: serde_json::Value,
    /// True when this exact message had been processed before (nothing changed).
    pub replayed: bool,
}

/// A received message with the part of ingesting that needs no database done:
/// hashed, parsed, its header key and chain keys read. [`Store::ingest`] makes
/// one itself; a caller ingesting many messages can make them on another
/// thread ([`Received::new`]) while the previous message is being written.
#[derive(Debug)]
pub struct Received<'a> {
    xml: std::borrow::Cow<'a, [u8]>,
    hash: String,
    parsed: std::result::Result<Bericht, bericht::ParseFailure>,
    t: Option<MessageType>,
    sender: String,
    receiver: String,
    ident: String,
    dagtekening: Option<NaiveDate>,
    /// What the chain rules may look up (heen messages that parsed).
    keys: Option<Keys>,
}

impl<'a> Received<'a> {
    /// Hashes and parses `xml` (the message is parsed once: validation works
    /// on the parsed message).
    pub fn new(xml: impl Into<std::borrow::Cow<'a, [u8]>>) -> Self {
        let xml = xml.into();
        let hash = sha256_hex(&xml);
        let parsed = bericht::parse(&xml);
        // Header key, for idempotency and TR056.
        let (t, sender, receiver, ident, dagtekening) = match &parsed {
            Ok(b) => header_key(b),
            Err(f) => match (&f.message_type, &f.header) {
                (Some(t), Some(h)) => {
                    let (g, a) = (h.gemeente().to_string(), h.aanbieder().to_string());
                    let (s, r) = if t.sent_by_gemeente() { (g, a) } else { (a, g) };
                    let bi = h.bericht_identificatie();
                    (
                        Some(*t),
                        s,
                        r,
                        bi.identificatie.to_string(),
                        Some(bi.dagtekening),
                    )
                }
                (t, _) => (*t, String::new(), String::new(), String::new(), None),
            },
        };
        let keys = match &parsed {
            Ok(b) if !b.message_type().is_retour() => Some(keys_of(b)),
            _ => None,
        };
        Received {
            xml,
            hash,
            parsed,
            t,
            sender,
            receiver,
            ident,
            dagtekening,
            keys,
        }
    }

    /// Size of the message in bytes.
    pub fn len(&self) -> usize {
        self.xml.len()
    }

    /// Whether the message is empty.
    pub fn is_empty(&self) -> bool {
        self.xml.is_empty()
    }
}

/// One store connection held for a run of ingests (see [`Store::iwmo_session`]).
/// Each message is still its own transaction.
#[derive(Debug)]
pub struct IwmoSession {
    store: Store,
    conn: sqlx::pool::PoolConnection<Any>,
    /// SQLite: a transaction may be open on `conn` (an ingest was cancelled
    /// or failed to roll back): roll back before the next, close on drop.
    open: bool,
    /// Messages ingested in this session (for the PostgreSQL ANALYZE below).
    ingested: u64,
}

/// PostgreSQL: refresh planner statistics after the first 1,000 messages of
/// a bulk ingest and then every this many. On a fresh database the chain read was planned for empty tables
/// and fell from 550 to 150 msg/s until autovacuum's first ANALYZE (about a
/// minute in); an ANALYZE after 5,000 messages kept it at ~750 msg/s. This is
/// the usual advice after bulk loading; ANALYZE samples, so it stays cheap.
const ANALYZE_EVERY: u64 = 5_000;

impl IwmoSession {
    /// [`Store::ingest`] on the held connection.
    pub async fn ingest(&mut self, xml: &[u8], opts: &IngestOptions) -> Result<IngestOutcome> {
        self.ingest_received(Received::new(xml), opts).await
    }

    /// Ingests a message already hashed and parsed ([`Received::new`]).
    pub async fn ingest_received(
        &mut self,
        m: Received<'_>,
        opts: &IngestOptions,
    ) -> Result<IngestOutcome> {
        let store = self.store.clone();
        let outcome = store.ingest_on(self, m, opts).await?;
        self.ingested += 1;
        if (self.ingested == 1_000 || self.ingested.is_multiple_of(ANALYZE_EVERY))
            && store.backend() == crate::Backend::Postgres
        {
            sqlx::query(
                "ANALYZE iwmo_messages, iwmo_toewijzingen, iwmo_care_periods, iwmo_verzoeken, \
                 iwmo_declaraties, iwmo_declaratie_regels, iwmo_deadlines",
            )
            .execute(&mut *self.conn)
            .await?;
        }
        Ok(outcome)
    }

    /// Rolls back the transaction SQLite may have open ("no transaction is
    /// active" means SQLite already rolled it back itself).
    async fn rollback(&mut self) -> Result<()> {
        match sqlx::query("ROLLBACK").execute(&mut *self.conn).await {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.message().contains("no transaction is active") => {}
            Err(e) => return Err(e.into()),
        }
        self.open = false;
        Ok(())
    }
}

impl Drop for IwmoSession {
    fn drop(&mut self) {
        if self.open {
            // Never hand a connection with a half-done message back to the
            // pool: closing it rolls the transaction back.
            self.conn.close_on_drop();
        }
    }
}

/// Deadline state of an obligation of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeadlineStatus {
    /// Fulfilled on or before the due date.
    Met,
    /// Fulfilled after the due date.
    Late,
    /// Not fulfilled, due date not passed.
    Open,
    /// Not fulfilled, due date passed.
    Overdue,
}

impl DeadlineStatus {
    /// State on `today` of an obligation due on `due`, fulfilled on `fulfilled`.
    pub fn on(due: NaiveDate, fulfilled: Option<NaiveDate>, today: NaiveDate) -> Self {
        match fulfilled {
            Some(f) if f <= due => DeadlineStatus::Met,
            Some(_) => DeadlineStatus::Late,
            None if today > due => DeadlineStatus::Overdue,
            None => DeadlineStatus::Open,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStatus::Met => "met",
            DeadlineStatus::Late => "late",
            DeadlineStatus::Open => "open",
            DeadlineStatus::Overdue => "overdue",
        }
    }
}

/// One tracked obligation (OP090, OP090x4, OP271, OP272, OP274, OP346).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// Rule code.
    pub rule: String,
    /// What it is about (message, toewijzing or delivery).
    pub subject: String,
    /// Gemeente.
    pub gemeente: String,
    /// Aanbieder.
    pub aanbieder: String,
    /// Who must act: `gemeente` or `aanbieder`.
    pub party: String,
    /// Due date.
    pub due: NaiveDate,
    /// Date fulfilled.
    pub fulfilled: Option<NaiveDate>,
    /// State on the report date.
    pub status: DeadlineStatus,
}

/// The columns of `iwmo_deadlines` as read (`DEADLINE_COLUMNS`, in that order).
pub(crate) type StoredDeadline = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// The columns [`StoredDeadline`] is read from.
pub(crate) const DEADLINE_COLUMNS: &str =
    "rule, subject, gemeente, aanbieder, party, due, fulfilled_at";

impl Deadline {
    /// A stored deadline with its state on `today`.
    pub(crate) fn from_row(row: StoredDeadline, today: NaiveDate) -> Result<Self> {
        let (rule, subject, gemeente, aanbieder, party, due, fulfilled) = row;
        let t = "iwmo_deadlines";
        let due = crate::parse_date(t, "due", &due)?;
        let fulfilled = opt_date(t, "fulfilled_at", fulfilled)?;
        Ok(Deadline {
            rule,
            subject,
            gemeente,
            aanbieder,
            party,
            due,
            fulfilled,
            status: DeadlineStatus::on(due, fulfilled, today),
        })
    }
}

/// Row counts of the iWmo tables (for summaries and tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IwmoCounts {
    /// Received messages.
    pub received: i64,
    /// Sent messages (retours, answers, toewijzingen).
    pub sent: i64,
    /// Toewijzingen as sent.
    pub toewijzingen: i64,
    /// Care periods with a start.
    pub care_periods: i64,
    /// Care periods with a stop.
    pub stopped: i64,
    /// Verzoeken.
    pub verzoeken: i64,
    /// Accepted declaration lines.
    pub lines_accepted: i64,
    /// Rejected declaration lines.
    pub lines_rejected: i64,
    /// Tracked deadlines.
    pub deadlines: i64,
}

/// A WMO301 written by [`Store::export_toewijzingen`].
#[derive(Debug, Clone)]
pub struct ExportedMessage {
    /// Row id of the sent message.
    pub message_id: i64,
    /// Suggested file name.
    pub file_name: String,
    /// The message.
    pub xml: String,
}

/// Whom an export addresses.
#[derive(Debug, Clone)]
pub enum ExportTarget {
    /// All toewijzingen to one aanbieder (AGB code).
    Aanbieder(String),
    /// All toewijzingen filed under one gemeente (to every aanbieder).
    Gemeente(String),
}

/// Result of an export run.
#[derive(Debug, Clone, Default)]
pub struct ExportOutcome {
    /// Messages sent.
    pub messages: Vec<ExportedMessage>,
    /// Clients skipped because nothing changed since the last WMO301.
    pub unchanged: usize,
    /// Clients whose WMO301 failed our own validation (not sent), with the report.
    pub invalid: Vec<(String, String)>,
    /// Clients whose WMO301 could not be made, and why (nothing sent).
    pub skipped: Vec<SkippedClient>,
}

/// A client the export made no WMO301 for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedClient {
    /// Gemeente.
    pub gemeente: String,
    /// Aanbieder (AGB).
    pub aanbieder: String,
    /// Client.
    pub bsn: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why a client's WMO301 was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// No personal data (name, sex, address) stored: a WMO301 must name and
    /// address the client, and is never sent with placeholders.
    NoPersoonsgegevens,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::NoPersoonsgegevens => f.write_str(
                "no personal data (name, sex, address) stored for the client; a WMO301 is never sent with placeholders",
            ),
        }
    }
}

// ---------------------------------------------------------------- working days

/// Easter Sunday (anonymous Gregorian algorithm).
fn easter(y: i32) -> NaiveDate {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, month as u32, day as u32).expect("easter")
}

/// Dutch national holidays (Algemene termijnenwet): New Year, Easter Monday,
/// King's Day, Liberation Day (lustrum years), Ascension, Whit Monday, Christmas.
pub fn is_feestdag(d: NaiveDate) -> bool {
    let y = d.year();
    let md = (d.month(), d.day());
    let koningsdag = if NaiveDate::from_ymd_opt(y, 4, 27).map(|k| k.weekday()) == Some(Weekday::Sun)
    {
        (4, 26)
    } else {
        (4, 27)
    };
    if md == (1, 1) || md == (12, 25) || md == (12, 26) || md == koningsdag {
        return true;
    }
    if md == (5, 5) && y % 5 == 0 {
        return true;
    }
    let e = easter(y);
    let off = (d - e).num_days();
    matches!(off, 1 | 39 | 50)
}

/// Whether `d` is a working day (Monday–Friday, not a national holiday).
pub fn is_werkdag(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_feestdag(d)
}

/// The date `n` working days after `d` ("binnen n werkdagen na").
pub fn add_werkdagen(d: NaiveDate, n: u32) -> NaiveDate {
    let mut cur = d;
    let mut left = n;
    while left > 0 {
        cur = cur.succ_opt().expect("date in range");
        if is_werkdag(cur) {
            left -= 1;
        }
    }
    cur
}

// ---------------------------------------------------------------- snapshot

type ClientKey = (String, String, String);

/// The chain state one message's rules may read, loaded inside its transaction.
#[derive(Debug, Default)]
pub struct ChainSnapshot {
    ids: HashMap<(MessageType, String, String), bool>,
    toewijzing: HashMap<(String, u32), Option<ToewijzingInfo>>,
    toewijzingen: HashMap<ClientKey, Vec<ToewijzingInfo>>,
    starts: HashMap<ClientKey, Vec<StartInfo>>,
    stops: HashMap<ClientKey, Vec<StopInfo>>,
    onderhanden: HashMap<ClientKey, bool>,
    verzoek: HashMap<(String, String), Option<VerzoekInfo>>,
    prestatie: HashMap<(String, String), Option<PrestatieInfo>>,
    op_toewijzing: HashMap<(String, u32), Vec<PrestatieInfo>>,
    declaratienummer: HashMap<(String, String, String), bool>,
    /// (gemeente, aanbieder) → (productcode, eenheid code, from, to, cents).
    tarieven: HashMap<(String, String), Vec<(String, String, NaiveDate, Option<NaiveDate>, i64)>>,
    misses: RefCell<Vec<String>>,
}

impl ChainSnapshot {
    fn miss(&self, what: String) {
        debug_assert!(false, "chain snapshot not loaded for {what}");
        self.misses.borrow_mut().push(what);
    }
}

fn ck(g: &str, a: &str, b: &str) -> ClientKey {
    (g.to_string(), a.to_string(), b.to_string())
}

impl ChainContext for ChainSnapshot {
    fn identificatie_bekend(&self, t: MessageType, afzender: &str, identificatie: &str) -> bool {
        match self
            .ids
            .get(&(t, afzender.to_string(), identificatie.to_string()))
        {
            Some(v) => *v,
            None => {
                self.miss(format!("identificatie {t} {afzender} {identificatie}"));
                false
            }
        }
    }
    fn toewijzing(&self, gemeente: &str, nummer: u32) -> Option<&ToewijzingInfo> {
        match self.toewijzing.get(&(gemeente.to_string(), nummer)) {
            Some(v) => v.as_ref(),
            None => {
                self.miss(format!("toewijzing {gemeente} {nummer}"));
                None
            }
        }
    }
    fn toewijzingen(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<&ToewijzingInfo> {
        match self.toewijzingen.get(&ck(gemeente, aanbieder, bsn)) {
            Some(v) => v.iter().collect(),
            None => {
                self.miss(format!("toewijzingen {gemeente} {aanbieder} {bsn}"));
                Vec::new()
            }
        }
    }
    fn starts(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> &[StartInfo] {
        match self.starts.get(&ck(gemeente, aanbieder, bsn)) {
            Some(v) => v,
            None => {
                self.miss(format!("starts {gemeente} {aanbieder} {bsn}"));
                &[]
            }
        }
    }
    fn stops(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> &[StopInfo] {
        match self.stops.get(&ck(gemeente, aanbieder, bsn)) {
            Some(v) => v,
            None => {
                self.miss(format!("stops {gemeente} {aanbieder} {bsn}"));
                &[]
            }
        }
    }
    fn verzoek(&self, aanbieder: &str, referentie: &str) -> Option<&VerzoekInfo> {
        match self
            .verzoek
            .get(&(aanbieder.to_string(), referentie.to_string()))
        {
            Some(v) => v.as_ref(),
            None => {
                self.miss(format!("verzoek {aanbieder} {referentie}"));
                None
            }
        }
    }
    fn verzoek_onderhanden(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> bool {
        match self.onderhanden.get(&ck(gemeente, aanbieder, bsn)) {
            Some(v) => *v,
            None => {
                self.miss(format!("verzoek_onderhanden {gemeente} {aanbieder} {bsn}"));
                false
            }
        }
    }
    fn prestatie(&self, aanbieder: &str, referentie_nummer: &str) -> Option<&PrestatieInfo> {
        match self
            .prestatie
            .get(&(aanbieder.to_string(), referentie_nummer.to_string()))
        {
            Some(v) => v.as_ref(),
            None => {
                self.miss(format!("prestatie {aanbieder} {referentie_nummer}"));
                None
            }
        }
    }
    fn prestaties_op_toewijzing(&self, gemeente: &str, nummer: u32) -> Vec<&PrestatieInfo> {
        match self.op_toewijzing.get(&(gemeente.to_string(), nummer)) {
            Some(v) => v.iter().collect(),
            None => {
                self.miss(format!("prestaties_op_toewijzing {gemeente} {nummer}"));
                Vec::new()
            }
        }
    }
    fn declaratienummer_bekend(&self, aanbieder: &str, gemeente: &str, nummer: &str) -> bool {
        match self.declaratienummer.get(&(
            aanbieder.to_string(),
            gemeente.to_string(),
            nummer.to_string(),
        )) {
            Some(v) => *v,
            None => {
                self.miss(format!("declaratienummer {aanbieder} {gemeente} {nummer}"));
                false
            }
        }
    }
    fn contract_tarief(
        &self,
        gemeente: &str,
        aanbieder: &str,
        product_code: &str,
        eenheid: Eenheid,
        datum: NaiveDate,
    ) -> Option<u32> {
        let Some(rows) = self
            .tarieven
            .get(&(gemeente.to_string(), aanbieder.to_string()))
        else {
            self.miss(format!("tarieven {gemeente} {aanbieder}"));
            return None;
        };
        rows.iter()
            .find(|(code, unit, from, to, _)| {
                code == product_code
                    && unit == eenheid.code()
                    && *from <= datum
                    && to.is_none_or(|t| t >= datum)
            })
            .and_then(|r| u32::try_from(r.4).ok())
    }
}

/// Everything a message names that its cross-message rules may look up.
#[derive(Debug, Default)]
struct Keys {
    gemeente: String,
    aanbieder: String,
    bsns: BTreeSet<String>,
    nummers: BTreeSet<u32>,
    verzoeken: BTreeSet<String>,
    prestaties: BTreeSet<String>,
    declaratie: Option<String>,
    tarieven: bool,
    /// When the named toewijzingen were sent (WMO305: OP271 counts from then
    /// for a retroactive toewijzing); 0 stands for a start without one.
    sent: BTreeSet<i64>,
}

fn keys_of(b: &Bericht) -> Keys {
    let mut k = Keys::default();
    match b {
        Bericht::Wmo301(m) => {
            k.gemeente = m.header.afzender.to_string();
            k.aanbieder = m.header.ontvanger.to_string();
            k.bsns.insert(m.client.bsn.to_string());
            for tp in &m.client.toegewezen_producten {
                k.nummers.insert(tp.toewijzing_nummer.get());
                if let Some(r) = &tp.referentie_aanbieder {
                    k.verzoeken.insert(r.to_string());
                }
            }
        }
        Bericht::Wmo305(m) => {
            k.gemeente = m.header.ontvanger.to_string();
            k.aanbieder = m.header.afzender.to_string();
            k.bsns.insert(m.client.bsn.to_string());
            k.nummers.extend(
                m.client
                    .start_producten
                    .iter()
                    .filter_map(|s| s.toewijzing_nummer.map(|n| n.get())),
            );
            k.sent.extend(
                m.client
                    .start_producten
                    .iter()
                    .map(|s| s.toewijzing_nummer.map_or(0, |n| i64::from(n.get()))),
            );
        }
        Bericht::Wmo307(m) => {
            k.gemeente = m.header.ontvanger.to_string();
            k.aanbieder = m.header.afzender.to_string();
            k.bsns.insert(m.client.bsn.to_string());
            k.nummers.extend(
                m.client
                    .stop_producten
                    .iter()
                    .filter_map(|s| s.toewijzing_nummer.map(|n| n.get())),
            );
        }
        Bericht::Wmo315(m) => {
            k.gemeente = m.header.ontvanger.to_string();
            k.aanbieder = m.header.afzender.to_string();
            k.bsns.insert(m.client.bsn.to_string());
            for ap in &m.client.aangevraagde_producten {
                k.verzoeken.insert(ap.referentie_aanbieder.to_string());
            }
        }
        Bericht::Wmo317(m) => {
            k.gemeente = m.header.ontvanger.to_string();
            k.aanbieder = m.header.afzender.to_string();
            k.bsns.insert(m.client.bsn.to_string());
            let v = &m.client.verzoek;
            k.verzoeken.insert(v.referentie_aanbieder.to_string());
            k.nummers.extend(v.genoemde_toewijzingnummers());
        }
        Bericht::Wmo319(m) => {
            k.gemeente = m.header.afzender.to_string();
            k.aanbieder = m.header.ontvanger.to_string();
            k.verzoeken
                .insert(m.antwoord.referentie_aanbieder.to_string());
        }
        Bericht::Wmo323(m) => {
            k.gemeente = m.header.ontvanger.to_string();
            k.aanbieder = m.header.afzender.to_string();
            k.declaratie = Some(m.declaratie.declaratie_nummer.to_string());
            k.tarieven = true;
            for c in &m.clienten {
                k.bsns.insert(c.bsn.to_string());
                for p in &c.prestaties {
                    k.nummers.insert(p.toewijzing_nummer.get());
                    k.prestaties
                        .insert(p.product_referentie.referentie_nummer.to_string());
                    if let Some(v) = &p.product_referentie.vorig_referentie_nummer {
                        k.prestaties.insert(v.to_string());
                    }
                }
            }
        }
        _ => {}
    }
    k
}

fn opt_date(
    table: &'static str,
    col: &'static str,
    s: Option<String>,
) -> Result<Option<NaiveDate>> {
    s.map(|s| crate::parse_date(table, col, &s)).transpose()
}

fn corrupt(
    table: &'static str,
    column: &'static str,
    detail: impl std::fmt::Display,
) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        detail: detail.to_string(),
    }
}

fn code_of<T>(
    table: &'static str,
    col: &'static str,
    s: Option<String>,
    f: fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    s.map(|s| f(&s).ok_or_else(|| corrupt(table, col, s)))
        .transpose()
}

// One message's chain read is one `UNION ALL` query — one round trip instead
// of one per BSN, toewijzingnummer and referentie (a WMO323 with 20 clients
// took ~100). Every branch returns the same row layout: a tag, UNION_INTS
// BIGINT columns, then UNION_TEXTS TEXT columns, padded with typed NULLs so
// both SQLite and PostgreSQL accept the union. Rows come back tagged and are
// sorted into the snapshot in Rust (the union has no per-branch ORDER BY).

/// BIGINT columns of the union row layout.
const UNION_INTS: usize = 7;
/// TEXT columns of the union row layout.
const UNION_TEXTS: usize = 14;
/// Most SELECTs in one union (SQLite allows 500 compound terms).
const UNION_MAX_TERMS: usize = 200;
/// Most arguments in one union (SQLite allows 32,766).
const UNION_MAX_ARGS: usize = 8_000;
/// Longest `IN (…)` list of one branch; longer key lists take several branches.
const IN_CHUNK: usize = 128;

/// A union being built; splits into several queries only for huge messages.
struct Union<'q> {
    backend: crate::Backend,
    done: Vec<crate::Sql<'q>>,
    cur: crate::Sql<'q>,
    terms: usize,
}

impl<'q> Union<'q> {
    fn new(backend: crate::Backend) -> Self {
        Union {
            backend,
            done: Vec::new(),
            cur: crate::Sql::new(backend),
            terms: 0,
        }
    }

    /// Starts a branch selecting `tag`, the BIGINT expressions `ints` and the
    /// TEXT expressions `texts`; the caller appends FROM and WHERE, binding at
    /// most `args` arguments.
    fn select(
        &mut self,
        distinct: bool,
        tag: &str,
        ints: &[&str],
        texts: &[&str],
        args: usize,
    ) -> &mut crate::Sql<'q> {
        debug_assert!(ints.len() <= UNION_INTS && texts.len() <= UNION_TEXTS);
        if self.terms > 0
            && (self.terms >= UNION_MAX_TERMS || self.cur.len() + args > UNION_MAX_ARGS)
        {
            let full = std::mem::replace(&mut self.cur, crate::Sql::new(self.backend));
            self.done.push(full);
            self.terms = 0;
        }
        if self.terms > 0 {
            self.cur.push(" UNION ALL ");
        }
        self.terms += 1;
        let s = &mut self.cur;
        s.push(if distinct {
            "SELECT DISTINCT '"
        } else {
            "SELECT '"
        })
        .push(tag)
        .push("'");
        for i in 0..UNION_INTS {
            s.push(", ")
                .push(ints.get(i).copied().unwrap_or("CAST(NULL AS BIGINT)"));
        }
        for i in 0..UNION_TEXTS {
            s.push(", ")
                .push(texts.get(i).copied().unwrap_or("CAST(NULL AS TEXT)"));
        }
        s
    }

    async fn fetch_all(self, c: &mut AnyConnection) -> Result<Vec<sqlx::any::AnyRow>> {
        let mut rows = Vec::new();
        for q in self.done {
            rows.extend(q.fetch_all(&mut *c).await?);
        }
        if self.terms > 0 {
            rows.extend(self.cur.fetch_all(&mut *c).await?);
        }
        Ok(rows)
    }
}

/// Arguments a branch with an `IN` list of `n` keys binds (the list is padded, see `Sql::bind_list`).
fn in_args(n: usize) -> usize {
    n.next_power_of_two()
}

fn u_int(r: &sqlx::any::AnyRow, k: usize) -> Result<Option<i64>> {
    Ok(r.try_get(1 + k)?)
}

fn u_text(r: &sqlx::any::AnyRow, k: usize) -> Result<Option<String>> {
    Ok(r.try_get(1 + UNION_INTS + k)?)
}

fn u_req_int(r: &sqlx::any::AnyRow, k: usize, t: &'static str, col: &'static str) -> Result<i64> {
    u_int(r, k)?.ok_or_else(|| corrupt(t, col, "NULL"))
}

fn u_req_text(
    r: &sqlx::any::AnyRow,
    k: usize,
    t: &'static str,
    col: &'static str,
) -> Result<String> {
    u_text(r, k)?.ok_or_else(|| corrupt(t, col, "NULL"))
}

const TW_INTS: &[&str] = &["nummer", "volume", "budget_cents"];
const TW_TEXTS: &[&str] = &[
    "gemeente",
    "aanbieder",
    "bsn",
    "categorie",
    "productcode",
    "ingangsdatum",
    "einddatum",
    "reden_wijziging",
    "eenheid",
    "frequentie",
    "referentie_aanbieder",
];

/// A toewijzing row in the TW_INTS / TW_TEXTS layout.
fn toewijzing_row(r: &sqlx::any::AnyRow) -> Result<ToewijzingInfo> {
    let t = "iwmo_toewijzingen";
    let categorie = code_of(t, "categorie", u_text(r, 3)?, ProductCategorie::from_code)?;
    let code = u_text(r, 4)?;
    let product = match categorie {
        Some(categorie) => Some(Product {
            categorie,
            code: code
                .map(|c| ProductCode::new(c).map_err(|e| corrupt(t, "productcode", e)))
                .transpose()?,
        }),
        None => None,
    };
    let volume = u_int(r, 1)?;
    let eenheid = code_of(t, "eenheid", u_text(r, 8)?, Eenheid::from_code)?;
    let frequentie = code_of(t, "frequentie", u_text(r, 9)?, Frequentie::from_code)?;
    let omvang = match (volume, eenheid, frequentie) {
        (Some(v), Some(eenheid), Some(frequentie)) => Some(Omvang {
            volume: u32::try_from(v)
                .ok()
                .and_then(|v| Volume::new(v).ok())
                .ok_or_else(|| corrupt(t, "volume", v))?,
            eenheid,
            frequentie,
        }),
        _ => None,
    };
    let nummer = u_req_int(r, 0, t, "nummer")?;
    Ok(ToewijzingInfo {
        gemeente: u_req_text(r, 0, t, "gemeente")?,
        aanbieder: u_req_text(r, 1, t, "aanbieder")?,
        bsn: u_req_text(r, 2, t, "bsn")?,
        toewijzing_nummer: u32::try_from(nummer).map_err(|e| corrupt(t, "nummer", e))?,
        product,
        ingangsdatum: crate::parse_date(t, "ingangsdatum", &u_req_text(r, 5, t, "ingangsdatum")?)?,
        einddatum: opt_date(t, "einddatum", u_text(r, 6)?)?,
        reden_wijziging: code_of(
            t,
            "reden_wijziging",
            u_text(r, 7)?,
            RedenWijziging::from_code,
        )?,
        omvang,
        budget: u_int(r, 2)?
            .map(|b| u32::try_from(b).map_err(|e| corrupt(t, "budget_cents", e)))
            .transpose()?,
        referentie_aanbieder: u_text(r, 10)?,
    })
}

const PR_INTS: &[&str] = &[
    "toewijzing_nummer",
    "bedrag_cents",
    "volume",
    "gecrediteerd",
    "message_id",
    "client_index",
    "prestatie_index",
];
const PR_TEXTS: &[&str] = &[
    "gemeente",
    "bsn",
    "categorie",
    "productcode",
    "periode_begin",
    "periode_eind",
];

/// Where a declaration line was stored: (message, client index, prestatie
/// index), the order lines were written in.
fn prestatie_pos(r: &sqlx::any::AnyRow) -> Result<(i64, i64, i64)> {
    let t = "iwmo_declaratie_regels";
    Ok((
        u_req_int(r, 4, t, "message_id")?,
        u_req_int(r, 5, t, "client_index")?,
        u_req_int(r, 6, t, "prestatie_index")?,
    ))
}

/// A declaration line in the PR_INTS / PR_TEXTS layout.
fn prestatie_row(r: &sqlx::any::AnyRow) -> Result<PrestatieInfo> {
    let t = "iwmo_declaratie_regels";
    let nummer = u_req_int(r, 0, t, "toewijzing_nummer")?;
    let bedrag = u_req_int(r, 1, t, "bedrag_cents")?;
    let volume = u_req_int(r, 2, t, "volume")?;
    Ok(PrestatieInfo {
        gemeente: u_req_text(r, 0, t, "gemeente")?,
        bsn: u_req_text(r, 1, t, "bsn")?,
        toewijzing_nummer: u32::try_from(nummer).map_err(|e| corrupt(t, "toewijzing_nummer", e))?,
        categorie: ProductCategorie::from_code(&u_req_text(r, 2, t, "categorie")?)
            .ok_or_else(|| corrupt(t, "categorie", "unknown"))?,
        code: u_req_text(r, 3, t, "productcode")?,
        periode: GeslotenPeriode {
            begindatum: crate::parse_date(
                t,
                "periode_begin",
                &u_req_text(r, 4, t, "periode_begin")?,
            )?,
            einddatum: crate::parse_date(t, "periode_eind", &u_req_text(r, 5, t, "periode_eind")?)?,
        },
        debet_credit: if bedrag < 0 {
            DebetCredit::Credit
        } else {
            DebetCredit::Debet
        },
        volume: u32::try_from(volume).map_err(|e| corrupt(t, "volume", e))?,
        gecrediteerd: u_req_int(r, 3, t, "gecrediteerd")? != 0,
    })
}

/// The key WMO305 and WMO307 name a care period by: its ToewijzingNummer, or
/// (taakgericht, no toewijzing; nummer 0) its product; and the begindatum.
fn care_period_key(
    nummer: Option<Nummer>,
    product: &Option<Product>,
    begindatum: NaiveDate,
) -> (i64, String, String) {
    let n = nummer.map_or(0, |n| i64::from(n.get()));
    let product = if n == 0 {
        product_key(product)
    } else {
        String::new()
    };
    (n, product, date_str(begindatum))
}

fn product_key(p: &Option<Product>) -> String {
    p.as_ref()
        .map(|p| {
            format!(
                "{}/{}",
                p.categorie.code(),
                p.code.as_ref().map_or("", |c| c.as_str())
            )
        })
        .unwrap_or_default()
}

/// An earlier received message with the same sender, type and Identificatie.
#[derive(Debug)]
struct KnownMessage {
    id: i64,
    retour_id: Option<i64>,
    hash: String,
    status: String,
    report: String,
}

/// Funding variants of the lots a message can be tied to, in the order
/// [`variant_of`] tries them.
#[derive(Debug, Default)]
struct Fundings {
    /// Lot of the first toewijzing the message names.
    by_nummer: Option<String>,
    /// Lots of its first product in the gemeente's region.
    by_product: Vec<String>,
    /// Lots the aanbieder holds contracts for.
    by_contract: Vec<String>,
}

/// What to read for one message.
struct Load<'a> {
    /// SQL to run first, in the same round trip (`BEGIN IMMEDIATE`).
    begin: Option<&'static str>,
    /// Also read the next free message id (ingest holds the write lock, see `Store::ingest_on`).
    next_id: bool,
    /// Received messages with this (type, sender, Identificatie).
    type_name: &'a str,
    afzender: &'a str,
    identificatie: &'a str,
    /// The chain state for a heen message: its type and keys.
    chain: Option<(MessageType, &'a Keys)>,
    /// The funding candidates for the execution variant, with the message's first product.
    variant: Option<Option<&'a Product>>,
}

/// What one message's read returned.
#[derive(Debug, Default)]
struct Loaded {
    next_id: Option<i64>,
    known: Vec<KnownMessage>,
    /// Toewijzingnummer → when its WMO301 was sent (`Keys::sent`).
    sent: HashMap<i64, String>,
    snap: ChainSnapshot,
    fundings: Fundings,
}

/// Reads, in one round trip, everything `Store::ingest` needs before it
/// validates: the next message id, earlier messages with the same key (replay
/// and TR056), the chain snapshot and the execution-variant candidates.
async fn load(c: &mut AnyConnection, l: &Load<'_>) -> Result<Loaded> {
    let backend = crate::backend_of(c);
    let mut u = Union::new(backend);
    if let Some(begin) = l.begin {
        u.cur.push(begin);
    }
    if l.next_id {
        u.select(
            false,
            "nx",
            &["CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT)"],
            &[],
            0,
        )
        .push(" FROM iwmo_messages");
    }
    u.select(
        false,
        "id",
        &["id", "retour_id"],
        &["content_hash", "status", "report"],
        3,
    )
    .push(" FROM iwmo_messages WHERE direction = 'in' AND sender = ")
    .bind(l.afzender)
    .push(" AND message_type = ")
    .bind(l.type_name)
    .push(" AND identificatie = ")
    .bind(l.identificatie);
    let empty = Keys::default();
    let k = l.chain.map_or(&empty, |(_, k)| k);
    let (g, a) = (k.gemeente.as_str(), k.aanbieder.as_str());
    let bsns: Vec<&str> = k.bsns.iter().map(String::as_str).collect();
    let nummers: Vec<i64> = k.nummers.iter().map(|&n| i64::from(n)).collect();
    let verzoeken: Vec<&str> = k.verzoeken.iter().map(String::as_str).collect();
    let prestaties: Vec<&str> = k.prestaties.iter().map(String::as_str).collect();
    let with_prestaties = k.declaratie.is_some() || !k.prestaties.is_empty();
    if l.chain.is_some() {
        for chunk in bsns.chunks(IN_CHUNK) {
            u.select(false, "tw", TW_INTS, TW_TEXTS, 2 + in_args(chunk.len()))
                .push(" FROM iwmo_toewijzingen WHERE gemeente = ")
                .bind(g)
                .push(" AND aanbieder = ")
                .bind(a)
                .push(" AND bsn IN (")
                .bind_list(chunk)
                .push(")");
            u.select(
                false,
                "cp",
                &["toewijzing_nummer"],
                &[
                    "bsn",
                    "product",
                    "begindatum",
                    "start_status",
                    "einddatum",
                    "reden_beeindiging",
                    "stop_status",
                ],
                2 + in_args(chunk.len()),
            )
            .push(" FROM iwmo_care_periods WHERE gemeente = ")
            .bind(g)
            .push(" AND aanbieder = ")
            .bind(a)
            .push(" AND bsn IN (")
            .bind_list(chunk)
            .push(")");
            u.select(
                false,
                "vc",
                &["toegewezen"],
                &["bsn", "antwoorden"],
                2 + in_args(chunk.len()),
            )
            .push(" FROM iwmo_verzoeken WHERE gemeente = ")
            .bind(g)
            .push(" AND aanbieder = ")
            .bind(a)
            .push(" AND bsn IN (")
            .bind_list(chunk)
            .push(")");
        }
        for chunk in nummers.chunks(IN_CHUNK) {
            u.select(false, "tn", TW_INTS, TW_TEXTS, 1 + in_args(chunk.len()))
                .push(" FROM iwmo_toewijzingen WHERE gemeente = ")
                .bind(g)
                .push(" AND nummer IN (")
                .bind_list(chunk)
                .push(")");
        }
        for chunk in verzoeken.chunks(IN_CHUNK) {
            u.select(
                false,
                "vr",
                &["toegewezen"],
                &["referentie", "gemeente", "bsn", "antwoorden"],
                1 + in_args(chunk.len()),
            )
            .push(" FROM iwmo_verzoeken WHERE aanbieder = ")
            .bind(a)
            .push(" AND referentie IN (")
            .bind_list(chunk)
            .push(")");
        }
        if with_prestaties {
            let pr_texts = [PR_TEXTS, &["referentie_nummer"]].concat();
            for chunk in prestaties.chunks(IN_CHUNK) {
                u.select(false, "pr", PR_INTS, &pr_texts, 1 + in_args(chunk.len()))
                    .push(" FROM iwmo_declaratie_regels WHERE aanbieder = ")
                    .bind(a)
                    .push(" AND referentie_nummer IN (")
                    .bind_list(chunk)
                    .push(") AND status = 'accepted'");
            }
            for chunk in nummers.chunks(IN_CHUNK) {
                u.select(false, "pt", PR_INTS, PR_TEXTS, 1 + in_args(chunk.len()))
                    .push(" FROM iwmo_declaratie_regels WHERE gemeente = ")
                    .bind(g)
                    .push(" AND toewijzing_nummer IN (")
                    .bind_list(chunk)
                    .push(") AND status = 'accepted' AND bedrag_cents >= 0 AND gecrediteerd = 0");
            }
        }
        let sent: Vec<i64> = k.sent.iter().copied().collect();
        for chunk in sent.chunks(IN_CHUNK) {
            u.select(
                false,
                "sa",
                &["i.nummer"],
                &["m.received_at"],
                1 + in_args(chunk.len()),
            )
            .push(" FROM iwmo_toewijzingen i JOIN iwmo_messages m ON m.id = i.message_id WHERE i.gemeente = ")
            .bind(g)
            .push(" AND i.nummer IN (")
            .bind_list(chunk)
            .push(")");
        }
        if let Some(d) = &k.declaratie {
            u.select(false, "dn", &["message_id"], &[], 3)
                .push(" FROM iwmo_declaraties WHERE aanbieder = ")
                .bind(a)
                .push(" AND gemeente = ")
                .bind(g)
                .push(" AND declaratie_nummer = ")
                .bind(d.as_str());
        }
        if k.tarieven {
            // Contract tariffs: products of the gemeente's region on lots the aanbieder holds a contract for.
            u.select(
                false,
                "tf",
                &["t.cents_per_unit"],
                &["p.productcode", "p.unit", "t.valid_from", "t.valid_to"],
                2,
            )
            .push(
                " FROM municipalities m \
                 JOIN products p ON p.region_id = m.region_id \
                 JOIN tariffs t ON t.region_id = p.region_id AND t.product_key = p.product_key \
                 WHERE m.code = ",
            )
            .bind(g)
            .push(" AND EXISTS (SELECT 1 FROM contracts c WHERE c.region_id = p.region_id AND c.lot_id = p.lot_id AND c.addressee_agb = ")
            .bind(a)
            .push(")");
        }
    }
    if let Some(product) = l.variant {
        if let Some(&n) = nummers.first() {
            u.select(false, "v1", &[], &["l.funding"], 2)
                .push(
                    " FROM iwmo_toewijzingen i JOIN toewijzingen t ON t.id = i.toewijzing_id \
                     JOIN lots l ON l.region_id = t.region_id AND l.id = t.lot_id \
                     WHERE i.gemeente = ",
                )
                .bind(g)
                .push(" AND i.nummer = ")
                .bind(n);
        }
        if let Some(p) = product {
            let code = p.code.as_ref().map_or("", |c| c.as_str());
            u.select(true, "v2", &[], &["l.funding"], 4)
                .push(
                    " FROM municipalities m JOIN products p ON p.region_id = m.region_id \
                     JOIN lots l ON l.region_id = p.region_id AND l.id = p.lot_id WHERE m.code = ",
                )
                .bind(g)
                .push(" AND p.categorie = ")
                .bind(p.categorie.code())
                .push(" AND (p.productcode = ")
                .bind(code)
                .push(" OR ")
                .bind(code)
                .push(" = '')");
        }
        u.select(true, "v3", &[], &["l.funding"], 1)
            .push(
                " FROM contracts c JOIN lots l ON l.region_id = c.region_id AND l.id = c.lot_id \
                 WHERE c.addressee_agb = ",
            )
            .bind(a);
    }
    let rows = u.fetch_all(c).await?;

    // Every key the message names gets an answer, found or not.
    let mut out = Loaded::default();
    let s = &mut out.snap;
    if l.chain.is_some() {
        for bsn in &k.bsns {
            let key = ck(g, a, bsn);
            s.toewijzingen.insert(key.clone(), Vec::new());
            s.starts.insert(key.clone(), Vec::new());
            s.stops.insert(key.clone(), Vec::new());
            s.onderhanden.insert(key, false);
        }
        for &n in &k.nummers {
            s.toewijzing.insert((g.to_string(), n), None);
        }
        for r in &k.verzoeken {
            s.verzoek.insert((a.to_string(), r.clone()), None);
        }
        if with_prestaties {
            for r in &k.prestaties {
                s.prestatie.insert((a.to_string(), r.clone()), None);
            }
            for &n in &k.nummers {
                s.op_toewijzing.insert((g.to_string(), n), Vec::new());
            }
        }
        if let Some(d) = &k.declaratie {
            s.declaratienummer
                .insert((a.to_string(), g.to_string(), d.clone()), false);
        }
        if k.tarieven {
            s.tarieven
                .insert((g.to_string(), a.to_string()), Vec::new());
        }
    }
    // Care periods per client, declaration lines per key: sorted below.
    let mut periods: HashMap<String, Vec<(NaiveDate, i64, String, sqlx::any::AnyRow)>> =
        HashMap::new();
    let mut first_line: HashMap<String, ((i64, i64, i64), PrestatieInfo)> = HashMap::new();
    let mut lines: HashMap<u32, Vec<((i64, i64, i64), PrestatieInfo)>> = HashMap::new();
    let tb = "iwmo_care_periods";
    for r in rows {
        let tag: String = r.try_get(0)?;
        match tag.as_str() {
            "nx" => out.next_id = u_int(&r, 0)?,
            "id" => out.known.push(KnownMessage {
                id: u_req_int(&r, 0, "iwmo_messages", "id")?,
                retour_id: u_int(&r, 1)?,
                hash: u_req_text(&r, 0, "iwmo_messages", "content_hash")?,
                status: u_req_text(&r, 1, "iwmo_messages", "status")?,
                report: u_req_text(&r, 2, "iwmo_messages", "report")?,
            }),
            "tw" => {
                let info = toewijzing_row(&r)?;
                s.toewijzing
                    .insert((g.to_string(), info.toewijzing_nummer), Some(info.clone()));
                if let Some(list) = s.toewijzingen.get_mut(&ck(g, a, &info.bsn)) {
                    list.push(info);
                }
            }
            "tn" => {
                let info = toewijzing_row(&r)?;
                s.toewijzing
                    .insert((g.to_string(), info.toewijzing_nummer), Some(info));
            }
            "cp" => {
                let bsn = u_req_text(&r, 0, tb, "bsn")?;
                let begin =
                    crate::parse_date(tb, "begindatum", &u_req_text(&r, 2, tb, "begindatum")?)?;
                let nummer = u_req_int(&r, 0, tb, "toewijzing_nummer")?;
                let product = u_req_text(&r, 1, tb, "product")?;
                periods
                    .entry(bsn)
                    .or_default()
                    .push((begin, nummer, product, r));
            }
            "vc" => {
                let bsn = u_req_text(&r, 0, "iwmo_verzoeken", "bsn")?;
                let antw = u_req_text(&r, 1, "iwmo_verzoeken", "antwoorden")?;
                let toegewezen = u_req_int(&r, 0, "iwmo_verzoeken", "toegewezen")?;
                if toegewezen == 0
                    && !antw
                        .split(',')
                        .any(|x| x == VerzoekAntwoord::Afgewezen.code())
                {
                    s.onderhanden.insert(ck(g, a, &bsn), true);
                }
            }
            "vr" => {
                let t = "iwmo_verzoeken";
                let referentie = u_req_text(&r, 0, t, "referentie")?;
                let info = VerzoekInfo {
                    gemeente: u_req_text(&r, 1, t, "gemeente")?,
                    aanbieder: a.to_string(),
                    bsn: u_req_text(&r, 2, t, "bsn")?,
                    antwoorden: u_req_text(&r, 3, t, "antwoorden")?
                        .split(',')
                        .filter_map(VerzoekAntwoord::from_code)
                        .collect(),
                    toegewezen: u_req_int(&r, 0, t, "toegewezen")? != 0,
                };
                s.verzoek.insert((a.to_string(), referentie), Some(info));
            }
            "pr" => {
                // The first accepted line with this referentie, as written.
                let referentie = u_req_text(
                    &r,
                    PR_TEXTS.len(),
                    "iwmo_declaratie_regels",
                    "referentie_nummer",
                )?;
                let pos = prestatie_pos(&r)?;
                if first_line.get(&referentie).is_none_or(|(p, _)| pos < *p) {
                    first_line.insert(referentie, (pos, prestatie_row(&r)?));
                }
            }
            "pt" => {
                let info = prestatie_row(&r)?;
                lines
                    .entry(info.toewijzing_nummer)
                    .or_default()
                    .push((prestatie_pos(&r)?, info));
            }
            "dn" => {
                if let Some(d) = &k.declaratie {
                    s.declaratienummer
                        .insert((a.to_string(), g.to_string(), d.clone()), true);
                }
            }
            "tf" => {
                let Some(code) = u_text(&r, 0)? else { continue };
                let t = "tariffs";
                let entry = (
                    code,
                    u_req_text(&r, 1, "products", "unit")?,
                    crate::parse_date(t, "valid_from", &u_req_text(&r, 2, t, "valid_from")?)?,
                    opt_date(t, "valid_to", u_text(&r, 3)?)?,
                    u_req_int(&r, 0, t, "cents_per_unit")?,
                );
                if let Some(list) = s.tarieven.get_mut(&(g.to_string(), a.to_string())) {
                    list.push(entry);
                }
            }
            "sa" => {
                let n = u_req_int(&r, 0, "iwmo_toewijzingen", "nummer")?;
                out.sent
                    .insert(n, u_req_text(&r, 0, "iwmo_messages", "received_at")?);
            }
            "v1" => out.fundings.by_nummer = u_text(&r, 0)?,
            "v2" => out.fundings.by_product.extend(u_text(&r, 0)?),
            "v3" => out.fundings.by_contract.extend(u_text(&r, 0)?),
            other => return Err(corrupt("iwmo", "chain read", format!("tag {other:?}"))),
        }
    }
    for list in s.toewijzingen.values_mut() {
        list.sort_by_key(|t| t.toewijzing_nummer);
    }
    for (bsn, mut list) in periods {
        // By begindatum, as the chain rules read them; ties in key order.
        list.sort_by(|x, y| (x.0, x.1, &x.2).cmp(&(y.0, y.1, &y.2)));
        let key = ck(g, a, &bsn);
        let (mut starts, mut stops) = (Vec::new(), Vec::new());
        for (begindatum, nummer, product, r) in list {
            let sleutel = LeveringSleutel {
                bsn: bsn.clone(),
                toewijzing_nummer: (nummer > 0).then_some(nummer as u32),
                product: (!product.is_empty()).then_some(product),
                begindatum,
            };
            if let Some(st) = u_text(&r, 3)? {
                starts.push(StartInfo {
                    sleutel: sleutel.clone(),
                    verwijderd: st == StatusAanlevering::Verwijderen.code(),
                });
            }
            if let Some(st) = u_text(&r, 6)? {
                let einddatum = opt_date(tb, "einddatum", u_text(&r, 4)?)?
                    .ok_or_else(|| corrupt(tb, "einddatum", "stop without einddatum"))?;
                let reden = code_of(
                    tb,
                    "reden_beeindiging",
                    u_text(&r, 5)?,
                    RedenBeeindiging::from_code,
                )?
                .ok_or_else(|| corrupt(tb, "reden_beeindiging", "stop without reden"))?;
                stops.push(StopInfo {
                    sleutel,
                    reden,
                    einddatum,
                    verwijderd: st == StatusAanlevering::Verwijderen.code(),
                });
            }
        }
        s.starts.insert(key.clone(), starts);
        s.stops.insert(key, stops);
    }
    for (referentie, (_, info)) in first_line {
        s.prestatie.insert((a.to_string(), referentie), Some(info));
    }
    for (n, mut list) in lines {
        // In the order the lines were written.
        list.sort_by_key(|x| x.0);
        s.op_toewijzing
            .insert((g.to_string(), n), list.into_iter().map(|x| x.1).collect());
    }
    if let Some((t, _)) = l.chain {
        s.ids.insert(
            (t, l.afzender.to_string(), l.identificatie.to_string()),
            !out.known.is_empty(),
        );
    }
    Ok(out)
}

/// The chain state for a message a store is about to send (export): see [`load`].
async fn load_snapshot(
    c: &mut AnyConnection,
    t: MessageType,
    afzender: &str,
    identificatie: &str,
    k: &Keys,
) -> Result<ChainSnapshot> {
    let l = Load {
        begin: None,
        next_id: false,
        type_name: t.name(),
        afzender,
        identificatie,
        chain: Some((t, k)),
        variant: None,
    };
    Ok(load(c, &l).await?.snap)
}

/// Maps a lot's funding variant onto the iWmo execution variant.
pub fn uitvoeringsvariant(f: FundingVariant) -> Uitvoeringsvariant {
    match f {
        FundingVariant::Inspanningsgericht => Uitvoeringsvariant::Inspanningsgericht,
        FundingVariant::Outputgericht => Uitvoeringsvariant::Outputgericht,
        FundingVariant::Taakgericht => Uitvoeringsvariant::Taakgericht,
    }
}

fn first_product(b: &Bericht) -> Option<Product> {
    match b {
        Bericht::Wmo301(m) => m
            .client
            .toegewezen_producten
            .iter()
            .find_map(|p| p.product.clone()),
        Bericht::Wmo305(m) => m
            .client
            .start_producten
            .iter()
            .find_map(|p| p.product.clone()),
        Bericht::Wmo307(m) => m
            .client
            .stop_producten
            .iter()
            .find_map(|p| p.product.clone()),
        Bericht::Wmo315(m) => m
            .client
            .aangevraagde_producten
            .iter()
            .find_map(|p| p.product.clone()),
        Bericht::Wmo323(m) => m
            .clienten
            .iter()
            .flat_map(|c| &c.prestaties)
            .next()
            .map(|p| Product {
                categorie: p.product_categorie,
                code: Some(p.product_code.clone()),
            }),
        _ => None,
    }
}

/// The contract's execution variant for a message: the lot of the first
/// toewijzing it names; else the lot of its product in the gemeente's region;
/// else the aanbieder's contracts when they agree on one variant;
/// else inspanningsgericht.
fn variant_of(f: &Fundings) -> Result<Uitvoeringsvariant> {
    let parse = |s: &str| -> Result<Uitvoeringsvariant> {
        serde_json::from_str::<FundingVariant>(s)
            .map(uitvoeringsvariant)
            .map_err(|e| corrupt("lots", "funding", e))
    };
    if let Some(v) = &f.by_nummer {
        return parse(v);
    }
    if let [v] = f.by_product.as_slice() {
        return parse(v);
    }
    if let [v] = f.by_contract.as_slice() {
        return parse(v);
    }
    Ok(Uitvoeringsvariant::Inspanningsgericht)
}

// ---------------------------------------------------------------- writes

fn sha256_hex(data: &[u8]) -> String {
    let d = Sha256::digest(data);
    let mut s = String::with_capacity(64);
    for b in d {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

async fn next_message_id(c: &mut AnyConnection) -> Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM iwmo_messages")
            .fetch_one(&mut *c)
            .await?;
    Ok(n)
}

/// One message row.
struct MessageRow<'a> {
    direction: &'a str,
    sender: &'a str,
    receiver: &'a str,
    message_type: &'a str,
    identificatie: &'a str,
    dagtekening: Option<NaiveDate>,
    hash: &'a str,
    raw: &'a str,
    status: &'a str,
    report: &'a str,
    retour_produced: Option<&'a str>,
    retour_id: Option<i64>,
    in_reply_to: Option<i64>,
    received_at: &'a str,
    answer_deadline: Option<NaiveDate>,
}

/// Adds one INSERT of message rows to `w` (a received message with its
/// retour and answers is one statement).
fn push_messages(w: &mut Script<'static>, rows: &[(i64, &MessageRow<'_>)]) {
    let s = w.stmt();
    s.push("INSERT INTO iwmo_messages (id, direction, sender, receiver, message_type, identificatie, dagtekening, content_hash, raw_xml, status, report, retour_produced, retour_id, in_reply_to, received_at, answer_deadline) VALUES ");
    for (k, (id, m)) in rows.iter().enumerate() {
        s.push(if k == 0 { "(" } else { ",(" })
            .bind(*id)
            .push(",")
            .bind(m.direction.to_string())
            .push(",")
            .bind(m.sender.to_string())
            .push(",")
            .bind(m.receiver.to_string())
            .push(",")
            .bind(m.message_type.to_string())
            .push(",")
            .bind(m.identificatie.to_string())
            .push(",")
            .bind(m.dagtekening.map(date_str))
            .push(",")
            .bind(m.hash.to_string())
            .push(",")
            .bind(m.raw.to_string())
            .push(",")
            .bind(m.status.to_string())
            .push(",")
            .bind(m.report.to_string())
            .push(",")
            .bind(m.retour_produced.map(str::to_string))
            .push(",")
            .bind(m.retour_id)
            .push(",")
            .bind(m.in_reply_to)
            .push(",")
            .bind(m.received_at.to_string())
            .push(",")
            .bind(m.answer_deadline.map(date_str))
            .push(")");
    }
}

async fn insert_message(c: &mut AnyConnection, id: i64, m: &MessageRow<'_>) -> Result<()> {
    let mut w = Script::new(crate::backend_of(c));
    push_messages(&mut w, &[(id, m)]);
    w.run(c).await
}

/// One tracked obligation as written.
struct DeadlineRow<'a> {
    rule: &'a str,
    subject: &'a str,
    gemeente: &'a str,
    aanbieder: &'a str,
    party: &'a str,
    message_id: Option<i64>,
    due: NaiveDate,
    fulfilled: Option<(NaiveDate, i64)>,
}

/// How an INSERT of a deadline meets an existing (rule, subject).
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnConflict {
    /// Fail (a second deadline for the same thing is a bug).
    Fail,
    /// Keep the existing deadline.
    Keep,
    /// Fulfil it when open (taking the new due date), else replace it.
    FulfilOrReplace,
}

/// Adds one INSERT of deadline rows to `w`.
fn push_deadlines(w: &mut Script<'static>, rows: &[DeadlineRow<'_>], on_conflict: OnConflict) {
    if rows.is_empty() {
        return;
    }
    let s = w.stmt();
    s.push("INSERT INTO iwmo_deadlines (rule, subject, gemeente, aanbieder, party, message_id, due, fulfilled_at, fulfilled_by) VALUES ");
    for (k, d) in rows.iter().enumerate() {
        s.push(if k == 0 { "(" } else { ",(" })
            .bind(d.rule.to_string())
            .push(",")
            .bind(d.subject.to_string())
            .push(",")
            .bind(d.gemeente.to_string())
            .push(",")
            .bind(d.aanbieder.to_string())
            .push(",")
            .bind(d.party.to_string())
            .push(",")
            .bind(d.message_id)
            .push(",")
            .bind(date_str(d.due))
            .push(",")
            .bind(d.fulfilled.map(|f| date_str(f.0)))
            .push(",")
            .bind(d.fulfilled.map(|f| f.1))
            .push(")");
    }
    match on_conflict {
        OnConflict::Fail => {}
        OnConflict::Keep => {
            s.push(" ON CONFLICT (rule, subject) DO NOTHING");
        }
        OnConflict::FulfilOrReplace => {
            // Every right-hand side reads the row as it was: an open deadline
            // keeps who and what, and gets fulfilled with the new due date;
            // a fulfilled one is replaced by the new row.
            let keep = |col: &str| {
                format!("{col} = CASE WHEN iwmo_deadlines.fulfilled_at IS NULL THEN iwmo_deadlines.{col} ELSE excluded.{col} END")
            };
            s.push(" ON CONFLICT (rule, subject) DO UPDATE SET ")
                .push(&keep("gemeente"))
                .push(", ")
                .push(&keep("aanbieder"))
                .push(", ")
                .push(&keep("party"))
                .push(", ")
                .push(&keep("message_id"))
                .push(", due = excluded.due, fulfilled_at = excluded.fulfilled_at, fulfilled_by = excluded.fulfilled_by");
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn add_deadline(
    c: &mut AnyConnection,
    rule: &str,
    subject: &str,
    gemeente: &str,
    aanbieder: &str,
    party: &str,
    message_id: Option<i64>,
    due: NaiveDate,
    fulfilled: Option<(NaiveDate, i64)>,
) -> Result<()> {
    let mut w = Script::new(crate::backend_of(c));
    push_deadlines(
        &mut w,
        &[DeadlineRow {
            rule,
            subject,
            gemeente,
            aanbieder,
            party,
            message_id,
            due,
            fulfilled,
        }],
        OnConflict::Fail,
    );
    w.run(c).await
}

/// Adds to `w`: fulfil an open deadline, optionally correcting its due date
/// ([`fulfil_deadline`] when the caller does not need to know whether one was open).
fn push_fulfil(
    w: &mut Script<'static>,
    rule: &str,
    subject: &str,
    due: Option<NaiveDate>,
    on: NaiveDate,
    by: i64,
) {
    w.stmt()
        .push("UPDATE iwmo_deadlines SET fulfilled_at = ")
        .bind(date_str(on))
        .push(", fulfilled_by = ")
        .bind(by)
        .push(", due = COALESCE(")
        .bind(due.map(date_str))
        .push(", due) WHERE rule = ")
        .bind(rule.to_string())
        .push(" AND subject = ")
        .bind(subject.to_string())
        .push(" AND fulfilled_at IS NULL");
}

/// Fulfils an open deadline, optionally correcting its due date; returns whether one was open.
async fn fulfil_deadline(
    c: &mut AnyConnection,
    rule: &str,
    subject: &str,
    due: Option<NaiveDate>,
    on: NaiveDate,
    by: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE iwmo_deadlines SET fulfilled_at = $1, fulfilled_by = $2, due = COALESCE($3, due) WHERE rule = $4 AND subject = $5 AND fulfilled_at IS NULL",
    )
    .bind(date_str(on))
    .bind(by)
    .bind(due.map(date_str))
    .bind(rule)
    .bind(subject)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() > 0)
}

fn issue_at(report: &ValidationReport, klasse: Berichtklasse, pad: &[usize]) -> bool {
    report
        .issues
        .iter()
        .any(|i| i.locatie.klasse == klasse && i.locatie.pad == pad)
}

/// Rejected as a whole: an issue on the Header or the Declaratie, or on the
/// (single) Client of a non-declaratie message.
fn top_rejected(report: &ValidationReport) -> bool {
    report.issues.iter().any(|i| match i.locatie.klasse {
        Berichtklasse::Header | Berichtklasse::Declaratie => true,
        Berichtklasse::Client => i.locatie.pad.is_empty(),
        _ => false,
    })
}

/// Adds to `w`: store a toewijzing as sent (replacing the one with its
/// number), marking the verzoek it answers as toegewezen.
#[allow(clippy::too_many_arguments)]
fn push_toewijzing(
    w: &mut Script<'static>,
    gemeente: &str,
    aanbieder: &str,
    bsn: &str,
    tp: &ToegewezenProduct,
    toewijzing_id: Option<&str>,
    fingerprint: &str,
    message_id: i64,
) {
    let n = i64::from(tp.toewijzing_nummer.get());
    // One statement: the row with this number takes every column anew. (No
    // reader depends on the physical row order a DELETE + INSERT would change.)
    w.stmt()
        .push("INSERT INTO iwmo_toewijzingen (gemeente, nummer, aanbieder, bsn, toewijzing_id, categorie, productcode, ingangsdatum, einddatum, reden_wijziging, volume, eenheid, frequentie, budget_cents, referentie_aanbieder, fingerprint, message_id) VALUES (")
        .bind(gemeente.to_string())
        .push(",")
        .bind(n)
        .push(",")
        .bind(aanbieder.to_string())
        .push(",")
        .bind(bsn.to_string())
        .push(",")
        .bind(toewijzing_id.map(str::to_string))
        .push(",")
        .bind(tp.product.as_ref().map(|p| p.categorie.code().to_string()))
        .push(",")
        .bind(
            tp.product
                .as_ref()
                .and_then(|p| p.code.as_ref())
                .map(|c| c.to_string()),
        )
        .push(",")
        .bind(date_str(tp.ingangsdatum))
        .push(",")
        .bind(tp.einddatum.map(date_str))
        .push(",")
        .bind(tp.reden_wijziging.map(|r| r.code().to_string()))
        .push(",")
        .bind(tp.omvang.as_ref().map(|o| i64::from(o.volume.get())))
        .push(",")
        .bind(tp.omvang.as_ref().map(|o| o.eenheid.code().to_string()))
        .push(",")
        .bind(tp.omvang.as_ref().map(|o| o.frequentie.code().to_string()))
        .push(",")
        .bind(tp.budget.map(|b| i64::from(b.get())))
        .push(",")
        .bind(tp.referentie_aanbieder.as_ref().map(|r| r.to_string()))
        .push(",")
        .bind(fingerprint.to_string())
        .push(",")
        .bind(message_id)
        .push(
            ") ON CONFLICT (gemeente, nummer) DO UPDATE SET aanbieder = excluded.aanbieder, \
             bsn = excluded.bsn, toewijzing_id = excluded.toewijzing_id, \
             categorie = excluded.categorie, productcode = excluded.productcode, \
             ingangsdatum = excluded.ingangsdatum, einddatum = excluded.einddatum, \
             reden_wijziging = excluded.reden_wijziging, volume = excluded.volume, \
             eenheid = excluded.eenheid, frequentie = excluded.frequentie, \
             budget_cents = excluded.budget_cents, \
             referentie_aanbieder = excluded.referentie_aanbieder, \
             fingerprint = excluded.fingerprint, message_id = excluded.message_id",
        );
    if let Some(r) = &tp.referentie_aanbieder {
        w.stmt()
            .push("UPDATE iwmo_verzoeken SET toegewezen = 1 WHERE aanbieder = ")
            .bind(aanbieder.to_string())
            .push(" AND referentie = ")
            .bind(r.to_string());
    }
}

/// Applies a sent or accepted WMO301: toewijzingen as sent, expected starts (OP271), answered verzoeken (OP274).
async fn apply_301(
    c: &mut AnyConnection,
    m: &bericht::Wmo301,
    ids: &HashMap<u32, (String, String)>,
    message_id: i64,
    today: NaiveDate,
) -> Result<()> {
    let mut w = Script::new(crate::backend_of(c));
    push_301(&mut w, m, ids, message_id, today);
    w.run(c).await
}

/// [`apply_301`] as statements added to `w` (it only writes).
fn push_301(
    w: &mut Script<'static>,
    m: &bericht::Wmo301,
    ids: &HashMap<u32, (String, String)>,
    message_id: i64,
    today: NaiveDate,
) {
    let (g, a) = (
        m.header.afzender.to_string(),
        m.header.ontvanger.to_string(),
    );
    let bsn = m.client.bsn.to_string();
    for tp in &m.client.toegewezen_producten {
        let n = tp.toewijzing_nummer.get();
        let (tid, fp) = match ids.get(&n) {
            Some((id, fp)) => (Some(id.as_str()), fp.clone()),
            None => (None, fingerprint_tp(tp)),
        };
        push_toewijzing(w, &g, &a, &bsn, tp, tid, &fp, message_id);
        let subject = format!("start:{g}:{n}");
        let info = ToewijzingInfo {
            gemeente: g.clone(),
            aanbieder: a.clone(),
            bsn: bsn.clone(),
            toewijzing_nummer: n,
            product: tp.product.clone(),
            ingangsdatum: tp.ingangsdatum,
            einddatum: tp.einddatum,
            reden_wijziging: tp.reden_wijziging,
            omvang: None,
            budget: None,
            referentie_aanbieder: None,
        };
        if !info.is_verwijderd() {
            // Expected start: 5 working days after the toewijzing starts, or
            // after receipt when assigned with retroactive effect (OP271);
            // an OP271 already tracked for this toewijzing stays as it is.
            let due = add_werkdagen(tp.ingangsdatum.max(today), 5);
            push_deadlines(
                w,
                &[DeadlineRow {
                    rule: "OP271",
                    subject: &subject,
                    gemeente: &g,
                    aanbieder: &a,
                    party: "aanbieder",
                    message_id: Some(message_id),
                    due,
                    fulfilled: None,
                }],
                OnConflict::Keep,
            );
        }
        if let Some(r) = &tp.referentie_aanbieder {
            push_fulfil(
                w,
                "OP274",
                &format!("verzoek:{a}:{r}"),
                None,
                today,
                message_id,
            );
        }
    }
}

/// What a toewijzing says, to tell whether it changed since it was last sent.
/// ReferentieAanbieder is not part of it: it only says why a WMO301 was sent
/// (IV097), and a later export without it is no change. Its slot stays (as
/// `None`) so fingerprints stored by earlier versions still compare equal.
fn fingerprint_tp(tp: &ToegewezenProduct) -> String {
    format!(
        "{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}",
        product_key(&tp.product),
        tp.ingangsdatum,
        tp.einddatum,
        tp.reden_wijziging.map(|r| r.code()),
        tp.omvang
            .as_ref()
            .map(|o| (o.volume.get(), o.eenheid.code(), o.frequentie.code())),
        tp.budget.map(|b| b.get()),
        None::<String>
    )
}

// ---------------------------------------------------------------- store API

impl Store {
    /// Receives one message: validates it against the chain state, stores it,
    /// applies it, and produces the retour (and any further answer), all in
    /// one transaction. Processing the same bytes again returns the stored
    /// outcome and changes nothing.
    pub async fn ingest(&self, xml: &[u8], opts: &IngestOptions) -> Result<IngestOutcome> {
        self.iwmo_session().await?.ingest(xml, opts).await
    }

    /// A connection held for a run of [`IwmoSession::ingest`] calls (no pool
    /// round trip per message).
    pub async fn iwmo_session(&self) -> Result<IwmoSession> {
        Ok(IwmoSession {
            store: self.clone(),
            conn: self.pool.acquire().await?,
            open: false,
            ingested: 0,
        })
    }

    /// One message, one transaction. SQLite: the transaction is two round
    /// trips to the connection's worker thread — `BEGIN IMMEDIATE` with the
    /// chain read, then all writes with `COMMIT` — plus the reads a few
    /// message types need while applying; round trips, not SQL, were most of
    /// the time. Verzoeken (WMO315/317) are decided with savepoints, which
    /// need sqlx's own transaction (it knows the nesting depth), as does
    /// PostgreSQL (one statement per prepared query): there the same
    /// statements run one by one between sqlx's BEGIN and COMMIT.
    async fn ingest_on(
        &self,
        s: &mut IwmoSession,
        m: Received<'_>,
        opts: &IngestOptions,
    ) -> Result<IngestOutcome> {
        let savepoints = matches!(m.t, Some(MessageType::Wmo315 | MessageType::Wmo317));
        if s.open {
            // An ingest that was cancelled (its future dropped) left its transaction open.
            s.rollback().await?;
        }
        if self.backend == crate::Backend::Sqlite && !savepoints {
            s.open = true;
            let done = match self
                .ingest_tx(&mut s.conn, m, opts, Some("BEGIN IMMEDIATE;\n"))
                .await
            {
                Ok((outcome, mut w)) => {
                    w.stmt().push("COMMIT");
                    w.run(&mut s.conn).await.map(|_| outcome)
                }
                Err(e) => Err(e),
            };
            return match done {
                Ok(outcome) => {
                    s.open = false;
                    Ok(outcome)
                }
                Err(e) => {
                    s.rollback().await?;
                    Err(e)
                }
            };
        }
        let mut tx = match self.backend {
            // The write lock first, as above.
            crate::Backend::Sqlite => {
                sqlx::Connection::begin_with(&mut *s.conn, "BEGIN IMMEDIATE").await?
            }
            crate::Backend::Postgres => sqlx::Connection::begin(&mut *s.conn).await?,
        };
        let (outcome, w) = self.ingest_tx(&mut tx, m, opts, None).await?;
        w.run(&mut tx).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The work of one message inside its transaction (see [`Store::ingest_on`],
    /// which starts it with `begin` in front of the first query, or before).
    /// Returns the outcome and the writes still to run before COMMIT.
    async fn ingest_tx(
        &self,
        c: &mut AnyConnection,
        m: Received<'_>,
        opts: &IngestOptions,
        begin: Option<&'static str>,
    ) -> Result<(IngestOutcome, Script<'static>)> {
        let Received {
            xml,
            hash,
            parsed,
            t,
            sender,
            receiver,
            ident,
            dagtekening,
            keys,
        } = m;
        let tname = t.map_or("", |t| t.name());
        let product = match (&parsed, &keys) {
            (Ok(b), Some(_)) => first_product(b),
            _ => None,
        };
        let mut w = Script::new(self.backend);
        // One round trip: next id, replay / known Identificatie, chain snapshot, variant.
        // SQLite: `BEGIN IMMEDIATE` takes the write lock first, so that what is
        // read here (the next message id included) stays true until COMMIT, and
        // a concurrent writer waits (busy_timeout) instead of failing this
        // transaction at its first write.
        let loaded = load(
            c,
            &Load {
                begin,
                next_id: true,
                type_name: tname,
                afzender: &sender,
                identificatie: &ident,
                chain: t.zip(keys.as_ref()),
                variant: keys.as_ref().map(|_| product.as_ref()),
            },
        )
        .await?;
        // Replay?
        if let Some(prev) = loaded.known.iter().find(|k| k.hash == hash) {
            // The retour and the answers all point back at the message.
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, raw_xml FROM iwmo_messages WHERE in_reply_to = $1 ORDER BY id",
            )
            .bind(prev.id)
            .fetch_all(&mut *c)
            .await?;
            let mut retour = None;
            let mut answers = Vec::new();
            for (id, x) in rows {
                if Some(id) == prev.retour_id {
                    retour = Some(x);
                } else {
                    answers.push(x);
                }
            }
            if let (Some(r), None) = (prev.retour_id, &retour) {
                let (x,): (String,) =
                    sqlx::query_as("SELECT raw_xml FROM iwmo_messages WHERE id = $1")
                        .bind(r)
                        .fetch_one(&mut *c)
                        .await?;
                retour = Some(x);
            }
            let outcome = IngestOutcome {
                message_id: prev.id,
                message_type: t,
                status: prev.status.clone(),
                retour,
                answers,
                report: serde_json::from_str(&prev.report)?,
                replayed: true,
            };
            return Ok((outcome, w));
        }
        let id = loaded
            .next_id
            .ok_or_else(|| corrupt("iwmo_messages", "id", "no next id"))?;
        let today = opts.today();
        let stamp = opts.stamp();

        // Validate.
        let (report, bericht) = match parsed {
            Err(_) => (
                validate::validate(
                    &xml,
                    &ChainSnapshot::default(),
                    Uitvoeringsvariant::default(),
                ),
                None,
            ),
            Ok(b) if b.message_type().is_retour() => {
                let report =
                    validate::validate_bericht(&b, &ChainSnapshot::default(), &Options::default());
                (report, Some(b))
            }
            Ok(b) => {
                let t = b.message_type();
                let variant = variant_of(&loaded.fundings)?;
                let report = validate::validate_bericht(
                    &b,
                    &loaded.snap,
                    &Options {
                        variant,
                        alleen_bericht: false,
                    },
                );
                let misses = std::mem::take(&mut *loaded.snap.misses.borrow_mut());
                if !misses.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "chain snapshot incomplete for {t} {ident}: {}",
                        misses.join("; ")
                    )));
                }
                (report, Some(b))
            }
        };
        // The stored copy: the bytes as text (no copy when they are UTF-8, as iWmo messages are).
        let raw = match String::from_utf8(xml.into_owned()) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        let report_json = report.to_json();
        let is_retour = t.is_some_and(|t| t.is_retour());
        let rejected = bericht.is_none() || top_rejected(&report);
        let status = if is_retour {
            "retour"
        } else if report.is_ok() {
            "accepted"
        } else if rejected {
            "rejected"
        } else {
            "partial"
        };

        // Retour (not for received retours; not when no header could be read: OP090x2).
        let mut next_id = id + 1;
        let mut retour_xml = None;
        let mut retour_row = None;
        if !is_retour {
            let params = RetourParams {
                identificatie: IdentificatieBericht::new(format!("RG{next_id:010}"))
                    .map_err(|e| StoreError::Conflict(e.to_string()))?,
                dagtekening: Some(today),
                xslt_versie: None,
            };
            if let Ok(r) = validate::retour_for(&report, &params) {
                let x = r.to_xml();
                retour_row = Some((next_id, r.message_type()));
                retour_xml = Some(x);
                next_id += 1;
            }
        }
        let deadline = t.filter(|_| !is_retour).map(|t| {
            if t == MessageType::Wmo323 {
                add_werkdagen(today, 10)
            } else {
                add_werkdagen(today, 3)
            }
        });

        // Apply accepted content and build further answers.
        let mut answers: Vec<(i64, Bericht)> = Vec::new();
        if let Some(b) = &bericht {
            self.apply_received(
                c,
                b,
                &report,
                rejected,
                id,
                today,
                &stamp,
                &mut next_id,
                &mut answers,
                &mut w,
                &loaded,
            )
            .await?;
        }

        // The outgoing retour and answers and the received message (one
        // statement), then their deadlines (another).
        let retour_meta = match (retour_row, &retour_xml) {
            (Some((rid, rt)), Some(x)) => Some((
                rid,
                rt,
                format!("RG{rid:010}"),
                sha256_hex(x.as_bytes()),
                x.as_str(),
                format!("retour:{id}"),
            )),
            _ => None,
        };
        let answer_xml: Vec<String> = answers.iter().map(|(_, b)| b.to_xml()).collect();
        let answer_meta: Vec<_> = answers
            .iter()
            .zip(&answer_xml)
            .map(|((aid, b), x)| {
                (
                    *aid,
                    header_key(b),
                    sha256_hex(x.as_bytes()),
                    format!("retour:{aid}"),
                )
            })
            .collect();
        let (gemeente, aanbieder) = (
            gemeente_of(&sender, &receiver, t),
            aanbieder_of(&sender, &receiver, t),
        );
        let answer_due = add_werkdagen(today, 3);
        let mut rows: Vec<(i64, MessageRow<'_>)> = Vec::with_capacity(2 + answers.len());
        let mut deadlines: Vec<DeadlineRow<'_>> = Vec::with_capacity(1 + answers.len());
        if let Some((rid, rt, rident, rhash, x, subject)) = &retour_meta {
            rows.push((
                *rid,
                MessageRow {
                    direction: "out",
                    sender: &receiver,
                    receiver: &sender,
                    message_type: rt.name(),
                    identificatie: rident,
                    dagtekening: Some(today),
                    hash: rhash,
                    raw: x,
                    status: "sent",
                    report: "{}",
                    retour_produced: None,
                    retour_id: None,
                    in_reply_to: Some(id),
                    received_at: &stamp,
                    answer_deadline: None,
                },
            ));
            deadlines.push(DeadlineRow {
                rule: if t == Some(MessageType::Wmo323) {
                    "OP090x4"
                } else {
                    "OP090"
                },
                subject,
                gemeente: &gemeente,
                aanbieder: &aanbieder,
                party: if t.is_some_and(|t| t.sent_by_gemeente()) {
                    "aanbieder"
                } else {
                    "gemeente"
                },
                message_id: Some(id),
                due: deadline.unwrap_or(today),
                fulfilled: Some((today, *rid)),
            });
        }
        for ((aid, (at, s, r, ai, ad), ahash, subject), x) in answer_meta.iter().zip(&answer_xml) {
            rows.push((
                *aid,
                MessageRow {
                    direction: "out",
                    sender: s,
                    receiver: r,
                    message_type: at.map_or("", |t| t.name()),
                    identificatie: ai,
                    dagtekening: *ad,
                    hash: ahash,
                    raw: x,
                    status: "sent",
                    report: "{}",
                    retour_produced: None,
                    retour_id: None,
                    in_reply_to: Some(id),
                    received_at: &stamp,
                    answer_deadline: Some(answer_due),
                },
            ));
            deadlines.push(DeadlineRow {
                rule: "OP090",
                subject,
                gemeente: s,
                aanbieder: r,
                party: "aanbieder",
                message_id: Some(*aid),
                due: answer_due,
                fulfilled: None,
            });
        }
        let report_text = serde_json::to_string(&report_json)?;
        rows.push((
            id,
            MessageRow {
                direction: "in",
                sender: &sender,
                receiver: &receiver,
                message_type: tname,
                identificatie: &ident,
                dagtekening,
                hash: &hash,
                raw: &raw,
                status,
                report: &report_text,
                retour_produced: retour_row.map(|r| r.1.name()),
                retour_id: retour_row.map(|r| r.0),
                in_reply_to: None,
                received_at: &stamp,
                answer_deadline: deadline,
            },
        ));
        let refs: Vec<(i64, &MessageRow<'_>)> = rows.iter().map(|(id, m)| (*id, m)).collect();
        push_messages(&mut w, &refs);
        push_deadlines(&mut w, &deadlines, OnConflict::Fail);
        let outcome = IngestOutcome {
            message_id: id,
            message_type: t,
            status: status.to_string(),
            retour: retour_xml,
            answers: answer_xml,
            report: report_json,
            replayed: false,
        };
        Ok((outcome, w))
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply_received(
        &self,
        c: &mut AnyConnection,
        b: &Bericht,
        report: &ValidationReport,
        rejected: bool,
        id: i64,
        today: NaiveDate,
        stamp: &str,
        next_id: &mut i64,
        answers: &mut Vec<(i64, Bericht)>,
        w: &mut Script<'static>,
        loaded: &Loaded,
    ) -> Result<()> {
        // Writes that nothing later in this message reads go into `w`, to run
        // with the COMMIT (see `ingest_on`); the rest runs at once on `c`.
        match b {
            // Answers to what we sent: acknowledge, fulfil OP090.
            Bericht::Wmo302(m) => {
                ack(
                    c,
                    &m.header.heen.afzender.to_string(),
                    "WMO301",
                    &m.header
                        .heen
                        .bericht_identificatie
                        .identificatie
                        .to_string(),
                    today,
                    id,
                )
                .await?
            }
            Bericht::Wmo320(m) => {
                ack(
                    c,
                    &m.header.heen.afzender.to_string(),
                    "WMO319",
                    &m.header
                        .heen
                        .bericht_identificatie
                        .identificatie
                        .to_string(),
                    today,
                    id,
                )
                .await?
            }
            _ if rejected => {}
            Bericht::Wmo301(m) => {
                if report.is_ok() {
                    push_301(w, m, &HashMap::new(), id, today);
                }
            }
            Bericht::Wmo305(m) => {
                let (g, a) = (
                    m.header.ontvanger.to_string(),
                    m.header.afzender.to_string(),
                );
                let bsn = m.client.bsn.to_string();
                for (i, sp) in m.client.start_producten.iter().enumerate() {
                    if issue_at(report, Berichtklasse::StartProduct, &[i]) {
                        continue;
                    }
                    let (n, product, begin) =
                        care_period_key(sp.toewijzing_nummer, &sp.product, sp.begindatum);
                    // The care period: started, or its start corrected.
                    w.stmt()
                        .push("INSERT INTO iwmo_care_periods (gemeente, aanbieder, bsn, toewijzing_nummer, product, begindatum, start_status, start_message_id, start_received_at) VALUES (")
                        .bind(g.clone()).push(",").bind(a.clone()).push(",").bind(bsn.clone()).push(",")
                        .bind(n).push(",").bind(product.clone()).push(",").bind(begin.clone()).push(",")
                        .bind(sp.status_aanlevering.code().to_string()).push(",").bind(id).push(",").bind(stamp.to_string())
                        .push(") ON CONFLICT (gemeente, aanbieder, bsn, toewijzing_nummer, product, begindatum) DO UPDATE SET start_status = excluded.start_status, start_message_id = excluded.start_message_id, start_received_at = excluded.start_received_at");
                    if sp.status_aanlevering == StatusAanlevering::Verwijderen {
                        continue;
                    }
                    // OP271: 5 working days after the actual start (or after the toewijzing was sent, when retroactive).
                    let sent = loaded.sent.get(&n).and_then(|s| {
                        NaiveDate::parse_from_str(&s[..10.min(s.len())], "%Y-%m-%d").ok()
                    });
                    let due = add_werkdagen(sp.begindatum.max(sent.unwrap_or(sp.begindatum)), 5);
                    let subject = if n > 0 {
                        format!("start:{g}:{n}")
                    } else {
                        format!("start:{g}:{a}:{bsn}:{product}:{begin}")
                    };
                    // Fulfil the expected start; none tracked: track it as fulfilled now.
                    push_fulfil(w, "OP271", &subject, Some(due), today, id);
                    push_deadlines(
                        w,
                        &[DeadlineRow {
                            rule: "OP271",
                            subject: &subject,
                            gemeente: &g,
                            aanbieder: &a,
                            party: "aanbieder",
                            message_id: Some(id),
                            due,
                            fulfilled: Some((today, id)),
                        }],
                        OnConflict::Keep,
                    );
                }
            }
            Bericht::Wmo307(m) => {
                let (g, a) = (
                    m.header.ontvanger.to_string(),
                    m.header.afzender.to_string(),
                );
                let bsn = m.client.bsn.to_string();
                for (i, sp) in m.client.stop_producten.iter().enumerate() {
                    if issue_at(report, Berichtklasse::StopProduct, &[i]) {
                        continue;
                    }
                    let (n, product, begin) =
                        care_period_key(sp.toewijzing_nummer, &sp.product, sp.begindatum);
                    // The care period: stopped, or its stop corrected.
                    w.stmt()
                        .push("INSERT INTO iwmo_care_periods (gemeente, aanbieder, bsn, toewijzing_nummer, product, begindatum, einddatum, reden_beeindiging, stop_status, stop_message_id, stop_received_at) VALUES (")
                        .bind(g.clone()).push(",").bind(a.clone()).push(",").bind(bsn.clone()).push(",")
                        .bind(n).push(",").bind(product.clone()).push(",").bind(begin.clone()).push(",")
                        .bind(date_str(sp.einddatum)).push(",").bind(sp.reden_beeindiging.code().to_string()).push(",")
                        .bind(sp.status_aanlevering.code().to_string()).push(",").bind(id).push(",").bind(stamp.to_string())
                        .push(") ON CONFLICT (gemeente, aanbieder, bsn, toewijzing_nummer, product, begindatum) DO UPDATE SET einddatum = excluded.einddatum, reden_beeindiging = excluded.reden_beeindiging, stop_status = excluded.stop_status, stop_message_id = excluded.stop_message_id, stop_received_at = excluded.stop_received_at");
                    if sp.status_aanlevering == StatusAanlevering::Verwijderen {
                        continue;
                    }
                    // OP272: fulfil the expected stop; none open: track it anew as fulfilled now.
                    let subject = format!("stop:{g}:{a}:{bsn}:{n}:{product}:{begin}");
                    let due = add_werkdagen(sp.einddatum, 5);
                    push_deadlines(
                        w,
                        &[DeadlineRow {
                            rule: "OP272",
                            subject: &subject,
                            gemeente: &g,
                            aanbieder: &a,
                            party: "aanbieder",
                            message_id: Some(id),
                            due,
                            fulfilled: Some((today, id)),
                        }],
                        OnConflict::FulfilOrReplace,
                    );
                }
            }
            // Verzoeken are decided at once (see `verzoek`): granted with a
            // WMO301, refused or taken into onderzoek with a WMO319 (OP274).
            Bericht::Wmo315(m) => {
                if report.is_ok() {
                    self.verzoek_om_toewijzing(c, m, id, moment(today, stamp), next_id, answers)
                        .await?;
                }
            }
            Bericht::Wmo317(m) => {
                if report.is_ok() {
                    self.verzoek_om_wijziging(c, m, id, moment(today, stamp), next_id, answers)
                        .await?;
                }
            }
            Bericht::Wmo319(m) => {
                if report.is_ok() {
                    w.stmt()
                        .push("UPDATE iwmo_verzoeken SET antwoorden = antwoorden || ',' || ")
                        .bind(m.antwoord.verzoek_antwoord.code().to_string())
                        .push(" WHERE aanbieder = ")
                        .bind(m.header.ontvanger.to_string())
                        .push(" AND referentie = ")
                        .bind(m.antwoord.referentie_aanbieder.to_string());
                }
            }
            Bericht::Wmo323(m) => {
                let (g, a) = (
                    m.header.ontvanger.to_string(),
                    m.header.afzender.to_string(),
                );
                let dn = m.declaratie.declaratie_nummer.to_string();
                w.stmt()
                    .push("INSERT INTO iwmo_declaraties (aanbieder, gemeente, declaratie_nummer, message_id, ingediend_cents, toegekend_cents) VALUES (")
                    .bind(a.clone()).push(",").bind(g.clone()).push(",").bind(dn.clone()).push(",").bind(id).push(",")
                    .bind(m.declaratie.totaal_ingediend_bedrag.signed()).push(",")
                    .bind(report.toegekend)
                    .push(")");
                for (ci, cl) in m.clienten.iter().enumerate() {
                    let client_fout = issue_at(report, Berichtklasse::Client, &[ci]);
                    for (pi, p) in cl.prestaties.iter().enumerate() {
                        let mut codes = report.retourcodes_at(&validate::Locatie::at(
                            Berichtklasse::Prestatie,
                            &[ci, pi],
                        ));
                        if client_fout {
                            codes.extend(report.retourcodes_at(&validate::Locatie::at(
                                Berichtklasse::Client,
                                &[ci],
                            )));
                        }
                        codes.sort();
                        codes.dedup();
                        let ok = codes.is_empty();
                        let codes_text = if ok {
                            RetourCode::GOED.code().to_string()
                        } else {
                            codes.iter().map(|c| c.code()).collect::<Vec<_>>().join(",")
                        };
                        w.stmt()
                            .push("INSERT INTO iwmo_declaratie_regels (message_id, client_index, prestatie_index, aanbieder, gemeente, declaratie_nummer, bsn, referentie_nummer, vorig_referentie, toewijzing_nummer, categorie, productcode, periode_begin, periode_eind, volume, eenheid, tarief_cents, bedrag_cents, status, retourcodes, gecrediteerd) VALUES (")
                            .bind(id).push(",").bind(ci as i64).push(",").bind(pi as i64).push(",")
                            .bind(a.clone()).push(",").bind(g.clone()).push(",").bind(dn.clone()).push(",")
                            .bind(cl.bsn.to_string()).push(",")
                            .bind(p.product_referentie.referentie_nummer.to_string()).push(",")
                            .bind(p.product_referentie.vorig_referentie_nummer.as_ref().map(|v| v.to_string())).push(",")
                            .bind(i64::from(p.toewijzing_nummer.get())).push(",")
                            .bind(p.product_categorie.code().to_string()).push(",")
                            .bind(p.product_code.to_string()).push(",")
                            .bind(date_str(p.product_periode.begindatum)).push(",")
                            .bind(date_str(p.product_periode.einddatum)).push(",")
                            .bind(i64::from(p.geleverd_volume.get())).push(",")
                            .bind(p.eenheid.code().to_string()).push(",")
                            .bind(p.product_tarief.map(|t| i64::from(t.get()))).push(",")
                            .bind(p.ingediend_bedrag.signed()).push(",")
                            .bind(if ok { "accepted" } else { "rejected" }).push(",")
                            .bind(codes_text).push(",")
                            .bind(0i64)
                            .push(")");
                        if ok {
                            if let Some(v) = &p.product_referentie.vorig_referentie_nummer {
                                w.stmt()
                                    .push("UPDATE iwmo_declaratie_regels SET gecrediteerd = 1 WHERE aanbieder = ")
                                    .bind(a.clone())
                                    .push(" AND referentie_nummer = ")
                                    .bind(v.to_string())
                                    .push(" AND status = 'accepted'");
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Sends WMO301s for the toewijzingen of one aanbieder or gemeente running
    /// on or after `since` (taakgericht lots get no per-client toewijzing, OP086
    /// — they are skipped): one message per client and aanbieder with all its
    /// toewijzingen there; clients whose toewijzingen are unchanged since the
    /// last WMO301 are skipped. Each message is validated against the chain
    /// state and written in its own transaction.
    pub async fn export_toewijzingen(
        &self,
        target: &ExportTarget,
        since: NaiveDate,
        opts: &IngestOptions,
    ) -> Result<ExportOutcome> {
        let (col, val) = match target {
            ExportTarget::Aanbieder(a) => ("provider_agb", a.as_str()),
            ExportTarget::Gemeente(g) => ("gemeente", g.as_str()),
        };
        let rows = sqlx::query(&format!(
            "SELECT {} \
             FROM toewijzingen t JOIN clients c ON c.bsn = t.bsn JOIN lots l ON l.region_id = t.region_id AND l.id = t.lot_id \
             WHERE t.{col} = $1 AND (t.end_date IS NULL OR t.end_date >= $2) AND l.funding NOT LIKE '%taakgericht%' ORDER BY t.gemeente, t.provider_agb, t.bsn, t.start_date, t.id",
            bericht301::COLS
        ))
        .bind(val)
        .bind(date_str(since))
        .fetch_all(&self.pool)
        .await?;
        let mut groups: Vec<((String, String, String), Vec<sqlx::any::AnyRow>)> = Vec::new();
        for r in rows {
            let k: (String, String, String) = (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
            match groups.last_mut() {
                Some((lk, v)) if *lk == k => v.push(r),
                _ => groups.push((k, vec![r])),
            }
        }
        let mut out = ExportOutcome::default();
        for ((g, a, bsn), rows) in groups {
            self.export_client(&g, &a, &bsn, &rows, opts, &mut out)
                .await?;
        }
        Ok(out)
    }

    async fn export_client(
        &self,
        g: &str,
        a: &str,
        bsn: &str,
        rows: &[sqlx::any::AnyRow],
        opts: &IngestOptions,
        out: &mut ExportOutcome,
    ) -> Result<()> {
        let mut tx: Transaction<'_, Any> = self.pool.begin().await?;
        let c: &mut AnyConnection = &mut tx;
        let today = opts.today();
        let p = bericht301::producten(c, g, rows, opts.now, &bericht301::Selectie::Alle, &|_| None)
            .await?
            .expect("a group has rows");
        if !p.changed {
            out.unchanged += 1;
            return Ok(()); // rolls back nothing (no writes)
        }
        // The aanbieder must be able to identify and reach the client: no
        // WMO301 with a made-up name or address; the export says who is missing.
        let Some(persoon) = bericht301::persoonsgegevens(c, bsn).await? else {
            out.skipped.push(SkippedClient {
                gemeente: g.to_string(),
                aanbieder: a.to_string(),
                bsn: bsn.to_string(),
                reason: SkipReason::NoPersoonsgegevens,
            });
            return Ok(());
        };
        let mid = next_message_id(c).await?;
        let client = bericht301::client(bsn, p.birth, &persoon, p.producten)?;
        let b = Bericht::Wmo301(bericht301::wmo301(g, a, mid, today, client)?);
        // Validate what we send against the chain state, like any received message.
        let report = bericht301::valideer(c, &b, g, mid, p.variant).await?;
        if !report.is_ok() {
            out.invalid
                .push((format!("{g}/{a}/{bsn}"), report.to_string()));
            return Ok(());
        }
        let Bericht::Wmo301(m) = &b else {
            unreachable!()
        };
        let xml = b.to_xml();
        insert_message(
            c,
            mid,
            &MessageRow {
                direction: "out",
                sender: g,
                receiver: a,
                message_type: "WMO301",
                identificatie: &format!("RG{mid:010}"),
                dagtekening: Some(today),
                hash: &sha256_hex(xml.as_bytes()),
                raw: &xml,
                status: "sent",
                report: &serde_json::to_string(&report.to_json())?,
                retour_produced: None,
                retour_id: None,
                in_reply_to: None,
                received_at: &opts.stamp(),
                answer_deadline: Some(add_werkdagen(today, 3)),
            },
        )
        .await?;
        apply_301(c, m, &p.ids, mid, today).await?;
        add_deadline(
            c,
            "OP090",
            &format!("retour:{mid}"),
            g,
            a,
            "aanbieder",
            Some(mid),
            add_werkdagen(today, 3),
            None,
        )
        .await?;
        tx.commit().await?;
        out.messages.push(ExportedMessage {
            message_id: mid,
            file_name: format!("WMO301_{g}_{a}_RG{mid:010}.xml"),
            xml,
        });
        Ok(())
    }

    /// All tracked deadlines with their state on `today`, most urgent first.
    pub async fn iwmo_deadlines(&self, today: NaiveDate) -> Result<Vec<Deadline>> {
        let rows: Vec<StoredDeadline> = sqlx::query_as(&format!(
            "SELECT {DEADLINE_COLUMNS} FROM iwmo_deadlines ORDER BY due, rule, subject"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Deadline::from_row(row, today))
            .collect()
    }

    /// Row counts of the iWmo tables.
    pub async fn iwmo_counts(&self) -> Result<IwmoCounts> {
        let one = |sql: &'static str| async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await?;
            Ok::<i64, StoreError>(n)
        };
        Ok(IwmoCounts {
            received: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_messages WHERE direction = 'in'").await?,
            sent: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_messages WHERE direction = 'out'").await?,
            toewijzingen: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_toewijzingen").await?,
            care_periods: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_care_periods WHERE start_status IS NOT NULL").await?,
            stopped: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_care_periods WHERE stop_status IS NOT NULL").await?,
            verzoeken: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_verzoeken").await?,
            lines_accepted: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_declaratie_regels WHERE status = 'accepted'").await?,
            lines_rejected: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_declaratie_regels WHERE status = 'rejected'").await?,
            deadlines: one("SELECT CAST(COUNT(*) AS BIGINT) FROM iwmo_deadlines").await?,
        })
    }
}

/// The moment of receipt from its date and stamp (`%Y-%m-%dT%H:%M:%S`), for
/// the Toewijzingsdatum/-tijd of an answering WMO301.
fn moment(today: NaiveDate, stamp: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S")
        .unwrap_or_else(|_| today.and_time(chrono::NaiveTime::MIN))
}

async fn ack(
    c: &mut AnyConnection,
    sender: &str,
    heen: &str,
    ident: &str,
    today: NaiveDate,
    by: i64,
) -> Result<()> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM iwmo_messages WHERE direction = 'out' AND sender = $1 AND message_type = $2 AND identificatie = $3",
    )
    .bind(sender)
    .bind(heen)
    .bind(ident)
    .fetch_optional(&mut *c)
    .await?;
    if let Some((id,)) = row {
        sqlx::query("UPDATE iwmo_messages SET status = 'acknowledged' WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        fulfil_deadline(c, "OP090", &format!("retour:{id}"), None, today, by).await?;
    }
    Ok(())
}

fn gemeente_of(sender: &str, receiver: &str, t: Option<MessageType>) -> String {
    if t.is_some_and(|t| t.sent_by_gemeente()) {
        sender
    } else {
        receiver
    }
    .to_string()
}

fn aanbieder_of(sender: &str, receiver: &str, t: Option<MessageType>) -> String {
    if t.is_some_and(|t| t.sent_by_gemeente()) {
        receiver
    } else {
        sender
    }
    .to_string()
}

/// (type, sender, receiver, identificatie, dagtekening) of a parsed message.
fn header_key(
    b: &Bericht,
) -> (
    Option<MessageType>,
    String,
    String,
    String,
    Option<NaiveDate>,
) {
    macro_rules! heen {
        ($h:expr) => {
            (
                Some(b.message_type()),
                $h.afzender.to_string(),
                $h.ontvanger.to_string(),
                $h.bericht_identificatie.identificatie.to_string(),
                Some($h.bericht_identificatie.dagtekening),
            )
        };
    }
    macro_rules! retour {
        ($h:expr) => {
            (
                Some(b.message_type()),
                $h.heen.ontvanger.to_string(),
                $h.heen.afzender.to_string(),
                $h.identificatie_retour.to_string(),
                Some($h.dagtekening_retour),
            )
        };
    }
    match b {
        Bericht::Wmo301(m) => heen!(m.header),
        Bericht::Wmo305(m) => heen!(m.header),
        Bericht::Wmo307(m) => heen!(m.header),
        Bericht::Wmo315(m) => heen!(m.header),
        Bericht::Wmo317(m) => heen!(m.header),
        Bericht::Wmo319(m) => heen!(m.header),
        Bericht::Wmo323(m) => heen!(m.header),
        Bericht::Wmo325(m) => heen!(m.header.header),
        Bericht::Wmo302(m) => retour!(m.header),
        Bericht::Wmo306(m) => retour!(m.header),
        Bericht::Wmo308(m) => retour!(m.header),
        Bericht::Wmo316(m) => retour!(m.header),
        Bericht::Wmo318(m) => retour!(m.header),
        Bericht::Wmo320(m) => retour!(m.header),
    }
}
