//! Verzoeken after receipt: the toegang lists them ([`Store::iwmo_verzoeken`])
//! and a person gives the final answer on one in onderzoek
//! ([`Store::decide_verzoek`]) — a WMO301 with the granted toewijzing(en) and
//! all other current ones (OP087), or a WMO319 "afgewezen" with a reden of the
//! code list — due within 8 weeks of the verzoek's dagtekening (OP274, OP346).
//!
//! A grant goes through the same checks and the same code as the automatic
//! decision (residence, contract, beschikking, no stapeling OP259, the WMO301
//! validated against the chain); the person's judgement only settles what the
//! automatic check leaves to a person (see [`Beoordeling`]). A toewijzing
//! needs a beschikking — the college's decision on aard, intensiteit and duur
//! (OP307: a verzoek om toewijzing follows a beschikking) — so a grant without
//! a fitting one is refused with an error naming what is missing: the
//! beschikking is recorded through the toegang workflow first, a verzoek
//! decision does not make one up.

use super::super::{
    add_deadline, add_werkdagen, bericht301, corrupt, fulfil_deadline, insert_message,
    next_message_id, opt_date, sha256_hex, Deadline, DeadlineStatus, IngestOptions, MessageRow,
    StoredDeadline, DEADLINE_COLUMNS,
};
use super::{
    beoordeel, einde_onderzoek, onderwerp, onderwerp_onderzoek, toegekend, toewijzen, wijzig,
    wmo319, Aanvraag, Beoordeling, Weigering, OP274, OP346,
};
use crate::{date_str, Backend, Result, Store, StoreError};
use chrono::NaiveDate;
use regie_iwmo::bericht::{self, Bericht, MessageType};
use regie_iwmo::types::{AgbCode, Gemeente, RedenAfwijzingVerzoek, Referentie, VerzoekAntwoord};
use regie_iwmo::validate::Uitvoeringsvariant;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use thiserror::Error;

/// Where a verzoek stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VerzoekStatus {
    /// Registered without an answer (not expected: a verzoek is answered in
    /// its message's transaction).
    Onbeantwoord,
    /// Answered with WMO319 VerzoekAntwoord 2: a person must decide.
    InOnderzoek,
    /// Granted: a WMO301 carried its ReferentieAanbieder.
    Toegewezen,
    /// Refused: WMO319 VerzoekAntwoord 1.
    Afgewezen,
}

impl VerzoekStatus {
    /// Lower-case name (`in onderzoek`).
    pub fn as_str(self) -> &'static str {
        match self {
            VerzoekStatus::Onbeantwoord => "onbeantwoord",
            VerzoekStatus::InOnderzoek => "in onderzoek",
            VerzoekStatus::Toegewezen => "toegewezen",
            VerzoekStatus::Afgewezen => "afgewezen",
        }
    }

    /// Still waiting for its final answer (TR374: onderhanden).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            VerzoekStatus::Onbeantwoord | VerzoekStatus::InOnderzoek
        )
    }

    /// From the stored answers (VerzoekAntwoord codes) and the grant flag.
    fn of(antwoorden: &str, toegewezen: i64) -> Self {
        let codes: Vec<&str> = antwoorden.split(',').collect();
        if toegewezen != 0 {
            VerzoekStatus::Toegewezen
        } else if codes.contains(&VerzoekAntwoord::Afgewezen.code()) {
            VerzoekStatus::Afgewezen
        } else if codes.contains(&VerzoekAntwoord::InOnderzoek.code()) {
            VerzoekStatus::InOnderzoek
        } else {
            VerzoekStatus::Onbeantwoord
        }
    }
}

impl std::fmt::Display for VerzoekStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Kind of verzoek.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerzoekSoort {
    /// WMO315 verzoek om toewijzing (one row per AangevraagdProduct).
    Toewijzing,
    /// WMO317 verzoek om wijziging (one row for the whole verzoek).
    Wijziging,
}

