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

use crate::{date_str, Result, Store, StoreError};
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
    fn toewijzing(&self, gemeente: &str, nummer: u32) -> Option<ToewijzingInfo> {
        match self.toewijzing.get(&(gemeente.to_string(), nummer)) {
            Some(v) => v.clone(),
            None => {
                self.miss(format!("toewijzing {gemeente} {nummer}"));
                None
            }
        }
    }
    fn toewijzingen(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<ToewijzingInfo> {
        match self.toewijzingen.get(&ck(gemeente, aanbieder, bsn)) {
            Some(v) => v.clone(),
            None => {
                self.miss(format!("toewijzingen {gemeente} {aanbieder} {bsn}"));
                Vec::new()
            }
        }
    }
    fn starts(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<StartInfo> {
        match self.starts.get(&ck(gemeente, aanbieder, bsn)) {
            Some(v) => v.clone(),
            None => {
                self.miss(format!("starts {gemeente} {aanbieder} {bsn}"));
                Vec::new()
            }
        }
    }
    fn stops(&self, gemeente: &str, aanbieder: &str, bsn: &str) -> Vec<StopInfo> {
        match self.stops.get(&ck(gemeente, aanbieder, bsn)) {
            Some(v) => v.clone(),
            None => {
                self.miss(format!("stops {gemeente} {aanbieder} {bsn}"));
                Vec::new()
            }
        }
    }
    fn verzoek(&self, aanbieder: &str, referentie: &str) -> Option<VerzoekInfo> {
        match self
            .verzoek
            .get(&(aanbieder.to_string(), referentie.to_string()))
        {
            Some(v) => v.clone(),
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
    fn prestatie(&self, aanbieder: &str, referentie_nummer: &str) -> Option<PrestatieInfo> {
        match self
            .prestatie
            .get(&(aanbieder.to_string(), referentie_nummer.to_string()))
        {
            Some(v) => v.clone(),
            None => {
                self.miss(format!("prestatie {aanbieder} {referentie_nummer}"));
                None
            }
        }
    }
    fn prestaties_op_toewijzing(&self, gemeente: &str, nummer: u32) -> Vec<PrestatieInfo> {
        match self.op_toewijzing.get(&(gemeente.to_string(), nummer)) {
            Some(v) => v.clone(),
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
            k.nummers.extend(
                v.ongewijzigde_producten
                    .iter()
                    .map(|p| p.toewijzing_nummer.get()),
            );
            k.nummers.extend(
                v.te_wijzigen_producten
                    .iter()
                    .map(|p| p.toewijzing_nummer.get()),
            );
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

const TW_COLS: &str = "gemeente, nummer, aanbieder, bsn, categorie, productcode, ingangsdatum, einddatum, reden_wijziging, volume, eenheid, frequentie, budget_cents, referentie_aanbieder";

fn toewijzing_row(r: &sqlx::any::AnyRow) -> Result<ToewijzingInfo> {
    let t = "iwmo_toewijzingen";
    let categorie = code_of(t, "categorie", r.try_get(4)?, ProductCategorie::from_code)?;
    let code: Option<String> = r.try_get(5)?;
    let product = match categorie {
        Some(categorie) => Some(Product {
            categorie,
            code: code
                .map(|c| ProductCode::new(c).map_err(|e| corrupt(t, "productcode", e)))
                .transpose()?,
        }),
        None => None,
    };
    let volume: Option<i64> = r.try_get(9)?;
    let eenheid = code_of(t, "eenheid", r.try_get(10)?, Eenheid::from_code)?;
    let frequentie = code_of(t, "frequentie", r.try_get(11)?, Frequentie::from_code)?;
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
    let nummer: i64 = r.try_get(1)?;
    Ok(ToewijzingInfo {
        gemeente: r.try_get(0)?,
        aanbieder: r.try_get(2)?,
        bsn: r.try_get(3)?,
        toewijzing_nummer: u32::try_from(nummer).map_err(|e| corrupt(t, "nummer", e))?,
        product,
        ingangsdatum: crate::parse_date(t, "ingangsdatum", &r.try_get::<String, _>(6)?)?,
        einddatum: opt_date(t, "einddatum", r.try_get(7)?)?,
        reden_wijziging: code_of(
            t,
            "reden_wijziging",
            r.try_get(8)?,
            RedenWijziging::from_code,
        )?,
        omvang,
        budget: r
            .try_get::<Option<i64>, _>(12)?
            .map(|b| u32::try_from(b).map_err(|e| corrupt(t, "budget_cents", e)))
            .transpose()?,
        referentie_aanbieder: r.try_get(13)?,
    })
}

const PR_COLS: &str = "gemeente, bsn, toewijzing_nummer, categorie, productcode, periode_begin, periode_eind, bedrag_cents, volume, gecrediteerd, aanbieder, referentie_nummer";

fn prestatie_row(r: &sqlx::any::AnyRow) -> Result<PrestatieInfo> {
    let t = "iwmo_declaratie_regels";
    let bedrag: i64 = r.try_get(7)?;
    let nummer: i64 = r.try_get(2)?;
    let volume: i64 = r.try_get(8)?;
    Ok(PrestatieInfo {
        gemeente: r.try_get(0)?,
        bsn: r.try_get(1)?,
        toewijzing_nummer: u32::try_from(nummer).map_err(|e| corrupt(t, "toewijzing_nummer", e))?,
        categorie: ProductCategorie::from_code(&r.try_get::<String, _>(3)?)
            .ok_or_else(|| corrupt(t, "categorie", "unknown"))?,
        code: r.try_get(4)?,
        periode: GeslotenPeriode {
            begindatum: crate::parse_date(t, "periode_begin", &r.try_get::<String, _>(5)?)?,
            einddatum: crate::parse_date(t, "periode_eind", &r.try_get::<String, _>(6)?)?,
        },
        debet_credit: if bedrag < 0 {
            DebetCredit::Credit
        } else {
            DebetCredit::Debet
        },
        volume: u32::try_from(volume).map_err(|e| corrupt(t, "volume", e))?,
        gecrediteerd: r.try_get::<i64, _>(9)? != 0,
    })
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

async fn load_snapshot(
    c: &mut AnyConnection,
    t: MessageType,
    afzender: &str,
    identificatie: &str,
    k: &Keys,
) -> Result<ChainSnapshot> {
    let mut s = ChainSnapshot::default();
    let known: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM iwmo_messages WHERE direction = 'in' AND sender = $1 AND message_type = $2 AND identificatie = $3 LIMIT 1",
    )
    .bind(afzender)
    .bind(t.name())
    .bind(identificatie)
    .fetch_optional(&mut *c)
    .await?;
    s.ids.insert(
        (t, afzender.to_string(), identificatie.to_string()),
        known.is_some(),
    );
    let (g, a) = (k.gemeente.as_str(), k.aanbieder.as_str());
    for bsn in &k.bsns {
        let key = ck(g, a, bsn);
        let rows = sqlx::query(&format!(
            "SELECT {TW_COLS} FROM iwmo_toewijzingen WHERE gemeente = $1 AND aanbieder = $2 AND bsn = $3 ORDER BY nummer"
        ))
        .bind(g)
        .bind(a)
        .bind(bsn)
        .fetch_all(&mut *c)
        .await?;
        let mut list = Vec::new();
        for r in &rows {
            let info = toewijzing_row(r)?;
            s.toewijzing
                .insert((g.to_string(), info.toewijzing_nummer), Some(info.clone()));
            list.push(info);
        }
        s.toewijzingen.insert(key.clone(), list);
        let periods = sqlx::query(
            "SELECT toewijzing_nummer, product, begindatum, start_status, einddatum, reden_beeindiging, stop_status FROM iwmo_care_periods WHERE gemeente = $1 AND aanbieder = $2 AND bsn = $3 ORDER BY begindatum",
        )
        .bind(g)
        .bind(a)
        .bind(bsn)
        .fetch_all(&mut *c)
        .await?;
        let (mut starts, mut stops) = (Vec::new(), Vec::new());
        let tb = "iwmo_care_periods";
        for r in &periods {
            let nummer: i64 = r.try_get(0)?;
            let product: String = r.try_get(1)?;
            let sleutel = LeveringSleutel {
                bsn: bsn.clone(),
                toewijzing_nummer: (nummer > 0).then_some(nummer as u32),
                product: (!product.is_empty()).then_some(product),
                begindatum: crate::parse_date(tb, "begindatum", &r.try_get::<String, _>(2)?)?,
            };
            if let Some(st) = r.try_get::<Option<String>, _>(3)? {
                starts.push(StartInfo {
                    sleutel: sleutel.clone(),
                    verwijderd: st == StatusAanlevering::Verwijderen.code(),
                });
            }
            if let Some(st) = r.try_get::<Option<String>, _>(6)? {
                let einddatum = opt_date(tb, "einddatum", r.try_get(4)?)?
                    .ok_or_else(|| corrupt(tb, "einddatum", "stop without einddatum"))?;
                let reden = code_of(
                    tb,
                    "reden_beeindiging",
                    r.try_get(5)?,
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
        s.stops.insert(key.clone(), stops);
        let verzoeken: Vec<(String, i64)> = sqlx::query_as(
            "SELECT antwoorden, toegewezen FROM iwmo_verzoeken WHERE gemeente = $1 AND aanbieder = $2 AND bsn = $3",
        )
        .bind(g)
        .bind(a)
        .bind(bsn)
        .fetch_all(&mut *c)
        .await?;
        let onderhanden = verzoeken.iter().any(|(antw, toegewezen)| {
            *toegewezen == 0
                && !antw
                    .split(',')
                    .any(|x| x == VerzoekAntwoord::Afgewezen.code())
        });
        s.onderhanden.insert(key, onderhanden);
    }
    for &n in &k.nummers {
        if s.toewijzing.contains_key(&(g.to_string(), n)) {
            continue;
        }
        let row = sqlx::query(&format!(
            "SELECT {TW_COLS} FROM iwmo_toewijzingen WHERE gemeente = $1 AND nummer = $2"
        ))
        .bind(g)
        .bind(i64::from(n))
        .fetch_optional(&mut *c)
        .await?;
        let info = row.as_ref().map(toewijzing_row).transpose()?;
        s.toewijzing.insert((g.to_string(), n), info);
    }
    for r in &k.verzoeken {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT gemeente, bsn, antwoorden, toegewezen FROM iwmo_verzoeken WHERE aanbieder = $1 AND referentie = $2",
        )
        .bind(a)
        .bind(r)
        .fetch_optional(&mut *c)
        .await?;
        let info = row.map(|(gemeente, bsn, antw, toegewezen)| VerzoekInfo {
            gemeente,
            aanbieder: a.to_string(),
            bsn,
            antwoorden: antw
                .split(',')
                .filter_map(VerzoekAntwoord::from_code)
                .collect(),
            toegewezen: toegewezen != 0,
        });
        s.verzoek.insert((a.to_string(), r.clone()), info);
    }
    if k.declaratie.is_some() || !k.prestaties.is_empty() {
        for r in &k.prestaties {
            let row = sqlx::query(&format!(
                "SELECT {PR_COLS} FROM iwmo_declaratie_regels WHERE aanbieder = $1 AND referentie_nummer = $2 AND status = 'accepted' LIMIT 1"
            ))
            .bind(a)
            .bind(r)
            .fetch_optional(&mut *c)
            .await?;
            let info = row.as_ref().map(prestatie_row).transpose()?;
            s.prestatie.insert((a.to_string(), r.clone()), info);
        }
        for &n in &k.nummers {
            let rows = sqlx::query(&format!(
                "SELECT {PR_COLS} FROM iwmo_declaratie_regels WHERE gemeente = $1 AND toewijzing_nummer = $2 AND status = 'accepted' AND bedrag_cents >= 0 AND gecrediteerd = 0"
            ))
            .bind(g)
            .bind(i64::from(n))
            .fetch_all(&mut *c)
            .await?;
            let list = rows.iter().map(prestatie_row).collect::<Result<Vec<_>>>()?;
            s.op_toewijzing.insert((g.to_string(), n), list);
        }
    }
    if let Some(d) = &k.declaratie {
        let known: Option<(i64,)> = sqlx::query_as(
            "SELECT message_id FROM iwmo_declaraties WHERE aanbieder = $1 AND gemeente = $2 AND declaratie_nummer = $3",
        )
        .bind(a)
        .bind(g)
        .bind(d)
        .fetch_optional(&mut *c)
        .await?;
        s.declaratienummer
            .insert((a.to_string(), g.to_string(), d.clone()), known.is_some());
    }
    if k.tarieven {
        // Contract tariffs: products of the gemeente's region on lots the aanbieder holds a contract for.
        let rows: Vec<(Option<String>, String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT p.productcode, p.unit, t.valid_from, t.valid_to, t.cents_per_unit FROM municipalities m \
             JOIN products p ON p.region_id = m.region_id \
             JOIN tariffs t ON t.region_id = p.region_id AND t.product_key = p.product_key \
             WHERE m.code = $1 AND EXISTS (SELECT 1 FROM contracts c WHERE c.region_id = p.region_id AND c.lot_id = p.lot_id AND c.addressee_agb = $2)",
        )
        .bind(g)
        .bind(a)
        .fetch_all(&mut *c)
        .await?;
        let mut list = Vec::new();
        for (code, unit, from, to, cents) in rows {
            let Some(code) = code else { continue };
            list.push((
                code,
                unit,
                crate::parse_date("tariffs", "valid_from", &from)?,
                opt_date("tariffs", "valid_to", to)?,
                cents,
            ));
        }
        s.tarieven.insert((g.to_string(), a.to_string()), list);
    }
    Ok(s)
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
async fn variant_for(c: &mut AnyConnection, b: &Bericht, k: &Keys) -> Result<Uitvoeringsvariant> {
    let parse = |s: &str| -> Result<FundingVariant> {
        serde_json::from_str(s).map_err(|e| corrupt("lots", "funding", e))
    };
    if let Some(&n) = k.nummers.iter().next() {
        let f: Option<(String,)> = sqlx::query_as(
            "SELECT l.funding FROM iwmo_toewijzingen i JOIN toewijzingen t ON t.id = i.toewijzing_id JOIN lots l ON l.region_id = t.region_id AND l.id = t.lot_id WHERE i.gemeente = $1 AND i.nummer = $2",
        )
        .bind(&k.gemeente)
        .bind(i64::from(n))
        .fetch_optional(&mut *c)
        .await?;
        if let Some((f,)) = f {
            return Ok(uitvoeringsvariant(parse(&f)?));
        }
    }
    if let Some(p) = first_product(b) {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT l.funding FROM municipalities m JOIN products p ON p.region_id = m.region_id JOIN lots l ON l.region_id = p.region_id AND l.id = p.lot_id WHERE m.code = $1 AND p.categorie = $2 AND (p.productcode = $3 OR $4 = '')",
        )
        .bind(&k.gemeente)
        .bind(p.categorie.code())
        .bind(p.code.as_ref().map_or("", |c| c.as_str()))
        .bind(p.code.as_ref().map_or("", |c| c.as_str()))
        .fetch_all(&mut *c)
        .await?;
        if rows.len() == 1 {
            return Ok(uitvoeringsvariant(parse(&rows[0].0)?));
        }
    }
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT l.funding FROM contracts c JOIN lots l ON l.region_id = c.region_id AND l.id = c.lot_id WHERE c.addressee_agb = $1",
    )
    .bind(&k.aanbieder)
    .fetch_all(&mut *c)
    .await?;
    if rows.len() == 1 {
        return Ok(uitvoeringsvariant(parse(&rows[0].0)?));
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

async fn insert_message(c: &mut AnyConnection, id: i64, m: &MessageRow<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO iwmo_messages (id, direction, sender, receiver, message_type, identificatie, dagtekening, content_hash, raw_xml, status, report, retour_produced, retour_id, in_reply_to, received_at, answer_deadline) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
    )
    .bind(id)
    .bind(m.direction)
    .bind(m.sender)
    .bind(m.receiver)
    .bind(m.message_type)
    .bind(m.identificatie)
    .bind(m.dagtekening.map(date_str))
    .bind(m.hash)
    .bind(m.raw)
    .bind(m.status)
    .bind(m.report)
    .bind(m.retour_produced)
    .bind(m.retour_id)
    .bind(m.in_reply_to)
    .bind(m.received_at)
    .bind(m.answer_deadline.map(date_str))
    .execute(&mut *c)
    .await?;
    Ok(())
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
    sqlx::query(
        "INSERT INTO iwmo_deadlines (rule, subject, gemeente, aanbieder, party, message_id, due, fulfilled_at, fulfilled_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
    )
    .bind(rule)
    .bind(subject)
    .bind(gemeente)
    .bind(aanbieder)
    .bind(party)
    .bind(message_id)
    .bind(date_str(due))
    .bind(fulfilled.map(|f| date_str(f.0)))
    .bind(fulfilled.map(|f| f.1))
    .execute(&mut *c)
    .await?;
    Ok(())
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

#[allow(clippy::too_many_arguments)]
async fn upsert_toewijzing(
    c: &mut AnyConnection,
    gemeente: &str,
    aanbieder: &str,
    bsn: &str,
    tp: &ToegewezenProduct,
    toewijzing_id: Option<&str>,
    fingerprint: &str,
    message_id: i64,
) -> Result<()> {
    let n = i64::from(tp.toewijzing_nummer.get());
    sqlx::query("DELETE FROM iwmo_toewijzingen WHERE gemeente = $1 AND nummer = $2")
        .bind(gemeente)
        .bind(n)
        .execute(&mut *c)
        .await?;
    sqlx::query(
        "INSERT INTO iwmo_toewijzingen (gemeente, nummer, aanbieder, bsn, toewijzing_id, categorie, productcode, ingangsdatum, einddatum, reden_wijziging, volume, eenheid, frequentie, budget_cents, referentie_aanbieder, fingerprint, message_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
    )
    .bind(gemeente)
    .bind(n)
    .bind(aanbieder)
    .bind(bsn)
    .bind(toewijzing_id)
    .bind(tp.product.as_ref().map(|p| p.categorie.code()))
    .bind(tp.product.as_ref().and_then(|p| p.code.as_ref()).map(|c| c.to_string()))
    .bind(date_str(tp.ingangsdatum))
    .bind(tp.einddatum.map(date_str))
    .bind(tp.reden_wijziging.map(|r| r.code()))
    .bind(tp.omvang.as_ref().map(|o| i64::from(o.volume.get())))
    .bind(tp.omvang.as_ref().map(|o| o.eenheid.code()))
    .bind(tp.omvang.as_ref().map(|o| o.frequentie.code()))
    .bind(tp.budget.map(|b| i64::from(b.get())))
    .bind(tp.referentie_aanbieder.as_ref().map(|r| r.to_string()))
    .bind(fingerprint)
    .bind(message_id)
    .execute(&mut *c)
    .await?;
    if let Some(r) = &tp.referentie_aanbieder {
        sqlx::query(
            "UPDATE iwmo_verzoeken SET toegewezen = 1 WHERE aanbieder = $1 AND referentie = $2",
        )
        .bind(aanbieder)
        .bind(r.as_str())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Applies a sent or accepted WMO301: toewijzingen as sent, expected starts (OP271), answered verzoeken (OP274).
async fn apply_301(
    c: &mut AnyConnection,
    m: &bericht::Wmo301,
    ids: &HashMap<u32, (String, String)>,
    message_id: i64,
    today: NaiveDate,
) -> Result<()> {
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
        upsert_toewijzing(c, &g, &a, &bsn, tp, tid, &fp, message_id).await?;
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
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT rule FROM iwmo_deadlines WHERE rule = 'OP271' AND subject = $1")
                .bind(&subject)
                .fetch_optional(&mut *c)
                .await?;
        if exists.is_none() && !info.is_verwijderd() {
            // Expected start: 5 working days after the toewijzing starts, or
            // after receipt when assigned with retroactive effect (OP271).
            let due = add_werkdagen(tp.ingangsdatum.max(today), 5);
            add_deadline(
                c,
                "OP271",
                &subject,
                &g,
                &a,
                "aanbieder",
                Some(message_id),
                due,
                None,
            )
            .await?;
        }
        if let Some(r) = &tp.referentie_aanbieder {
            fulfil_deadline(
                c,
                "OP274",
                &format!("verzoek:{a}:{r}"),
                None,
                today,
                message_id,
            )
            .await?;
        }
    }
    Ok(())
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
        let hash = sha256_hex(xml);
        let parsed = bericht::parse(xml);
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
        let tname = t.map_or("", |t| t.name());
        let mut tx: Transaction<'_, Any> = self.pool.begin().await?;
        let c: &mut AnyConnection = &mut tx;
        // Replay?
        let prev: Option<(i64, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, status, report, retour_id FROM iwmo_messages WHERE direction = 'in' AND sender = $1 AND message_type = $2 AND identificatie = $3 AND content_hash = $4",
        )
        .bind(&sender)
        .bind(tname)
        .bind(&ident)
        .bind(&hash)
        .fetch_optional(&mut *c)
        .await?;
        if let Some((id, status, report, retour_id)) = prev {
            let retour = match retour_id {
                Some(r) => {
                    let (x,): (String,) =
                        sqlx::query_as("SELECT raw_xml FROM iwmo_messages WHERE id = $1")
                            .bind(r)
                            .fetch_one(&mut *c)
                            .await?;
                    Some(x)
                }
                None => None,
            };
            let answers: Vec<(String,)> = sqlx::query_as(
                "SELECT raw_xml FROM iwmo_messages WHERE in_reply_to = $1 AND id <> $2 ORDER BY id",
            )
            .bind(id)
            .bind(retour_id.unwrap_or(0))
            .fetch_all(&mut *c)
            .await?;
            tx.commit().await?;
            return Ok(IngestOutcome {
                message_id: id,
                message_type: t,
                status,
                retour,
                answers: answers.into_iter().map(|a| a.0).collect(),
                report: serde_json::from_str(&report)?,
                replayed: true,
            });
        }
        let id = next_message_id(c).await?;
        let today = opts.today();
        let stamp = opts.stamp();
        let raw = String::from_utf8_lossy(xml);

        // Validate.
        let (report, bericht) = match parsed {
            Err(_) => (
                validate::validate(
                    xml,
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
                let keys = keys_of(&b);
                let snap = load_snapshot(c, t, &sender, &ident, &keys).await?;
                let variant = variant_for(c, &b, &keys).await?;
                let report = validate::validate_bericht(
                    &b,
                    &snap,
                    &Options {
                        variant,
                        alleen_bericht: false,
                    },
                );
                let misses = snap.misses.into_inner();
                if !misses.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "chain snapshot incomplete for {t} {ident}: {}",
                        misses.join("; ")
                    )));
                }
                (report, Some(b))
            }
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
            )
            .await?;
        }

        // Write the outgoing retour and answers, then the received message last
        // (a failing write of the message itself leaves nothing behind).
        if let (Some((rid, rt)), Some(x)) = (retour_row, &retour_xml) {
            insert_message(
                c,
                rid,
                &MessageRow {
                    direction: "out",
                    sender: &receiver,
                    receiver: &sender,
                    message_type: rt.name(),
                    identificatie: &format!("RG{rid:010}"),
                    dagtekening: Some(today),
                    hash: &sha256_hex(x.as_bytes()),
                    raw: x,
                    status: "sent",
                    report: "{}",
                    retour_produced: None,
                    retour_id: None,
                    in_reply_to: Some(id),
                    received_at: &stamp,
                    answer_deadline: None,
                },
            )
            .await?;
            let rule = if t == Some(MessageType::Wmo323) {
                "OP090x4"
            } else {
                "OP090"
            };
            add_deadline(
                c,
                rule,
                &format!("retour:{id}"),
                &gemeente_of(&sender, &receiver, t),
                &aanbieder_of(&sender, &receiver, t),
                if t.is_some_and(|t| t.sent_by_gemeente()) {
                    "aanbieder"
                } else {
                    "gemeente"
                },
                Some(id),
                deadline.unwrap_or(today),
                Some((today, rid)),
            )
            .await?;
        }
        let mut answer_xml = Vec::new();
        for (aid, b) in &answers {
            let x = b.to_xml();
            let (at, s, r, ai, ad) = header_key(b);
            insert_message(
                c,
                *aid,
                &MessageRow {
                    direction: "out",
                    sender: &s,
                    receiver: &r,
                    message_type: at.map_or("", |t| t.name()),
                    identificatie: &ai,
                    dagtekening: ad,
                    hash: &sha256_hex(x.as_bytes()),
                    raw: &x,
                    status: "sent",
                    report: "{}",
                    retour_produced: None,
                    retour_id: None,
                    in_reply_to: Some(id),
                    received_at: &stamp,
                    answer_deadline: Some(add_werkdagen(today, 3)),
                },
            )
            .await?;
            add_deadline(
                c,
                "OP090",
                &format!("retour:{aid}"),
                &s,
                &r,
                "aanbieder",
                Some(*aid),
                add_werkdagen(today, 3),
                None,
            )
            .await?;
            answer_xml.push(x);
        }
        let report_text = serde_json::to_string(&report_json)?;
        insert_message(
            c,
            id,
            &MessageRow {
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
        )
        .await?;
        tx.commit().await?;
        Ok(IngestOutcome {
            message_id: id,
            message_type: t,
            status: status.to_string(),
            retour: retour_xml,
            answers: answer_xml,
            report: report_json,
            replayed: false,
        })
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
    ) -> Result<()> {
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
                    apply_301(c, m, &HashMap::new(), id, today).await?;
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
                    let n = sp.toewijzing_nummer.map_or(0, |n| i64::from(n.get()));
                    let product = if n == 0 {
                        product_key(&sp.product)
                    } else {
                        String::new()
                    };
                    let begin = date_str(sp.begindatum);
                    let upd = sqlx::query("UPDATE iwmo_care_periods SET start_status = $1, start_message_id = $2, start_received_at = $3 WHERE gemeente = $4 AND aanbieder = $5 AND bsn = $6 AND toewijzing_nummer = $7 AND product = $8 AND begindatum = $9")
                        .bind(sp.status_aanlevering.code()).bind(id).bind(stamp)
                        .bind(&g).bind(&a).bind(&bsn).bind(n).bind(&product).bind(&begin)
                        .execute(&mut *c).await?;
                    if upd.rows_affected() == 0 {
                        sqlx::query("INSERT INTO iwmo_care_periods (gemeente, aanbieder, bsn, toewijzing_nummer, product, begindatum, start_status, start_message_id, start_received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
                            .bind(&g).bind(&a).bind(&bsn).bind(n).bind(&product).bind(&begin)
                            .bind(sp.status_aanlevering.code()).bind(id).bind(stamp)
                            .execute(&mut *c).await?;
                    }
                    if sp.status_aanlevering == StatusAanlevering::Verwijderen {
                        continue;
                    }
                    // OP271: 5 working days after the actual start (or after the toewijzing was sent, when retroactive).
                    let sent: Option<(String,)> = sqlx::query_as("SELECT m.received_at FROM iwmo_toewijzingen i JOIN iwmo_messages m ON m.id = i.message_id WHERE i.gemeente = $1 AND i.nummer = $2")
                        .bind(&g).bind(n).fetch_optional(&mut *c).await?;
                    let sent = sent.and_then(|s| {
                        NaiveDate::parse_from_str(&s.0[..10.min(s.0.len())], "%Y-%m-%d").ok()
                    });
                    let due = add_werkdagen(sp.begindatum.max(sent.unwrap_or(sp.begindatum)), 5);
                    let subject = if n > 0 {
                        format!("start:{g}:{n}")
                    } else {
                        format!("start:{g}:{a}:{bsn}:{product}:{begin}")
                    };
                    if !fulfil_deadline(c, "OP271", &subject, Some(due), today, id).await? {
                        let exists: Option<(String,)> = sqlx::query_as(
                            "SELECT rule FROM iwmo_deadlines WHERE rule = 'OP271' AND subject = $1",
                        )
                        .bind(&subject)
                        .fetch_optional(&mut *c)
                        .await?;
                        if exists.is_none() {
                            add_deadline(
                                c,
                                "OP271",
                                &subject,
                                &g,
                                &a,
                                "aanbieder",
                                Some(id),
                                due,
                                Some((today, id)),
                            )
                            .await?;
                        }
                    }
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
                    let n = sp.toewijzing_nummer.map_or(0, |n| i64::from(n.get()));
                    let product = if n == 0 {
                        product_key(&sp.product)
                    } else {
                        String::new()
                    };
                    let begin = date_str(sp.begindatum);
                    let upd = sqlx::query("UPDATE iwmo_care_periods SET einddatum = $1, reden_beeindiging = $2, stop_status = $3, stop_message_id = $4, stop_received_at = $5 WHERE gemeente = $6 AND aanbieder = $7 AND bsn = $8 AND toewijzing_nummer = $9 AND product = $10 AND begindatum = $11")
                        .bind(date_str(sp.einddatum)).bind(sp.reden_beeindiging.code()).bind(sp.status_aanlevering.code()).bind(id).bind(stamp)
                        .bind(&g).bind(&a).bind(&bsn).bind(n).bind(&product).bind(&begin)
                        .execute(&mut *c).await?;
                    if upd.rows_affected() == 0 {
                        sqlx::query("INSERT INTO iwmo_care_periods (gemeente, aanbieder, bsn, toewijzing_nummer, product, begindatum, einddatum, reden_beeindiging, stop_status, stop_message_id, stop_received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)")
                            .bind(&g).bind(&a).bind(&bsn).bind(n).bind(&product).bind(&begin)
                            .bind(date_str(sp.einddatum)).bind(sp.reden_beeindiging.code()).bind(sp.status_aanlevering.code()).bind(id).bind(stamp)
                            .execute(&mut *c).await?;
                    }
                    if sp.status_aanlevering == StatusAanlevering::Verwijderen {
                        continue;
                    }
                    let subject = format!("stop:{g}:{a}:{bsn}:{n}:{product}:{begin}");
                    let due = add_werkdagen(sp.einddatum, 5);
                    if !fulfil_deadline(c, "OP272", &subject, Some(due), today, id).await? {
                        sqlx::query(
                            "DELETE FROM iwmo_deadlines WHERE rule = 'OP272' AND subject = $1",
                        )
                        .bind(&subject)
                        .execute(&mut *c)
                        .await?;
                        add_deadline(
                            c,
                            "OP272",
                            &subject,
                            &g,
                            &a,
                            "aanbieder",
                            Some(id),
                            due,
                            Some((today, id)),
                        )
                        .await?;
                    }
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
                    sqlx::query("UPDATE iwmo_verzoeken SET antwoorden = antwoorden || ',' || $1 WHERE aanbieder = $2 AND referentie = $3")
                        .bind(m.antwoord.verzoek_antwoord.code())
                        .bind(m.header.ontvanger.as_str())
                        .bind(m.antwoord.referentie_aanbieder.as_str())
                        .execute(&mut *c).await?;
                }
            }
            Bericht::Wmo323(m) => {
                let (g, a) = (
                    m.header.ontvanger.to_string(),
                    m.header.afzender.to_string(),
                );
                let dn = m.declaratie.declaratie_nummer.to_string();
                sqlx::query("INSERT INTO iwmo_declaraties (aanbieder, gemeente, declaratie_nummer, message_id, ingediend_cents, toegekend_cents) VALUES ($1,$2,$3,$4,$5,$6)")
                    .bind(&a).bind(&g).bind(&dn).bind(id)
                    .bind(m.declaratie.totaal_ingediend_bedrag.signed())
                    .bind(report.toegekend)
                    .execute(&mut *c).await?;
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
                        sqlx::query("INSERT INTO iwmo_declaratie_regels (message_id, client_index, prestatie_index, aanbieder, gemeente, declaratie_nummer, bsn, referentie_nummer, vorig_referentie, toewijzing_nummer, categorie, productcode, periode_begin, periode_eind, volume, eenheid, tarief_cents, bedrag_cents, status, retourcodes, gecrediteerd) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)")
                            .bind(id).bind(ci as i64).bind(pi as i64).bind(&a).bind(&g).bind(&dn)
                            .bind(cl.bsn.as_str())
                            .bind(p.product_referentie.referentie_nummer.as_str())
                            .bind(p.product_referentie.vorig_referentie_nummer.as_ref().map(|v| v.to_string()))
                            .bind(i64::from(p.toewijzing_nummer.get()))
                            .bind(p.product_categorie.code())
                            .bind(p.product_code.as_str())
                            .bind(date_str(p.product_periode.begindatum))
                            .bind(date_str(p.product_periode.einddatum))
                            .bind(i64::from(p.geleverd_volume.get()))
                            .bind(p.eenheid.code())
                            .bind(p.product_tarief.map(|t| i64::from(t.get())))
                            .bind(p.ingediend_bedrag.signed())
                            .bind(if ok { "accepted" } else { "rejected" })
                            .bind(codes_text)
                            .bind(0i64)
                            .execute(&mut *c).await?;
                        if ok {
                            if let Some(v) = &p.product_referentie.vorig_referentie_nummer {
                                sqlx::query("UPDATE iwmo_declaratie_regels SET gecrediteerd = 1 WHERE aanbieder = $1 AND referentie_nummer = $2 AND status = 'accepted'")
                                    .bind(&a).bind(v.as_str()).execute(&mut *c).await?;
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
        let rows: Vec<(String, String, String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT rule, subject, gemeente, aanbieder, party, due, fulfilled_at FROM iwmo_deadlines ORDER BY due, rule, subject",
        )
        .fetch_all(&self.pool)
        .await?;
        let t = "iwmo_deadlines";
        let mut out = Vec::with_capacity(rows.len());
        for (rule, subject, gemeente, aanbieder, party, due, fulfilled) in rows {
            let due = crate::parse_date(t, "due", &due)?;
            let fulfilled = opt_date(t, "fulfilled_at", fulfilled)?;
            let status = match fulfilled {
                Some(f) if f <= due => DeadlineStatus::Met,
                Some(_) => DeadlineStatus::Late,
                None if today > due => DeadlineStatus::Overdue,
                None => DeadlineStatus::Open,
            };
            out.push(Deadline {
                rule,
                subject,
                gemeente,
                aanbieder,
                party,
                due,
                fulfilled,
                status,
            });
        }
        Ok(out)
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
