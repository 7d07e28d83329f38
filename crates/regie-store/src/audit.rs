//! Append-only audit trail.

use crate::{Result, Store};
use std::sync::atomic::{AtomicU64, Ordering};

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When (UTC, ISO).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What kind of change.
    pub action: String,
    /// What it was about (`kind/id`).
    pub subject: String,
    /// Details.
    pub detail: String,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A sortable unique id: UTC timestamp in microseconds, process id and a counter.
fn next_id() -> String {
    let now = chrono::Utc::now();
    format!(
        "{:016x}-{:08x}-{:08x}",
        now.timestamp_micros(),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Appends an audit record inside the caller's transaction (a `&mut
/// Transaction` coerces to the connection it wraps).
pub(crate) async fn record_tx(
    tx: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (id, at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(next_id())
        .bind(chrono::Utc::now().naive_utc().format("%Y-%m-%dT%H:%M:%S%.3f").to_string())
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl Store {
    /// Audit entries about a subject, oldest first.
    pub async fn audit_for(&self, subject: &str) -> Result<Vec<AuditEntry>> {
        let rows: Vec<(String, String, String, String, String)> =
            sqlx::query_as("SELECT at, actor, action, subject, detail FROM audit_log WHERE subject = $1 ORDER BY id")
                .bind(subject)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(at, actor, action, subject, detail)| AuditEntry {
                at,
                actor,
                action,
                subject,
                detail,
            })
            .collect())
    }
}