impl VerzoekSoort {
    /// `VOT` or `VOW`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerzoekSoort::Toewijzing => "VOT",
            VerzoekSoort::Wijziging => "VOW",
        }
    }

    /// The message that asks it.
    pub fn message_type(self) -> MessageType {
        match self {
            VerzoekSoort::Toewijzing => MessageType::Wmo315,
            VerzoekSoort::Wijziging => MessageType::Wmo317,
        }
    }

    /// The rule of its answer deadlines.
    fn regel(self) -> &'static str {
        match self {
            VerzoekSoort::Toewijzing => OP274,
            VerzoekSoort::Wijziging => OP346,
        }
    }
}

/// One verzoek with its state, for the toegang's work list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerzoekOverzicht {
    /// VOT or VOW.
    pub soort: VerzoekSoort,
    /// State.
    pub status: VerzoekStatus,
    /// Aanbieder (AGB) that asked.
    pub aanbieder: String,
    /// Its ReferentieAanbieder.
    pub referentie: String,
    /// Gemeente asked.
    pub gemeente: String,
    /// Client BSN.
    pub bsn: String,
    /// Dagtekening of the verzoek (the final answer's 8 weeks count from it).
    pub dagtekening: Option<NaiveDate>,
    /// Date received.
    pub ontvangen: NaiveDate,
    /// Id of the received message.
    pub message_id: i64,
    /// The answer deadline that matters: the final answer's while in
    /// onderzoek (or after it), else the first answer's.
    pub deadline: Option<Deadline>,
    /// Why a person must judge it.
    pub onderzoek_reden: Option<String>,
    /// Refused: the reden of the code list.
    pub reden_afwijzing: Option<RedenAfwijzingVerzoek>,
    /// Refused: why (the automatic check's reason or the person's toelichting).
    pub toelichting: Option<String>,
    /// Who gave the final answer (`iwmo verzoek`: automatically on receipt).
    pub beslist_door: Option<String>,
    /// When.
    pub beslist_op: Option<NaiveDate>,
}

/// Which verzoeken [`Store::iwmo_verzoeken`] lists.
#[derive(Debug, Clone, Default)]
pub struct VerzoekFilter {
    /// Only those still waiting for their final answer.
    pub open: bool,
    /// Only this aanbieder's (AGB).
    pub aanbieder: Option<String>,
}

/// A person's final answer on a verzoek.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Besluit {
    /// Grant it as asked; a WMO315 product may get another einddatum (IV094:
    /// the gemeente sets the toewijzing's dates).
    Toewijzen {
        /// Einddatum instead of the requested one (VOT only).
        einddatum: Option<NaiveDate>,
    },
    /// Refuse it.
    Afwijzen {
        /// Reden of the code list (see [`reden_afwijzing`]).
        reden: RedenAfwijzingVerzoek,
        /// Why, for the record (a WMO319 has no field for it).
        toelichting: Option<String>,
    },
}

/// The answer [`Store::decide_verzoek`] sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beslist {
    /// State now: toegewezen or afgewezen.
    pub status: VerzoekStatus,
    /// Id of the outgoing message.
    pub message_id: i64,
    /// WMO301 or WMO319.
    pub message_type: MessageType,
    /// Its file name (`WMO301_GEMEENTE_AGB_RGNNNNNNNNNN.xml`, as the export names them).
    pub file_name: String,
    /// The message.
    pub xml: String,
    /// Granted: the toewijzingen stored or changed.
    pub toewijzingen: Vec<String>,
    /// The final answer's deadline, fulfilled now.
    pub deadline: Option<Deadline>,
}

