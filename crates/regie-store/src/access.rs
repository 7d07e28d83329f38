//! Toegang cases, persisted as append-only event streams.
//!
//! * `case_events` is the source of truth. A case is loaded by replaying its
//!   events through [`Case::replay`]; the stored from/to states are checked
//!   against the replay, so a stream that no longer replays is reported as
//!   corrupt instead of silently diverging.
//! * Applying an event = load (replay), [`Case::apply`], then in ONE
//!   transaction: update the `cases` row `WHERE last_seq = n - 1`, append
//!   event `n` (primary key `(case_id, seq)`), project the event onto the care
//!   tables and write the audit record. A refused event writes nothing
//!   ([`StoreError::Refused`]); a writer that lost the race gets
//!   [`StoreError::SeqConflict`] and nothing of its change is kept.
//! * Projection onto the existing care tables, in the same transaction: the
//!   client row at aanmelding (when not stored yet), every beschikking that
//!   comes into force, every toewijzing (with the same overlap check as
//!   [`Store::add_toewijzing`]), toewijzing endings (also of the
//!   `ID-VYYYYMMDD` continuations a move created) and moves (the same table
//!   change as [`Store::record_move`], reden 07).
//! * Derived, not stored: waiting lists ([`waiting_list`]), deadlines
//!   ([`regie_access::DeadlineEngine`] over [`Store::cases`]) and bezwaren
//!   ([`Case::bezwaren`]). Complaints are not case events (they concern a
//!   provider, a case is optional) and have their own table.

use crate::batch::{insert_beschikkingen, insert_toewijzingen, ToewijzingRow};
use crate::care::move_in_tx;
use crate::region::corrupt;
use crate::{date_str, parse_date, Result, Store, StoreError};
use chrono::{NaiveDate, NaiveDateTime};
use regie_access::case::reden;
use regie_access::{
    Actor, Case, CaseEvent, Complaint, ComplaintRegister, EventRecord, Fact, HistoryEntry, Route,
    Urgentie, WaitingEntry, WaitingList,
};
use regie_domain::{AgbCode, CareError, Gemeentecode};
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

/// A case row: the listing projection of a case's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    /// Case id.
    pub id: String,
    /// Region the case belongs to.
    pub region_id: String,
    /// Client BSN.
    pub bsn: String,
    /// Route kind (`maatwerk`, `beschermd_wonen_perspectiefplan`, …).
    pub route: String,
    /// Current state, as displayed.
    pub state: String,
    /// The municipality whose toegang holds the case.
    pub toegang_gemeente: String,
    /// Aanmelding date.
    pub opened_on: NaiveDate,
    /// Closing date, once closed.
    pub closed_on: Option<NaiveDate>,
    /// Seq of the last event (0 = only the aanmelding).
    pub last_seq: i64,
}

/// A stored event row: seq, at, actor JSON, event JSON, to-state.
type EventRow = (i64, String, String, String, String);
/// A stored complaint row.
type ComplaintRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

fn ts(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
}

fn now_str() -> String {
    ts(chrono::Utc::now().naive_utc())
}

