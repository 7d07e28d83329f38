//! Shared harness for the CLI end-to-end tests: the built `regie` binary on
//! a temporary SQLite file.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (commands run there so `regions/...` paths resolve).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A temporary directory removed on drop.
pub struct Tmp(pub PathBuf);
impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh temporary directory for one test.
pub fn tmp(name: &str) -> Tmp {
    let d = std::env::temp_dir().join(format!("regie_cli_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Tmp(d)
}

/// Runs `regie --db sqlite://DB --quiet ARGS` from the repository root.
pub fn regie(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regie"))
        .arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .arg("--quiet")
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run regie")
}

/// Stdout of a successful run; panics with both streams otherwise.
#[track_caller]
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}