/// Why a verzoek cannot be decided as asked; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerzoekError {
    /// No verzoek with this ReferentieAanbieder from this aanbieder.
    #[error("no verzoek {referentie:?} of aanbieder {aanbieder} is known")]
    NotFound {
        /// Aanbieder.
        aanbieder: String,
        /// ReferentieAanbieder.
        referentie: String,
    },
    /// It got its final answer already (TR359/TR365: one final answer per verzoek).
    #[error("verzoek {aanbieder}/{referentie} is already decided: {status}{}", decided_by(.door, .op))]
    AlreadyDecided {
        /// Aanbieder.
        aanbieder: String,
        /// ReferentieAanbieder.
        referentie: String,
        /// Its state.
        status: VerzoekStatus,
        /// Who decided.
        door: Option<String>,
        /// When.
        op: Option<NaiveDate>,
    },
    /// The grant is ruled out by what the store knows (the reden the
    /// automatic check would refuse it with).
    #[error("verzoek {aanbieder}/{referentie} cannot be granted: {waarom} (reden {} {}); record what is missing (e.g. the beschikking) and decide again, or refuse it", .reden.code(), reden_omschrijving(*.reden))]
    DoesNotFit {
        /// Aanbieder.
        aanbieder: String,
        /// ReferentieAanbieder.
        referentie: String,
        /// The reden it would be refused with.
        reden: RedenAfwijzingVerzoek,
        /// Why.
        waarom: String,
    },
    /// The grant cannot be carried out (e.g. no BRP data for the WMO301).
    #[error("verzoek {aanbieder}/{referentie} cannot be granted: {waarom}")]
    CannotGrant {
        /// Aanbieder.
        aanbieder: String,
        /// ReferentieAanbieder.
        referentie: String,
        /// Why.
        waarom: String,
    },
    /// A code outside LDT_RedenAfwijzingVerzoek.
    #[error("reden afwijzing {0:?} is not in the code list (LDT_RedenAfwijzingVerzoek: 1 to 9)")]
    UnknownReden(String),
    /// A code of the list that does not apply here.
    #[error("reden afwijzing {} ({}) does not apply: {waarom}", .reden.code(), reden_omschrijving(*.reden))]
    RedenNotApplicable {
        /// The code.
        reden: RedenAfwijzingVerzoek,
        /// Why not.
        waarom: &'static str,
    },
    /// `einddatum` on a verzoek om wijziging.
    #[error("verzoek {aanbieder}/{referentie} is a verzoek om wijziging: it is granted as asked (IV093), without another einddatum")]
    EinddatumOnWijziging {
        /// Aanbieder.
        aanbieder: String,
        /// ReferentieAanbieder.
        referentie: String,
    },
    /// No name of who decides.
    #[error("a decision on a verzoek needs the name of who decides")]
    NoDecider,
    /// Our own answer fails the chain rules (a bug or inconsistent data).
    #[error("the {what} answering verzoek {aanbieder}/{referentie} fails validation: {report}")]
    InvalidAnswer {
        /// Message type.
        what: MessageType,
        /// Aanbieder.
        aanbieder: String,
        /// ReferentieAanbieder.
        referentie: String,
        /// The validation report.
        report: String,
    },
}

fn decided_by(door: &Option<String>, op: &Option<NaiveDate>) -> String {
    match (door, op) {
        (Some(d), Some(o)) => format!(" by {d} on {o}"),
        (Some(d), None) => format!(" by {d}"),
        (None, Some(o)) => format!(" on {o}"),
        (None, None) => String::new(),
    }
}

/// The meaning of a reden afwijzing (the code list's text).
pub fn reden_omschrijving(r: RedenAfwijzingVerzoek) -> &'static str {
    use RedenAfwijzingVerzoek as R;
    match r {
        R::NieuweAanvraag => "geen wijziging, maar nieuwe aanvraag",
        R::PastNietBinnenBudget => "past niet binnen budget",
        R::GeenContract => "geen contract",
        R::PastNietBinnenContract => "past niet binnen contract",
        R::AndereGemeente => "andere gemeente",
        R::Stapeling => "stapeling",
        R::ZorginhoudelijkeAfkeur => "zorginhoudelijke afkeur",
        R::Woonplaatsbeginsel => "woonplaatsbeginsel",
        R::LeeftijdsgrensBereikt => "leeftijdsgrens is bereikt",
    }
}