fn route_key(route: Route) -> String {
    serde_json::to_value(route.kind())
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse_record(case_id: &str, at: &str, actor: &str, event: &str) -> Result<EventRecord> {
    let at: NaiveDateTime = at
        .parse()
        .map_err(|e| corrupt("case_events", "at", format!("{case_id}: {at:?}: {e}")))?;
    let actor: Actor = serde_json::from_str(actor)
        .map_err(|e| corrupt("case_events", "actor", format!("{case_id}: {e}")))?;
    let event: CaseEvent = serde_json::from_str(event)
        .map_err(|e| corrupt("case_events", "event", format!("{case_id}: {e}")))?;
    Ok(EventRecord { at, actor, event })
}

/// Replays stored rows `(seq, at, actor, event, to_state)` and checks the
/// stored states against the replay.
fn replay_rows(case_id: &str, rows: Vec<EventRow>) -> Result<Case> {
    let mut states = Vec::with_capacity(rows.len());
    let mut records = Vec::with_capacity(rows.len());
    for (i, (seq, at, actor, event, to)) in rows.into_iter().enumerate() {
        if seq != i as i64 {
            return Err(corrupt(
                "case_events",
                "seq",
                format!("{case_id}: seq {seq} at position {i}"),
            ));
        }
        records.push(parse_record(case_id, &at, &actor, &event)?);
        states.push(to);
    }
    if records.is_empty() {
        return Err(StoreError::NotFound {
            kind: "case",
            id: case_id.to_string(),
        });
    }
    let case = Case::replay(records).map_err(|e| {
        corrupt(
            "case_events",
            "event",
            format!("{case_id} no longer replays: {e}"),
        )
    })?;
    for (h, stored) in case.history().iter().zip(&states) {
        if h.to.to_string() != *stored {
            return Err(corrupt(
                "case_events",
                "to_state",
                format!(
                    "{case_id} seq {}: stored {stored:?}, replay gives {:?}",
                    h.seq,
                    h.to.to_string()
                ),
            ));
        }
    }
    let v = case.invariant_violations();
    if !v.is_empty() {
        return Err(corrupt(
            "case_events",
            "event",
            format!("{case_id}: {}", v.join("; ")),
        ));
    }
    Ok(case)
}

async fn insert_event(
    tx: &mut Transaction<'_, Any>,
    case_id: &str,
    h: &HistoryEntry,
) -> Result<()> {
    let seq = h.seq as i64;
    sqlx::query("INSERT INTO case_events (case_id, seq, at, kind, actor, event, from_state, to_state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(case_id)
        .bind(seq)
        .bind(ts(h.record.at))
        .bind(h.record.event.kind().label())
        .bind(serde_json::to_string(&h.record.actor)?)
        .bind(serde_json::to_string(&h.record.event)?)
        .bind(h.from.as_ref().map(|s| s.to_string()))
        .bind(h.to.to_string())
        .execute(&mut **tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d)
                if d.message().to_lowercase().contains("unique")
                    || d.message().contains("duplicate key") =>
            {
                StoreError::SeqConflict {
                    case_id: case_id.to_string(),
                    seq,
                }
            }
            e => e.into(),
        })?;
    Ok(())
}

