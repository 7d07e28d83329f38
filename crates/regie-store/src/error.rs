//! Store errors.

use thiserror::Error;

/// Anything that can go wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL names no supported backend.
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    /// Database driver error.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Migration failure.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A row violated a domain rule on the way in.
    #[error(transparent)]
    Care(#[from] regie_domain::CareError),
    /// Stored data could not be read back into domain types.
    #[error("corrupt stored value in {table}.{column}: {detail}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// Something referenced does not exist.
    #[error("{kind} {id:?} not found")]
    NotFound {
        /// What kind of thing.
        kind: &'static str,
        /// Its identifier.
        id: String,
    },
    /// An insert collides with an existing row.
    #[error("{0}")]
    Conflict(String),
    /// The access workflow refused an event; nothing was written.
    #[error("refused: {0}")]
    Refused(#[from] regie_access::AccessError),
    /// Another writer appended to the case first (optimistic concurrency on seq).
    #[error("case {case_id} changed concurrently: seq {seq} is already taken; reload and retry")]
    SeqConflict {
        /// Case id.
        case_id: String,
        /// The seq this writer tried to append.
        seq: i64,
    },
    /// JSON (de)serialisation of a settings column.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A decision on an iWmo verzoek was refused; nothing was written.
    #[error(transparent)]
    Verzoek(#[from] crate::iwmo::VerzoekError),
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