/// A reden afwijzing from its code (`"7"`), checked against the code list.
pub fn reden_afwijzing(code: &str) -> std::result::Result<RedenAfwijzingVerzoek, VerzoekError> {
    RedenAfwijzingVerzoek::from_code(code.trim())
        .ok_or_else(|| VerzoekError::UnknownReden(code.to_string()))
}

/// Whether reden `r` may refuse a verzoek of kind `soort` in the Wmo.
fn reden_toegestaan(
    soort: VerzoekSoort,
    r: RedenAfwijzingVerzoek,
) -> std::result::Result<(), VerzoekError> {
    let waarom = match (soort, r) {
        // Veelgestelde vragen iWmo/iJw 3.2: code 8 only for the Jeugdwet; a
        // Wmo verzoek for a client of another gemeente gets 5.
        (_, RedenAfwijzingVerzoek::Woonplaatsbeginsel) => {
            "woonplaatsbeginsel is for the Jeugdwet (iJw) only; in the Wmo use 5 (andere gemeente)"
        }
        // By its meaning: a WMO317 that should have been a WMO315. A WMO315
        // is a new aanvraag already.
        (VerzoekSoort::Toewijzing, RedenAfwijzingVerzoek::NieuweAanvraag) => {
            "it refuses a verzoek om wijziging that should have been a verzoek om toewijzing; this is a verzoek om toewijzing"
        }
        _ => return Ok(()),
    };
    Err(VerzoekError::RedenNotApplicable { reden: r, waarom })
}

/// Reads one deadline.
async fn deadline(
    c: &mut AnyConnection,
    rule: &str,
    subject: &str,
    today: NaiveDate,
) -> Result<Option<Deadline>> {
    let row: Option<StoredDeadline> = sqlx::query_as(&format!(
        "SELECT {DEADLINE_COLUMNS} FROM iwmo_deadlines WHERE rule = $1 AND subject = $2"
    ))
    .bind(rule)
    .bind(subject)
    .fetch_optional(&mut *c)
    .await?;
    row.map(|row| Deadline::from_row(row, today)).transpose()
}

/// What the automatic judgement's refusal means for a person's grant.
fn geen_toekenning(aanbieder: &str, referentie: &str, w: Weigering) -> StoreError {
    let (aanbieder, referentie) = (aanbieder.to_string(), referentie.to_string());
    match w {
        Weigering::Afwijzen(reden, waarom) => VerzoekError::DoesNotFit {
            aanbieder,
            referentie,
            reden,
            waarom,
        },
        Weigering::Onderzoek(waarom) => VerzoekError::CannotGrant {
            aanbieder,
            referentie,
            waarom,
        },
    }
    .into()
}

/// The verzoek row a decision starts from.
struct Te {
    gemeente: Gemeente,
    aanbieder: AgbCode,
    bsn: String,
    status: VerzoekStatus,
    soort: VerzoekSoort,
    /// Id of the received message.
    message_id: i64,
    bericht: Bericht,
    dagtekening: NaiveDate,
}