impl Store {
    /// Opens a case from its aanmelding in a stored region. Stores the client
    /// (with the residence from the aanmelding) when not stored yet.
    pub async fn open_case(&self, region_id: &str, rec: EventRecord) -> Result<Case> {
        let case = Case::open(rec)?;
        let h = &case.history()[0];
        let mut tx = self.pool.begin().await?;
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM cases WHERE id = $1")
            .bind(case.id())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "case {} already stored",
                case.id()
            )));
        }
        sqlx::query("INSERT INTO cases (id, region_id, bsn, route, state, toegang_gemeente, opened_on, closed_on, last_seq, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9)")
            .bind(case.id())
            .bind(region_id)
            .bind(case.bsn().to_string())
            .bind(route_key(case.route()))
            .bind(case.state().to_string())
            .bind(case.toegang_gemeente().to_string())
            .bind(date_str(case.aangemeld_op()))
            .bind(0i64)
            .bind(now_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.message().to_lowercase().contains("foreign") => {
                    StoreError::NotFound {
                        kind: "region",
                        id: region_id.to_string(),
                    }
                }
                // A concurrent writer opened the same case first.
                sqlx::Error::Database(d)
                    if d.message().to_lowercase().contains("unique")
                        || d.message().contains("duplicate key") =>
                {
                    StoreError::Conflict(format!("case {} already stored", case.id()))
                }
                e => e.into(),
            })?;
        insert_event(&mut tx, case.id(), h).await?;
        let client = case.client();
        let known: Option<(String,)> = sqlx::query_as("SELECT bsn FROM clients WHERE bsn = $1")
            .bind(client.bsn().to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            sqlx::query("INSERT INTO clients (bsn, birth_date, region_id) VALUES ($1, $2, $3)")
                .bind(client.bsn().to_string())
                .bind(date_str(client.birth_date()))
                .bind(region_id)
                .execute(&mut *tx)
                .await?;
            for r in client.residences() {
                sqlx::query(
                    "INSERT INTO residences (bsn, from_date, gemeente) VALUES ($1, $2, $3)",
                )
                .bind(client.bsn().to_string())
                .bind(date_str(r.from))
                .bind(r.gemeente.to_string())
                .execute(&mut *tx)
                .await?;
            }
        }
        // The aanmelding's BRP data is the newest the toegang has: it is
        // stored (or replaces what is stored) so WMO301s can name and address
        // the client.
        if let regie_access::CaseEvent::Aangemeld {
            client:
                regie_access::ClientGegevens {
                    persoonsgegevens: Some(p),
                    ..
                },
            ..
        } = &h.record.event
        {
            crate::persoon::upsert(&mut tx, client.bsn(), p).await?;
        }
        crate::audit::record_tx(
            &mut tx,
            &h.record.actor.to_string(),
            "case.open",
            &format!("case/{}", case.id()),
            &format!(
                "{:?} toegang {}",
                case.route().kind(),
                case.toegang_gemeente()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Loads a case by replaying its stored events.
    pub async fn case(&self, id: &str) -> Result<Case> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, at, actor, event, to_state FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        replay_rows(id, rows)
    }

    /// The listing row of a case.
    pub async fn case_summary(&self, id: &str) -> Result<CaseSummary> {
        self.case_summaries_where(Some(id), None)
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                kind: "case",
                id: id.to_string(),
            })
    }

    /// Listing rows of all cases (of one region), by id.
    pub async fn case_summaries(&self, region_id: Option<&str>) -> Result<Vec<CaseSummary>> {
        self.case_summaries_where(None, region_id).await
    }

    async fn case_summaries_where(
        &self,
        id: Option<&str>,
        region_id: Option<&str>,
    ) -> Result<Vec<CaseSummary>> {
        let sql = "SELECT id, region_id, bsn, route, state, toegang_gemeente, opened_on, closed_on, last_seq FROM cases WHERE ($1 = '' OR id = $2) AND ($3 = '' OR region_id = $4) ORDER BY id";
        let rows = sqlx::query(sql)
            .bind(id.unwrap_or(""))
            .bind(id.unwrap_or(""))
            .bind(region_id.unwrap_or(""))
            .bind(region_id.unwrap_or(""))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(CaseSummary {
                    id: r.try_get(0)?,
                    region_id: r.try_get(1)?,
                    bsn: r.try_get(2)?,
                    route: r.try_get(3)?,
                    state: r.try_get(4)?,
                    toegang_gemeente: r.try_get(5)?,
                    opened_on: parse_date("cases", "opened_on", &r.try_get::<String, _>(6)?)?,
                    closed_on: r
                        .try_get::<Option<String>, _>(7)?
                        .map(|s| parse_date("cases", "closed_on", &s))
                        .transpose()?,
                    last_seq: r.try_get(8)?,
                })
            })
            .collect()
    }

    /// Every case (of one region), replayed from the stored events, by id.
    pub async fn cases(&self, region_id: Option<&str>) -> Result<Vec<Case>> {
        let rows: Vec<(String, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT e.case_id, e.seq, e.at, e.actor, e.event, e.to_state FROM case_events e JOIN cases c ON c.id = e.case_id WHERE ($1 = '' OR c.region_id = $2) ORDER BY e.case_id, e.seq",
        )
        .bind(region_id.unwrap_or(""))
        .bind(region_id.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        let mut grouped: BTreeMap<String, Vec<EventRow>> = BTreeMap::new();
        for (id, seq, at, actor, event, to) in rows {
            grouped
                .entry(id)
                .or_default()
                .push((seq, at, actor, event, to));
        }
        grouped
            .into_iter()
            .map(|(id, rows)| replay_rows(&id, rows))
            .collect()
    }

    /// Loads the case, applies the event and stores it (see the module docs).
    pub async fn apply_case_event(&self, id: &str, rec: EventRecord) -> Result<Case> {
        let case = self.case(id).await?;
        self.append_case_event(&case, rec).await
    }

    /// Applies `rec` to `case` as loaded by the caller and appends it as the
    /// next seq. Fails with [`StoreError::SeqConflict`] when the stored case
    /// moved on since `case` was loaded; with [`StoreError::Refused`] when the
    /// workflow refuses the event. Either way nothing is written.
    pub async fn append_case_event(&self, case: &Case, rec: EventRecord) -> Result<Case> {
        let mut next = case.clone();
        next.apply(rec)?;
        let h = next.history().last().expect("just applied").clone();
        let seq = h.seq as i64;
        let closed_on = next
            .state()
            .is_closed()
            .then(|| date_str(h.record.at.date()));
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query("UPDATE cases SET state = $1, toegang_gemeente = $2, closed_on = $3, last_seq = $4, updated_at = $5 WHERE id = $6 AND last_seq = $7")
            .bind(next.state().to_string())
            .bind(next.toegang_gemeente().to_string())
            .bind(closed_on)
            .bind(seq)
            .bind(now_str())
            .bind(next.id())
            .bind(seq - 1)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() != 1 {
            let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM cases WHERE id = $1")
                .bind(next.id())
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match exists {
                None => StoreError::NotFound {
                    kind: "case",
                    id: next.id().to_string(),
                },
                Some(_) => StoreError::SeqConflict {
                    case_id: next.id().to_string(),
                    seq,
                },
            });
        }
        insert_event(&mut tx, next.id(), &h).await?;
        let (region_id,): (String,) = sqlx::query_as("SELECT region_id FROM cases WHERE id = $1")
            .bind(next.id())
            .fetch_one(&mut *tx)
            .await?;
        self.project(&mut tx, &region_id, &next, &h).await?;
        crate::audit::record_tx(
            &mut tx,
            &h.record.actor.to_string(),
            "case.event",
            &format!("case/{}", next.id()),
            &format!("seq {seq}: {} → {}", h.record.event.kind().label(), h.to),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Keeps beschikkingen, toewijzingen and residences in step with an applied event.
    async fn project(
        &self,
        tx: &mut Transaction<'_, Any>,
        region_id: &str,
        case: &Case,
        h: &HistoryEntry,
    ) -> Result<()> {
        for f in &h.facts {
            match f {
                Fact::NieuweBeschikking { id, .. } => {
                    let b = case.beschikking().filter(|b| b.id == *id).ok_or_else(|| {
                        StoreError::Conflict(format!("beschikking {id} not current after its fact"))
                    })?;
                    let stored: Option<(String,)> =
                        sqlx::query_as("SELECT id FROM beschikkingen WHERE id = $1")
                            .bind(id)
                            .fetch_optional(&mut **tx)
                            .await?;
                    if stored.is_none() {
                        insert_beschikkingen(tx, self.backend, region_id, std::slice::from_ref(b))
                            .await?;
                    }
                }
                Fact::ToewijzingGestopt { id, einde, reden } => {
                    let pattern = format!("{id}-V%");
                    let e = date_str(*einde);
                    sqlx::query("UPDATE toewijzingen SET end_date = $1, reden_wijziging = $2 WHERE (id = $3 OR id LIKE $4) AND start_date <= $5 AND (end_date IS NULL OR end_date > $6)")
                        .bind(&e)
                        .bind(i32::from(reden.0))
                        .bind(id)
                        .bind(&pattern)
                        .bind(&e)
                        .bind(&e)
                        .execute(&mut **tx)
                        .await?;
                    // Continuations that would start after the new end are deleted (reden 13).
                    sqlx::query("UPDATE toewijzingen SET end_date = start_date, reden_wijziging = $1 WHERE id LIKE $2 AND start_date > $3")
                        .bind(i32::from(reden::VERWIJDERD.0))
                        .bind(&pattern)
                        .bind(&e)
                        .execute(&mut **tx)
                        .await?;
                }
                _ => {}
            }
        }
        match &h.record.event {
            CaseEvent::Toegewezen {
                toewijzing: t,
                order,
            } => {
                let end = t
                    .period
                    .end()
                    .map(date_str)
                    .unwrap_or_else(|| "9999-12-31".into());
                let clash: Option<(String,)> = sqlx::query_as(
                    "SELECT id FROM toewijzingen WHERE bsn = $1 AND product_key = $2 AND provider_agb = $3 AND start_date <= $4 AND (end_date IS NULL OR end_date >= $5) LIMIT 1",
                )
                .bind(t.client.to_string())
                .bind(t.product.key())
                .bind(t.provider.to_string())
                .bind(&end)
                .bind(date_str(t.period.start()))
                .fetch_optional(&mut **tx)
                .await?;
                if let Some((existing,)) = clash {
                    return Err(CareError::Overlap {
                        new: t.id.clone(),
                        existing,
                    }
                    .into());
                }
                let row = ToewijzingRow {
                    toewijzing: t.clone(),
                    lot_id: order.lot_id.clone(),
                    gemeente: case.client().municipality_on(t.period.start()),
                };
                insert_toewijzingen(tx, self.backend, region_id, std::slice::from_ref(&row))
                    .await?;
            }
            CaseEvent::Verhuisd { naar, datum } => {
                move_in_tx(tx, case.bsn(), *naar, *datum, reden::VERHUIZING).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Deletes every case of a region with its events and complaints, and the
    /// care rows (toewijzingen, beschikkingen, residences, persoonsgegevens,
    /// client) of the cases' clients, in one transaction. Returns the number
    /// of cases.
    /// Clients are matched by BSN: a simulated population client with the same
    /// BSN loses its care rows too.
    pub async fn delete_region_cases(&self, region_id: &str) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let clients = "(SELECT bsn FROM cases WHERE region_id = $1)";
        for sql in [
            "DELETE FROM complaints WHERE region_id = $1".to_string(),
            format!("DELETE FROM toewijzingen WHERE bsn IN {clients}"),
            format!("DELETE FROM beschikkingen WHERE bsn IN {clients}"),
            format!("DELETE FROM residences WHERE bsn IN {clients}"),
            format!("DELETE FROM client_persoonsgegevens WHERE bsn IN {clients}"),
            format!("DELETE FROM clients WHERE bsn IN {clients}"),
            "DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE region_id = $1)"
                .to_string(),
        ] {
            sqlx::query(&sql).bind(region_id).execute(&mut *tx).await?;
        }
        let n = sqlx::query("DELETE FROM cases WHERE region_id = $1")
            .bind(region_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        crate::audit::record_tx(
            &mut tx,
            "regie",
            "case.delete_region",
            &format!("region/{region_id}"),
            &format!("{n} cases"),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Registers a complaint about a provider; returns its register number.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_complaint(
        &self,
        region_id: &str,
        received_on: NaiveDate,
        provider: AgbCode,
        gemeente: Gemeentecode,
        case_id: Option<&str>,
        subject: &str,
        actor: &str,
    ) -> Result<u32> {
        let mut tx = self.pool.begin().await?;
        let (id,): (i64,) =
            sqlx::query_as("SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM complaints")
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("INSERT INTO complaints (id, region_id, received_on, provider_agb, gemeente, case_id, subject, handled_on, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)")
            .bind(id)
            .bind(region_id)
            .bind(date_str(received_on))
            .bind(provider.to_string())
            .bind(gemeente.to_string())
            .bind(case_id)
            .bind(subject)
            .bind(actor)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) => StoreError::Conflict(format!("complaint: {}", d.message())),
                e => e.into(),
            })?;
        crate::audit::record_tx(
            &mut tx,
            actor,
            "complaint.create",
            &format!("complaint/{id}"),
            &format!("provider {provider}, gemeente {gemeente}"),
        )
        .await?;
        tx.commit().await?;
        u32::try_from(id).map_err(|e| corrupt("complaints", "id", e))
    }

    /// Marks a complaint handled.
    pub async fn handle_complaint(&self, id: u32, on: NaiveDate, actor: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query("UPDATE complaints SET handled_on = $1 WHERE id = $2 AND handled_on IS NULL AND received_on <= $3")
            .bind(date_str(on))
            .bind(i64::from(id))
            .bind(date_str(on))
            .execute(&mut *tx)
            .await?;
        if res.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "complaint {id} not found, already handled, or received after {on}"
            )));
        }
        crate::audit::record_tx(
            &mut tx,
            actor,
            "complaint.handle",
            &format!("complaint/{id}"),
            &date_str(on),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stored complaints (of one region), by register number.
    pub async fn complaints(&self, region_id: Option<&str>) -> Result<Vec<Complaint>> {
        let rows: Vec<ComplaintRow> =
            sqlx::query_as("SELECT id, received_on, provider_agb, gemeente, case_id, subject, handled_on FROM complaints WHERE ($1 = '' OR region_id = $2) ORDER BY id")
                .bind(region_id.unwrap_or(""))
                .bind(region_id.unwrap_or(""))
                .fetch_all(&self.pool)
                .await?;
        let t = "complaints";
        rows.into_iter()
            .map(|(id, recv, agb, g, case_id, subject, handled)| {
                Ok(Complaint {
                    id: u32::try_from(id).map_err(|e| corrupt(t, "id", e))?,
                    ontvangen_op: parse_date(t, "received_on", &recv)?,
                    provider: agb.parse().map_err(|e| corrupt(t, "provider_agb", e))?,
                    gemeente: crate::region::gemeente(t, "gemeente", &g)?,
                    case_id,
                    onderwerp: subject,
                    afgehandeld_op: handled
                        .map(|h| parse_date(t, "handled_on", &h))
                        .transpose()?,
                })
            })
            .collect()
    }
}

/// A [`ComplaintRegister`] holding `complaints` (in the given order), for
/// quarter aggregation. Register numbers are reassigned 1..n.
pub fn complaint_register(complaints: &[Complaint]) -> ComplaintRegister {
    let mut reg = ComplaintRegister::new();
    for c in complaints {
        let id = reg.register(
            c.ontvangen_op,
            c.provider,
            c.gemeente,
            c.case_id.clone(),
            c.onderwerp.clone(),
        );
        if let Some(on) = c.afgehandeld_op {
            reg.handle(id, on)
                .expect("fresh complaint handled on or after receipt");
        }
    }
    reg
}

/// The waiting-list product key of beschermd wonen routes: clients wait for a
/// BW place, whichever BW product the perspectiefplan later specifies.
pub const BW_PLAATS: &str = "beschermd wonen (plaats)";

/// The waiting list on `as_of`, derived from the cases' events up to that day.
///
/// A beschermd wonen case waits for a BW place at its contract partner from
/// the DAT-bepaling (Hart van Brabant) or, on the other routes, at the
/// addressed provider from the first toewijzing, until care starts
/// (placement) or the case closes. Overbruggingszorg running on `as_of` is
/// recorded on the entry.
pub fn waiting_list(cases: &[Case], as_of: NaiveDate) -> WaitingList {
    let mut list = WaitingList::new();
    for full in cases {
        let events: Vec<EventRecord> = full
            .events()
            .into_iter()
            .filter(|r| r.at.date() <= as_of)
            .collect();
        let Ok(case) = Case::replay(events) else {
            continue; // aanmelding after as_of
        };
        let mut requested: Option<(String, AgbCode, NaiveDate)> = None;
        let mut done = false;
        for h in case.history() {
            let on = h.record.effective_date();
            match &h.record.event {
                CaseEvent::DatAfgegeven {
                    contractpartner, ..
                } if requested.is_none() => {
                    requested = Some((BW_PLAATS.to_string(), *contractpartner, on));
                }
                CaseEvent::Toegewezen { toewijzing, .. } if requested.is_none() => {
                    let product = if case.route().is_regional() {
                        BW_PLAATS.to_string()
                    } else {
                        toewijzing.product.key()
                    };
                    requested = Some((product, toewijzing.provider, on));
                }
                CaseEvent::ZorgGestart { start, .. } if !done => {
                    if let Some((product, provider, _)) = &requested {
                        done = list.place(case.id(), product, *provider, *start).is_ok();
                    }
                }
                _ => {}
            }
            if !done {
                if let Some((product, provider, req)) = &requested {
                    let on_list = list.entries().iter().any(|e| e.case_id == case.id())
                        || list.placed().iter().any(|p| p.entry.case_id == case.id());
                    if !on_list {
                        let _ = list.add(WaitingEntry {
                            case_id: case.id().to_string(),
                            client: case.bsn(),
                            product: product.clone(),
                            provider: *provider,
                            aangevraagd_op: *req,
                            urgentie: Urgentie::Regulier,
                            overbrugging: None,
                        });
                    }
                }
                if h.facts.contains(&Fact::Gesloten)
                    && list.entries().iter().any(|e| e.case_id == case.id())
                {
                    let _ = list.withdraw(case.id(), h.record.at.date());
                    done = true;
                }
            }
        }
        if !done && list.entries().iter().any(|e| e.case_id == case.id()) {
            let bridging = case
                .overbrugging()
                .iter()
                .find(|o| o.periode.contains(as_of))
                .map(|o| o.aanbieder);
            let _ = list.set_overbrugging(case.id(), bridging);
        }
    }
    list
}
