//! Test backends: a fresh SQLite file always; a fresh PostgreSQL database when
//! `REGIE_TEST_POSTGRES_URL` points at a server (the CI script starts one).
//! With `REGIE_REQUIRE_POSTGRES=1` a missing server fails the test instead of
//! silently testing SQLite only.

use regie_store::Store;
use std::sync::atomic::{AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub name: &'static str,
    pub store: Store,
    _dir: Option<tempdir::TempDir>,
}

mod tempdir {
    /// Minimal temp dir (removed on drop) to avoid a dependency.
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    )
}

pub async fn backends() -> Vec<TestDb> {
    let mut out = Vec::new();
    let dir = std::env::temp_dir().join(unique("regie_test"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.sqlite").display());
    out.push(TestDb {
        name: "sqlite",
        store: Store::open(&url).await.expect("open sqlite"),
        _dir: Some(tempdir::TempDir(dir)),
    });
    match std::env::var("REGIE_TEST_POSTGRES_URL") {
        Ok(admin) if !admin.is_empty() => {
            let db = unique("regie_t");
            {
                use sqlx::Executor;
                sqlx::any::install_default_drivers();
                let pool = sqlx::AnyPool::connect(&admin)
                    .await
                    .expect("connect to admin postgres");
                pool.execute(format!("CREATE DATABASE {db}").as_str())
                    .await
                    .expect("create test database");
                pool.close().await;
            }
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            let url = format!("{base}/{db}");
            out.push(TestDb {
                name: "postgres",
                store: Store::open(&url).await.expect("open postgres"),
                _dir: None,
            });
        }
        _ => {
            if std::env::var("REGIE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("REGIE_REQUIRE_POSTGRES=1 but REGIE_TEST_POSTGRES_URL is not set");
            }
        }
    }
    out
}

pub fn amersfoort() -> (regie_regions::RegionFile, String) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../regions/amersfoort.toml");
    let text = std::fs::read_to_string(path).unwrap();
    (regie_regions::parse_region(&text, path).unwrap(), text)
}