impl Store {
    /// The verzoeken received (WMO315 per product, WMO317 as a whole), oldest
    /// first, with their state on `today`, the deadline that matters and why
    /// they went into onderzoek or were refused.
    pub async fn iwmo_verzoeken(
        &self,
        filter: &VerzoekFilter,
        today: NaiveDate,
    ) -> Result<Vec<VerzoekOverzicht>> {
        let aanbieder = filter.aanbieder.as_deref().unwrap_or("");
        let rows = sqlx::query(
            "SELECT v.aanbieder, v.referentie, v.gemeente, v.bsn, v.antwoorden, v.toegewezen, v.message_id, m.message_type, m.dagtekening, m.received_at, v.onderzoek_reden, v.reden_afwijzing, v.toelichting, v.beslist_door, v.beslist_op \
             FROM iwmo_verzoeken v JOIN iwmo_messages m ON m.id = v.message_id \
             WHERE ($1 = '' OR v.aanbieder = $2) ORDER BY m.received_at, v.message_id, v.referentie",
        )
        .bind(aanbieder)
        .bind(aanbieder)
        .fetch_all(&self.pool)
        .await?;
        let drows: Vec<StoredDeadline> = sqlx::query_as(&format!(
            "SELECT {DEADLINE_COLUMNS} FROM iwmo_deadlines WHERE rule IN ($1, $2)"
        ))
        .bind(OP274)
        .bind(OP346)
        .fetch_all(&self.pool)
        .await?;
        let mut deadlines: HashMap<String, Deadline> = HashMap::new();
        for row in drows {
            let d = Deadline::from_row(row, today)?;
            deadlines.insert(d.subject.clone(), d);
        }
        let t = "iwmo_verzoeken";
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let aanbieder: String = r.try_get(0)?;
            let referentie: String = r.try_get(1)?;
            let status = VerzoekStatus::of(&r.try_get::<String, _>(4)?, r.try_get(5)?);
            if filter.open && !status.is_open() {
                continue;
            }
            let soort = match r.try_get::<String, _>(7)?.as_str() {
                "WMO317" => VerzoekSoort::Wijziging,
                _ => VerzoekSoort::Toewijzing,
            };
            let dagtekening = opt_date("iwmo_messages", "dagtekening", r.try_get(8)?)?;
            let received: String = r.try_get(9)?;
            let ontvangen = crate::parse_date(
                "iwmo_messages",
                "received_at",
                received.get(..10).unwrap_or(&received),
            )?;
            let onderzoek = onderwerp_onderzoek(&aanbieder, &referentie);
            let deadline = match deadlines.remove(&onderzoek) {
                Some(d) => Some(d),
                // In onderzoek since before the final answer was tracked
                // (migration 0008): its due date follows from the dagtekening.
                None if status == VerzoekStatus::InOnderzoek => dagtekening.map(|d| {
                    let due = einde_onderzoek(d);
                    Deadline {
                        rule: soort.regel().to_string(),
                        subject: onderzoek,
                        gemeente: r.try_get(2).unwrap_or_default(),
                        aanbieder: aanbieder.clone(),
                        party: "gemeente".into(),
                        due,
                        fulfilled: None,
                        status: DeadlineStatus::on(due, None, today),
                    }
                }),
                None => deadlines.remove(&onderwerp(&aanbieder, &referentie)),
            };
            out.push(VerzoekOverzicht {
                soort,
                status,
                aanbieder,
                referentie,
                gemeente: r.try_get(2)?,
                bsn: r.try_get(3)?,
                dagtekening,
                ontvangen,
                message_id: r.try_get(6)?,
                deadline,
                onderzoek_reden: r.try_get(10)?,
                reden_afwijzing: r
                    .try_get::<Option<String>, _>(11)?
                    .map(|c| {
                        RedenAfwijzingVerzoek::from_code(&c)
                            .ok_or_else(|| corrupt(t, "reden_afwijzing", c))
                    })
                    .transpose()?,
                toelichting: r.try_get(12)?,
                beslist_door: r.try_get(13)?,
                beslist_op: opt_date(t, "beslist_op", r.try_get(14)?)?,
            });
        }
        Ok(out)
    }

    /// A person's final answer on a verzoek that is not decided yet (in
    /// onderzoek): a grant stores the toewijzing(en) through the automatic
    /// decision's checks and sends a WMO301 with all the client's current
    /// toewijzingen at the aanbieder (OP087); a refusal sends a WMO319
    /// afgewezen with its reden. One transaction: the outgoing message, the
    /// verzoek's row, the final answer's deadline fulfilled, the audit record
    /// naming `door`. Errors ([`VerzoekError`]) leave everything as it was.
    pub async fn decide_verzoek(
        &self,
        aanbieder: &str,
        referentie: &str,
        besluit: &Besluit,
        door: &str,
        opts: &IngestOptions,
    ) -> Result<Beslist> {
        let door = door.trim();
        if door.is_empty() {
            return Err(VerzoekError::NoDecider.into());
        }
        let mut conn = self.pool.acquire().await?;
        let mut tx = match self.backend {
            // The write lock first (as ingest takes it): the next message id
            // read below stays ours until COMMIT.
            Backend::Sqlite => sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?,
            Backend::Postgres => sqlx::Connection::begin(&mut *conn).await?,
        };
        let beslist = self
            .beslis(&mut tx, aanbieder, referentie, besluit, door, opts)
            .await?;
        tx.commit().await?;
        Ok(beslist)
    }

    /// Reads the verzoek to decide; refuses an unknown or decided one.
    async fn te_beslissen(c: &mut AnyConnection, aanbieder: &str, referentie: &str) -> Result<Te> {
        let Some(r) = sqlx::query(
            "SELECT v.gemeente, v.bsn, v.antwoorden, v.toegewezen, v.message_id, v.beslist_door, v.beslist_op, m.message_type, m.raw_xml \
             FROM iwmo_verzoeken v JOIN iwmo_messages m ON m.id = v.message_id WHERE v.aanbieder = $1 AND v.referentie = $2",
        )
        .bind(aanbieder)
        .bind(referentie)
        .fetch_optional(&mut *c)
        .await?
        else {
            return Err(VerzoekError::NotFound {
                aanbieder: aanbieder.to_string(),
                referentie: referentie.to_string(),
            }
            .into());
        };
        let t = "iwmo_verzoeken";
        let status = VerzoekStatus::of(&r.try_get::<String, _>(2)?, r.try_get(3)?);
        if !status.is_open() {
            return Err(VerzoekError::AlreadyDecided {
                aanbieder: aanbieder.to_string(),
                referentie: referentie.to_string(),
                status,
                door: r.try_get(5)?,
                op: opt_date(t, "beslist_op", r.try_get(6)?)?,
            }
            .into());
        }
        let soort = match r.try_get::<String, _>(7)?.as_str() {
            "WMO315" => VerzoekSoort::Toewijzing,
            "WMO317" => VerzoekSoort::Wijziging,
            other => return Err(corrupt("iwmo_messages", "message_type", other)),
        };
        // The verzoek as received: it was accepted, so it parses.
        let raw: String = r.try_get(8)?;
        let b = bericht::parse(raw.as_bytes())
            .map_err(|e| corrupt("iwmo_messages", "raw_xml", e.error))?;
        let dagtekening = match &b {
            Bericht::Wmo315(m) => m.header.bericht_identificatie.dagtekening,
            Bericht::Wmo317(m) => m.header.bericht_identificatie.dagtekening,
            other => {
                return Err(corrupt(
                    "iwmo_messages",
                    "raw_xml",
                    format!("{} where a verzoek was stored", other.message_type()),
                ))
            }
        };
        Ok(Te {
            gemeente: Gemeente::new(r.try_get::<String, _>(0)?)
                .map_err(|e| corrupt(t, "gemeente", e))?,
            aanbieder: AgbCode::new(aanbieder).map_err(|e| corrupt(t, "aanbieder", e))?,
            bsn: r.try_get(1)?,
            status,
            soort,
            message_id: r.try_get(4)?,
            bericht: b,
            dagtekening,
        })
    }

    /// [`Store::decide_verzoek`] inside its transaction.
    async fn beslis(
        &self,
        c: &mut AnyConnection,
        aanbieder: &str,
        referentie: &str,
        besluit: &Besluit,
        door: &str,
        opts: &IngestOptions,
    ) -> Result<Beslist> {
        let v = Self::te_beslissen(c, aanbieder, referentie).await?;
        let (g, a, bsn) = (v.gemeente.as_str(), v.aanbieder.as_str(), v.bsn.as_str());
        let today = opts.now.date();
        let aid = next_message_id(c).await?;
        let (bericht, report, status, toewijzingen) = match besluit {
            Besluit::Toewijzen { einddatum } => {
                let (touched, referentie_van) = match &v.bericht {
                    Bericht::Wmo315(m) => {
                        let ap = m
                            .client
                            .aangevraagde_producten
                            .iter()
                            .find(|p| p.referentie_aanbieder.as_str() == referentie)
                            .ok_or_else(|| corrupt("iwmo_verzoeken", "referentie", referentie))?;
                        let aanvraag = Aanvraag {
                            product: ap.product.as_ref(),
                            ingang: ap.toewijzing_ingangsdatum,
                            eind: einddatum.or(ap.toewijzing_einddatum),
                            omvang: ap.omvang.as_ref(),
                            budget: ap.budget,
                        };
                        let t = beoordeel(c, g, a, bsn, &aanvraag, Beoordeling::DoorPersoon)
                            .await?
                            .map_err(|w| geen_toekenning(a, referentie, w))?;
                        // The id the automatic grant would have given it.
                        let tid = format!("VOT-{a}-{referentie}");
                        toewijzen(c, self.backend, g, a, bsn, &tid, t, door)
                            .await?
                            .map_err(|w| geen_toekenning(a, referentie, w))?;
                        // IV094: only the granted product carries the referentie.
                        let r = ap.referentie_aanbieder.clone();
                        let k = tid.clone();
                        let referentie_van: Box<dyn Fn(&str) -> Option<Referentie> + Send> =
                            Box::new(move |id: &str| (id == k).then(|| r.clone()));
                        (HashSet::from([tid]), referentie_van)
                    }
                    Bericht::Wmo317(m) => {
                        if einddatum.is_some() {
                            return Err(VerzoekError::EinddatumOnWijziging {
                                aanbieder: a.to_string(),
                                referentie: referentie.to_string(),
                            }
                            .into());
                        }
                        let vw = &m.client.verzoek;
                        let touched = wijzig(
                            c,
                            self.backend,
                            g,
                            a,
                            bsn,
                            vw,
                            referentie,
                            Beoordeling::DoorPersoon,
                            door,
                        )
                        .await?
                        .map_err(|w| geen_toekenning(a, referentie, w))?;
                        // IV093: every product of the answer carries the VOW's referentie.
                        let r = vw.referentie_aanbieder.clone();
                        let referentie_van: Box<dyn Fn(&str) -> Option<Referentie> + Send> =
                            Box::new(move |_: &str| Some(r.clone()));
                        (touched, referentie_van)
                    }
                    _ => unreachable!("te_beslissen returns verzoeken only"),
                };
                // The same builder, chain validation and bookkeeping as the
                // automatic grant: toewijzingen as sent, OP271, the verzoek
                // marked toegewezen.
                let b = Self::antwoord_301(
                    c,
                    g,
                    a,
                    bsn,
                    opts.now,
                    aid,
                    &touched,
                    referentie_van.as_ref(),
                )
                .await?
                .map_err(|waarom| VerzoekError::CannotGrant {
                    aanbieder: a.to_string(),
                    referentie: referentie.to_string(),
                    waarom,
                })?;
                toegekend(c, a, referentie, door, today).await?;
                let mut ids: Vec<String> = touched.into_iter().collect();
                ids.sort();
                (b, "{}".to_string(), VerzoekStatus::Toegewezen, ids)
            }
            Besluit::Afwijzen { reden, toelichting } => {
                reden_toegestaan(v.soort, *reden)?;
                let b = wmo319(
                    &v.gemeente,
                    &v.aanbieder,
                    aid,
                    today,
                    referentie,
                    VerzoekAntwoord::Afgewezen,
                    Some(*reden),
                )?;
                // Checked against the chain like a received WMO319 (TR355,
                // TR359, TR365: only after "in onderzoek" may a refusal follow).
                let report =
                    bericht301::valideer(c, &b, g, aid, Uitvoeringsvariant::default()).await?;
                if !report.is_ok() {
                    return Err(VerzoekError::InvalidAnswer {
                        what: MessageType::Wmo319,
                        aanbieder: a.to_string(),
                        referentie: referentie.to_string(),
                        report: report.to_string().trim_end().to_string(),
                    }
                    .into());
                }
                sqlx::query(
                    "UPDATE iwmo_verzoeken SET antwoorden = CASE WHEN antwoorden = '' THEN $1 ELSE antwoorden || ',' || $2 END, reden_afwijzing = $3, toelichting = $4, beslist_door = $5, beslist_op = $6 WHERE aanbieder = $7 AND referentie = $8",
                )
                .bind(VerzoekAntwoord::Afgewezen.code())
                .bind(VerzoekAntwoord::Afgewezen.code())
                .bind(reden.code())
                .bind(toelichting.as_deref())
                .bind(door)
                .bind(date_str(today))
                .bind(a)
                .bind(referentie)
                .execute(&mut *c)
                .await?;
                let report = serde_json::to_string(&report.to_json())?;
                (b, report, VerzoekStatus::Afgewezen, Vec::new())
            }
        };
        // The outgoing message, as the automatic answers are written: an
        // answer to the verzoek's message, its retour due from the aanbieder
        // in 3 werkdagen (OP090).
        let xml = bericht.to_xml();
        let t = bericht.message_type();
        let ident = format!("RG{aid:010}");
        let answer_due = add_werkdagen(today, 3);
        insert_message(
            c,
            aid,
            &MessageRow {
                direction: "out",
                sender: g,
                receiver: a,
                message_type: t.name(),
                identificatie: &ident,
                dagtekening: Some(today),
                hash: &sha256_hex(xml.as_bytes()),
                raw: &xml,
                status: "sent",
                report: &report,
                retour_produced: None,
                retour_id: None,
                in_reply_to: Some(v.message_id),
                received_at: &opts.stamp(),
                answer_deadline: Some(answer_due),
            },
        )
        .await?;
        add_deadline(
            c,
            "OP090",
            &format!("retour:{aid}"),
            g,
            a,
            "aanbieder",
            Some(aid),
            answer_due,
            None,
        )
        .await?;
        // The final answer's deadline (OP274/OP346); one in onderzoek from
        // before it was tracked gets it now, fulfilled.
        let regel = v.soort.regel();
        fulfil_deadline(c, regel, &onderwerp(a, referentie), None, today, aid).await?;
        let mut final_deadline = None;
        if v.status == VerzoekStatus::InOnderzoek {
            let subject = onderwerp_onderzoek(a, referentie);
            if !fulfil_deadline(c, regel, &subject, None, today, aid).await?
                && deadline(c, regel, &subject, today).await?.is_none()
            {
                add_deadline(
                    c,
                    regel,
                    &subject,
                    g,
                    a,
                    "gemeente",
                    Some(v.message_id),
                    einde_onderzoek(v.dagtekening),
                    Some((today, aid)),
                )
                .await?;
            }
            final_deadline = deadline(c, regel, &subject, today).await?;
        }
        let detail = match besluit {
            Besluit::Toewijzen { einddatum } => format!(
                "toegewezen: toewijzing(en) {}{}; {} {ident}",
                toewijzingen.join(", "),
                einddatum.map_or(String::new(), |e| format!(" tot {e}")),
                t.name()
            ),
            Besluit::Afwijzen { reden, toelichting } => format!(
                "reden {} ({reden:?}): {}; {} {ident}",
                reden.code(),
                toelichting.as_deref().unwrap_or(reden_omschrijving(*reden)),
                t.name()
            ),
        };
        crate::audit::record_tx(
            c,
            door,
            match status {
                VerzoekStatus::Toegewezen => "verzoek.toegewezen",
                _ => "verzoek.afgewezen",
            },
            &format!("verzoek/{a}/{referentie}"),
            &detail,
        )
        .await?;
        Ok(Beslist {
            status,
            message_id: aid,
            message_type: t,
            file_name: format!("{}_{g}_{a}_{ident}.xml", t.name()),
            xml,
            toewijzingen,
            deadline: final_deadline,
        })
    }
}
