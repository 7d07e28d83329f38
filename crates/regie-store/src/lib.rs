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
                    // The database is in-process: a connection cannot have been
                    // dropped by a server, so the ping before every acquire
                    // (a round trip to the connection's worker thread) buys nothing.
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL: readers do not block the writer, and a commit
                            // appends to the log instead of rewriting pages.
                            // synchronous = NORMAL is safe with WAL: a commit is
                            // atomic and the database never corrupts; a power
                            // loss (not a crash of the process) may only undo the
                            // last commits — an ingest re-run answers those again
                            // (idempotent), and no fsync per message is paid.
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

/// The backend a connection talks to (for SQL that differs by dialect).
pub(crate) fn backend_of(c: &sqlx::AnyConnection) -> Backend {
    if c.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// A statement assembled piece by piece together with its arguments, so the
/// placeholders always match the arguments: anonymous `?` on SQLite (see
/// [`placeholders`]), numbered `$N` on PostgreSQL.
pub(crate) struct Sql<'q> {
    backend: Backend,
    text: String,
    args: sqlx::any::AnyArguments<'q>,
    n: usize,
    error: Option<sqlx::error::BoxDynError>,
}

impl<'q> Sql<'q> {
    /// An empty statement for `backend`.
    pub(crate) fn new(backend: Backend) -> Self {
        Sql {
            backend,
            text: String::with_capacity(1024),
            args: Default::default(),
            n: 0,
            error: None,
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder and binds `v` to it.
    pub(crate) fn bind<T>(&mut self, v: T) -> &mut Self
    where
        T: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        use sqlx::Arguments;
        if let Err(e) = self.args.add(v) {
            self.error.get_or_insert(e);
        }
        self.n += 1;
        match self.backend {
            Backend::Sqlite => self.text.push('?'),
            Backend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.n.to_string());
            }
        }
        self
    }

    /// Appends `v1, v2, …` for an `IN (…)` list (which must not be empty),
    /// padded to a power of two by repeating the last value, so lists of
    /// different lengths share a few statement texts (and cached statements).
    pub(crate) fn bind_list<T>(&mut self, vs: &[T]) -> &mut Self
    where
        T: 'q + Clone + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        debug_assert!(!vs.is_empty(), "IN () is not SQL");
        let padded = vs.len().next_power_of_two();
        for i in 0..padded {
            if i > 0 {
                self.text.push(',');
            }
            self.bind(vs[i.min(vs.len() - 1)].clone());
        }
        self
    }

    /// Number of arguments bound so far.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    fn parts(self) -> Result<(String, sqlx::any::AnyArguments<'q>)> {
        match self.error {
            Some(e) => Err(sqlx::Error::Encode(e).into()),
            None => Ok((self.text, self.args)),
        }
    }

    /// Runs the statement and returns all rows.
    pub(crate) async fn fetch_all(
        self,
        c: &mut sqlx::AnyConnection,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let (text, args) = self.parts()?;
        Ok(sqlx::query_with(&text, args).fetch_all(c).await?)
    }

    /// Runs the statement; returns the number of rows it changed.
    pub(crate) async fn execute(self, c: &mut sqlx::AnyConnection) -> Result<u64> {
        let (text, args) = self.parts()?;
        Ok(sqlx::query_with(&text, args)
            .execute(c)
            .await?
            .rows_affected())
    }
}

/// Statements that run together, in order, in one transaction: on SQLite as
/// one multi-statement round trip (sqlx binds the anonymous `?` of each
/// statement from where the previous one stopped); on PostgreSQL, which takes
/// one statement per prepared query, one by one.
pub(crate) struct Script<'q> {
    backend: Backend,
    sqlite: Sql<'q>,
    postgres: Vec<Sql<'q>>,
    statements: usize,
}

impl<'q> Script<'q> {
    /// An empty script for `backend`.
    pub(crate) fn new(backend: Backend) -> Self {
        Script {
            backend,
            sqlite: Sql::new(backend),
            postgres: Vec::new(),
            statements: 0,
        }
    }

    /// Starts the next statement; write it into the returned builder.
    pub(crate) fn stmt(&mut self) -> &mut Sql<'q> {
        self.statements += 1;
        match self.backend {
            Backend::Sqlite => {
                if self.statements > 1 {
                    self.sqlite.push(";\n");
                }
                &mut self.sqlite
            }
            Backend::Postgres => {
                self.postgres.push(Sql::new(Backend::Postgres));
                self.postgres.last_mut().expect("just pushed")
            }
        }
    }

    /// Runs the statements in order.
    pub(crate) async fn run(self, c: &mut sqlx::AnyConnection) -> Result<()> {
        if self.statements == 0 {
            return Ok(());
        }
        match self.backend {
            Backend::Sqlite => {
                self.sqlite.execute(c).await?;
            }
            Backend::Postgres => {
                for s in self.postgres {
                    s.execute(&mut *c).await?;
                }
            }
        }
        Ok(())
    }
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
