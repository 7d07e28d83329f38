//! Regie store: one sqlx code path (the `Any` driver) over SQLite, the embedded
//! default, and PostgreSQL for production. Portable SQL only; dates as ISO
//! TEXT, money as BIGINT eurocents. Every multi-row change runs in one
//! transaction, so a failure leaves nothing half-written.

mod care;
mod error;
mod region;
pub use care::ToewijzingSummary;
pub use region::{RegionInput, StoredLot, StoredRegion};
pub mod access;
mod audit;
pub mod batch;
pub mod iwmo;
mod persoon;
pub mod settlement;
mod stats;

pub use audit::AuditEntry;
pub use batch::{SimBatch, ToewijzingRow, BATCH_ROWS};
pub use error::{Result, StoreError};
pub use settlement::{
    BookSettings, DeclarationSource, LineFilter, MonthAmount, StoredBudget, StoredSettlement,
    StoredToewijzing,
};
pub use stats::{StatsCell, UniqueClientTable};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file (embedded, default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A connection pool plus the backend it runs on.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Versioned migrations, embedded at compile time by build.rs from every
/// `migrations/NNNN_name.sql` file (instead of `sqlx::migrate!`, to avoid
/// compiling sqlx's proc-macro stack).
const MIGRATIONS: &[(i64, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    use std::borrow::Cow;
    Migrator {
        migrations: Cow::Owned(
            MIGRATIONS
                .iter()
                .map(|(v, d, sql)| {
                    Migration::new(
                        *v,
                        Cow::Borrowed(*d),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

impl Store {
    /// Connects and brings the schema up to date. SQLite files are created when
    /// missing and run in WAL mode with foreign keys on.
    pub async fn open(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let opts = AnyConnectOptions::from_str(&url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    // One writer at a time is SQLite's model; a small pool serves reads.
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 30000").await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await?
            }
        };
        migrator().run(&pool).await?;
        Ok(Store { pool, backend })
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool, for crates that add their own queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Number of migrations this build knows (the schema version it expects).
    pub fn known_migrations() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// Number of applied migrations.
    pub async fn schema_version(&self) -> Result<i64> {
        let v: (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(v.0)
    }

    /// Closes the pool, flushing SQLite's WAL.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// Whether a database error is a unique-key violation (SQLite: "UNIQUE
/// constraint failed"; PostgreSQL: "duplicate key value violates unique
/// constraint"), as opposed to, say, a foreign-key failure.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.message().to_lowercase().contains("unique") || d.message().contains("duplicate key")
        }
        _ => false,
    }
}

/// Formats a date the way the store keeps it.
pub(crate) fn date_str(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Reads a stored date.
pub(crate) fn parse_date(
    table: &'static str,
    column: &'static str,
    s: &str,
) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
        table,
        column,
        detail: format!("{s:?}: {e}"),
    })
}

/// Builds placeholder groups for a multi-row insert: `(?,?),(?,?)` on SQLite,
/// `($1,$2),($3,$4)` on PostgreSQL. SQLite must get anonymous `?`: sqlx binds
/// `$N` there by name lookup, which is quadratic in the parameter count (a
/// 9,000-parameter insert took 120 ms instead of 6 ms).
pub(crate) fn placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => {
                    s.push('$');
                    s.push_str(&n.to_string());
                    n += 1;
                }
            }
        }
        s.push(')');
    }
    s
}
