//! Benchmark: generates a realistic batch of iWmo messages to a temp dir,
//! then times validation with this crate against `xmllint --noout --schema`
//! on the same files, per message type.
//!
//! Usage: `cargo run --release -p regie-iwmo --bin iwmo-bench -- [COUNT] [REFERENCE_DIR]`
//! (COUNT defaults to 100000; REFERENCE_DIR to `$REGIE_IWMO_REFERENCE` or
//! `../shared/reference/iwmo` beside the repository).

use regie_iwmo::bericht::{Bericht, MessageType};
use regie_iwmo::sample::{self, Partijen};
use regie_iwmo::validate::{self, InMemoryContext, Uitvoeringsvariant};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Files handed to one xmllint invocation (the schema is compiled once per call).
const XMLLINT_BATCH: usize = 1000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let reference = args
        .get(2)
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var("REGIE_IWMO_REFERENCE")
                .ok()
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/iwmo")
        });
    let reference = reference.canonicalize().unwrap_or(reference);
    // tmpfs when available: the benchmark measures parsing/validation, not ext4 directory lookups.
    let base = std::env::var("IWMO_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let shm = Path::new("/dev/shm");
            if shm.is_dir() {
                shm.to_path_buf()
            } else {
                std::env::temp_dir()
            }
        });
    let dir = base.join(format!("iwmo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    // ---- Generate: mix of 40% 301, 25% 305, 15% 307, 10% 323 (1-20 clients), 10% 315/317/319 ----
    let t0 = Instant::now();
    let p = Partijen::default();
    let mut ctx = InMemoryContext::new();
    let mut files: BTreeMap<MessageType, Vec<PathBuf>> = BTreeMap::new();
    let mut bytes: BTreeMap<MessageType, u64> = BTreeMap::new();
    for i in 0..count {
        let b = sample::bench_message(&p, i);
        if let Bericht::Wmo301(_) = &b {
            // Cross-message rules then find the toewijzingen the other messages refer to.
            ctx.record(&b);
        }
        let t = b.message_type();
        let xml = b.to_xml();
        // At most 1000 files per directory, like a real inbox split per day/batch.
        let sub = dir.join(format!(
            "{}-{}",
            t.name(),
            files.get(&t).map_or(0, Vec::len) / 1000
        ));
        if files.get(&t).map_or(0, Vec::len) % 1000 == 0 {
            std::fs::create_dir_all(&sub).expect("sub dir");
        }
        let path = sub.join(format!("{i}.xml"));
        std::fs::write(&path, &xml).expect("write");
        *bytes.entry(t).or_default() += xml.len() as u64;
        files.entry(t).or_default().push(path);
    }
    println!(
        "generated {count} messages in {:.1}s into {}",
        t0.elapsed().as_secs_f64(),
        dir.display()
    );

    // ---- regie-iwmo: read each file + full validation (XSD layer, CD/CS/TR, cross-message rules) ----
    let mut ours: BTreeMap<MessageType, (Duration, usize)> = BTreeMap::new();
    let mut in_memory: BTreeMap<MessageType, Duration> = BTreeMap::new();
    for (t, list) in &files {
        let start = Instant::now();
        let mut bad = 0;
        for f in list {
            let data = std::fs::read(f).expect("read");
            let report = validate::validate(&data, &ctx, Uitvoeringsvariant::Inspanningsgericht);
            if report.issues.iter().any(|i| i.rule.code == "XSD") {
                bad += 1;
            }
        }
        ours.insert(*t, (start.elapsed(), bad));
        // Validation alone, input already in memory (what `regie iwmo ingest` pays per message).
        let data: Vec<Vec<u8>> = list
            .iter()
            .map(|f| std::fs::read(f).expect("read"))
            .collect();
        let start = Instant::now();
        for d in &data {
            std::hint::black_box(validate::validate(
                d,
                &ctx,
                Uitvoeringsvariant::Inspanningsgericht,
            ));
        }
        in_memory.insert(*t, start.elapsed());
    }

    // ---- xmllint --noout --schema, batches of files per invocation ----
    let mut lint: BTreeMap<MessageType, Option<(Duration, bool)>> = BTreeMap::new();
    let have_xmllint = Command::new("xmllint")
        .arg("--version")
        .stderr(Stdio::null())
        .status()
        .is_ok();
    for (t, list) in &files {
        let schema = reference.join("xsd").join(t.xsd_file());
        if !have_xmllint || !schema.exists() {
            lint.insert(*t, None);
            continue;
        }
        let start = Instant::now();
        let mut ok = true;
        for chunk in list.chunks(XMLLINT_BATCH) {
            let status = Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(&schema)
                .args(chunk)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("xmllint runs");
            ok &= status.success();
        }
        lint.insert(*t, Some((start.elapsed(), ok)));
    }

    // ---- Report ----
    println!();
    println!("regie       = read file + parse + validate all layers (XSD, CD/CS, TR, cross-message, variant), 1 thread");
    println!("(mem)       = the same validation on bytes already in memory");
    println!("xmllint     = xmllint --noout --schema WMO3nn.xsd, {XMLLINT_BATCH} files per invocation, 1 process");
    println!("speedup     = regie (from files) vs xmllint (from files)");
    println!(
        "{:<8} {:>8} {:>7} | {:>11} {:>7} | {:>11} | {:>13} {:>7} | {:>7}",
        "type",
        "files",
        "MB",
        "regie msg/s",
        "MB/s",
        "(mem) msg/s",
        "xmllint msg/s",
        "MB/s",
        "speedup"
    );
    let (mut tf, mut tb, mut to, mut tl, mut tm) =
        (0usize, 0u64, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for (t, list) in &files {
        let n = list.len();
        let mb = bytes[t] as f64 / 1e6;
        let (d, bad) = ours[t];
        assert_eq!(bad, 0, "{t}: generated messages must be schema-valid");
        let ours_rate = n as f64 / d.as_secs_f64();
        let (lint_rate, lint_mb, speed) = match lint[t] {
            Some((ld, ok)) => {
                assert!(ok, "{t}: xmllint rejected generated messages");
                tl += ld;
                to += d;
                (
                    format!("{:.0}", n as f64 / ld.as_secs_f64()),
                    format!("{:.1}", mb / ld.as_secs_f64()),
                    format!("{:.1}x", ld.as_secs_f64() / d.as_secs_f64()),
                )
            }
            None => ("n/a".into(), "n/a".into(), "n/a".into()),
        };
        tf += n;
        tb += bytes[t];
        let mem_rate = n as f64 / in_memory[t].as_secs_f64();
        tm += in_memory[t];
        println!(
            "{:<8} {:>8} {:>7.1} | {:>11.0} {:>7.1} | {:>11.0} | {:>13} {:>7} | {:>7}",
            t.name(),
            n,
            mb,
            ours_rate,
            mb / d.as_secs_f64(),
            mem_rate,
            lint_rate,
            lint_mb,
            speed
        );
    }
    if tl > Duration::ZERO {
        let mb = tb as f64 / 1e6;
        println!(
            "{:<8} {:>8} {:>7.1} | {:>11.0} {:>7.1} | {:>11.0} | {:>13.0} {:>7.1} | {:>6.1}x",
            "total",
            tf,
            mb,
            tf as f64 / to.as_secs_f64(),
            mb / to.as_secs_f64(),
            tf as f64 / tm.as_secs_f64(),
            tf as f64 / tl.as_secs_f64(),
            mb / tl.as_secs_f64(),
            tl.as_secs_f64() / to.as_secs_f64()
        );
    } else {
        println!("xmllint not available or reference XSDs not found: no comparison");
    }
    std::fs::remove_dir_all(&dir).ok();
}
