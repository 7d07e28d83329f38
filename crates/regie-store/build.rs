//! Embeds every `migrations/NNNN_name.sql` file, in version order, so adding a
//! migration is adding a file (no list to edit, no sqlx proc-macros to compile).

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let dir =
        std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("migrations");
    let mut files: Vec<(i64, String, String)> = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("migrations dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let (num, name) = stem
            .split_once('_')
            .unwrap_or_else(|| panic!("migration {stem} must be NNNN_name.sql"));
        let version: i64 = num
            .parse()
            .unwrap_or_else(|_| panic!("migration {stem}: version must be numeric"));
        files.push((version, name.replace('_', " "), path.display().to_string()));
    }
    files.sort();
    for w in files.windows(2) {
        assert_ne!(w[0].0, w[1].0, "two migrations with version {}", w[0].0);
    }
    let mut out = String::from("&[\n");
    for (v, name, path) in files {
        writeln!(out, "    ({v}, {name:?}, include_str!({path:?})),").unwrap();
    }
    out.push(']');
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("migrations.rs");
    std::fs::write(dest, out).unwrap();
}
