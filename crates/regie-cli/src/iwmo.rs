//! `regie iwmo …`: validate message files, ingest an inbox into the store,
//! export WMO301s, report the deadlines of the standard, and benchmark.

use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use regie_iwmo::bericht::{Bericht, MessageType};
use regie_iwmo::sample::{self, Partijen};
use regie_iwmo::validate::{self, InMemoryContext, Options, ValidationReport};
use regie_store::iwmo::{DeadlineStatus, ExportTarget, IngestOptions, Received};
use regie_store::{Backend, Store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// iWmo 3.2 message exchange.
#[derive(Subcommand, Debug)]
pub enum IwmoCommand {
    /// Validate message files on their own (structure, conditions, in-message rules); exit 1 on any error.
    Validate {
        /// Message files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON report per file (an array).
        #[arg(long)]
        json: bool,
        /// Execution variant of the contract: inspanningsgericht, outputgericht or taakgericht.
        #[arg(long, default_value = "inspanningsgericht")]
        variant: String,
        /// Threads validating files at once (reports still come in file order).
        #[arg(long, default_value_t = std::thread::available_parallelism().map_or(2, |n| n.get()))]
        threads: usize,
    },
    /// Receive every *.xml in DIR (name order) against the chain in the store; write the answers.
    Ingest {
        /// Inbox directory.
        dir: PathBuf,
        /// Where retours and answers go (default DIR/out).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Send WMO301s for the toewijzingen of an aanbieder (AGB) or gemeente (code) running since DATE.
    Export {
        /// AGB code (8 digits) or gemeentecode (4 digits).
        #[arg(long)]
        to: String,
        /// Toewijzingen running on or after this date.
        #[arg(long)]
        since: NaiveDate,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Deadlines of the standard (OP090, OP090x4, OP271, OP272, OP274, OP346) and their state.
    Deadlines {
        /// Report date (default today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// List at most this many late/overdue items.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Received verzoeken (WMO315/317): status, client, deadline, why in onderzoek.
    Verzoeken(crate::verzoek::VerzoekenArgs),
    /// Decide a verzoek in onderzoek by hand.
    Verzoek {
        #[command(subcommand)]
        command: crate::verzoek::VerzoekCommand,
    },
    /// Throughput: validate-only (1 and N threads) and validate+ingest into a store, next to xmllint.
    Bench {
        /// Messages to generate.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// Threads for parallel validation.
        #[arg(long, default_value_t = std::thread::available_parallelism().map_or(2, |n| n.get()))]
        threads: usize,
        /// iWmo reference directory with xsd/ (default $REGIE_IWMO_REFERENCE or ../shared/reference/iwmo).
        #[arg(long)]
        reference: Option<PathBuf>,
        /// Rounds of the validation runs (regie and xmllint take turns in
        /// each round; the table shows the best and the median round).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Messages ingested (a prefix of the batch; 0 = all).
        #[arg(long, default_value_t = 0)]
        ingest: usize,
        /// Ingest into this database instead of a fresh SQLite file, e.g. an
        /// empty PostgreSQL database (`postgres://…`); it must hold no iWmo messages yet.
        #[arg(long)]
        ingest_db: Option<String>,
    },
}

/// Runs one `regie iwmo` command.
pub async fn run(db: &str, quiet: bool, cmd: IwmoCommand) -> Result<()> {
    match cmd {
        IwmoCommand::Validate {
            files,
            json,
            variant,
            threads,
        } => validate_files(&files, json, &variant, threads.max(1)),
        IwmoCommand::Ingest { dir, out } => ingest(db, quiet, &dir, out).await,
        IwmoCommand::Export { to, since, out } => export(db, &to, since, &out).await,
        IwmoCommand::Deadlines { on, limit } => deadlines(db, on, limit).await,
        IwmoCommand::Verzoeken(args) => crate::verzoek::verzoeken(db, args).await,
        IwmoCommand::Verzoek { command } => crate::verzoek::run(db, command).await,
        IwmoCommand::Bench {
            count,
            threads,
            reference,
            rounds,
            ingest,
            ingest_db,
        } => {
            let validation = BenchRuns {
                threads: threads.max(1),
                rounds: rounds.max(1),
            };
            bench(count, validation, reference, ingest, ingest_db).await
        }
    }
}

fn now() -> IngestOptions {
    IngestOptions {
        now: Utc::now().naive_utc(),
    }
}

/// One validated file: its report as text or JSON.
type Checked = (bool, Result<String, serde_json::Value>);

fn validate_files(files: &[PathBuf], json: bool, variant: &str, threads: usize) -> Result<()> {
    use validate::Uitvoeringsvariant as V;
    let variant = match variant {
        "inspanningsgericht" => V::Inspanningsgericht,
        "outputgericht" => V::Outputgericht,
        "taakgericht" => V::Taakgericht,
        v => bail!("unknown variant {v:?} (inspanningsgericht, outputgericht, taakgericht)"),
    };
    let ctx = InMemoryContext::new();
    let opts = Options {
        alleen_bericht: true,
        variant,
    };
    // Reports are printed in file order as blocks complete (a reorder
    // buffer), so output streams and does not depend on the thread count.
    let mut bad = 0;
    let mut out = Vec::new();
    let mut pending = BTreeMap::new();
    let mut want = 0;
    let check = |buf: &mut FileBuf, block: &[PathBuf]| -> Result<Vec<Checked>> {
        block
            .iter()
            .map(|f| {
                let data = buf
                    .read(f)
                    .with_context(|| format!("reading {}", f.display()))?;
                let report = validate::validate_with(data, &ctx, &opts);
                let shown = if json {
                    let mut j = report.to_json();
                    j["file"] = serde_json::Value::String(f.display().to_string());
                    Err(j)
                } else {
                    Ok(format!(
                        "{}: {}",
                        f.display(),
                        report.to_string().trim_end()
                    ))
                };
                Ok((report.is_ok(), shown))
            })
            .collect()
    };
    in_file_blocks(files, threads, check, |k, block| {
        pending.insert(k, block?);
        while let Some(block) = pending.remove(&want) {
            for (ok, shown) in block {
                bad += usize::from(!ok);
                match shown {
                    Ok(line) => println!("{line}"),
                    Err(j) => out.push(j),
                }
            }
            want += 1;
        }
        Ok(())
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{} file(s), {} ok, {} with errors (message rules only; `regie iwmo ingest` adds the chain rules)",
            files.len(),
            files.len() - bad,
            bad
        );
    }
    if bad > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// A reusable buffer for reading whole files with the fewest system calls.
///
/// `std::fs::read` asks the size first (statx) and reads into a fresh
/// vector; reading 100,000 message files that way cost 7.8–8.6 µs per file
/// on the benchmark machine, this way (open, read, read 0 bytes, close)
/// 5.6–7.1 µs. The vector stays at full length, so reusing it zeroes nothing.
struct FileBuf {
    data: Vec<u8>,
    len: usize,
}

impl FileBuf {
    fn new() -> Self {
        FileBuf {
            data: vec![0; 64 * 1024],
            len: 0,
        }
    }

    /// Reads all of `path` and returns its bytes (valid until the next read).
    fn read(&mut self, path: &Path) -> std::io::Result<&[u8]> {
        use std::io::Read;
        let mut f = std::fs::File::open(path)?;
        self.len = 0;
        loop {
            if self.len == self.data.len() {
                self.data.resize(self.data.len() * 2, 0);
            }
            match f.read(&mut self.data[self.len..]) {
                Ok(0) => return Ok(&self.data[..self.len]),
                Ok(n) => self.len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// A message file read and parsed ahead.
type Ahead = Result<(PathBuf, Received<'static>)>;

/// Messages read ahead, in order (see [`read_ahead`]).
struct Inbox {
    rx: mpsc::Receiver<Vec<Ahead>>,
    batch: std::vec::IntoIter<Ahead>,
}

impl Inbox {
    async fn next(&mut self) -> Option<Ahead> {
        loop {
            if let Some(next) = self.batch.next() {
                return Some(next);
            }
            self.batch = self.rx.recv().await?.into_iter();
        }
    }
}

/// Reads and parses `files` in order on a thread of its own (the part of
/// ingesting that needs no database), so parsing the next messages overlaps
/// with writing this one. Handed over 32 at a time (two batches ahead): one
/// thread wake-up per batch, not per message.
fn read_ahead(files: Vec<PathBuf>) -> Inbox {
    const BATCH: usize = 32;
    let (tx, rx) = mpsc::channel(2);
    std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        for f in files {
            let next = std::fs::read(&f)
                .with_context(|| format!("reading {}", f.display()))
                .map(|data| (f, Received::new(data)));
            batch.push(next);
            if batch.len() == BATCH
                && tx
                    .blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .is_err()
            {
                return; // the writer stopped
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
    });
    Inbox {
        rx,
        batch: Vec::new().into_iter(),
    }
}

fn xml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    v.sort();
    Ok(v)
}

async fn ingest(db: &str, quiet: bool, dir: &Path, out: Option<PathBuf>) -> Result<()> {
    let store = Store::open(db).await?;
    let files = xml_files(dir)?;
    let out = out.unwrap_or_else(|| dir.join("out"));
    std::fs::create_dir_all(&out)?;
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(files.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}").expect("template"),
    );
    let opts = now();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let (mut retours, mut answers, mut replayed) = (0, 0, 0);
    let start = Instant::now();
    let mut session = store.iwmo_session().await?;
    let mut inbox = read_ahead(files.clone());
    while let Some(next) = inbox.next().await {
        let (f, m) = next?;
        let o = session
            .ingest_received(m, &opts)
            .await
            .with_context(|| format!("ingesting {}", f.display()))?;
        let stem = f.file_stem().unwrap_or_default().to_string_lossy();
        if let Some(r) = &o.retour {
            std::fs::write(out.join(format!("{stem}.retour.xml")), r)?;
            retours += 1;
        }
        for (k, a) in o.answers.iter().enumerate() {
            std::fs::write(out.join(format!("{stem}.answer{}.xml", k + 1)), a)?;
            answers += 1;
        }
        replayed += usize::from(o.replayed);
        *by_status.entry(o.status).or_default() += 1;
        bar.inc(1);
    }
    drop(session);
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} message(s) in {:.1}s ({:.0}/s); {} already processed (same answer)",
        files.len(),
        secs,
        files.len() as f64 / secs.max(1e-9),
        replayed
    );
    for (s, n) in &by_status {
        println!("  {s:<9} {n}");
    }
    println!(
        "{retours} retour(s) and {answers} answer(s) written to {}",
        out.display()
    );
    if by_status.keys().any(|s| s == "rejected" || s == "partial") {
        std::process::exit(1);
    }
    Ok(())
}

async fn export(db: &str, to: &str, since: NaiveDate, out: &Path) -> Result<()> {
    let target = match to.len() {
        8 if to.bytes().all(|b| b.is_ascii_digit()) => ExportTarget::Aanbieder(to.to_string()),
        4 if to.bytes().all(|b| b.is_ascii_digit()) => ExportTarget::Gemeente(to.to_string()),
        _ => bail!("--to must be an AGB code (8 digits) or a gemeentecode (4 digits), got {to:?}"),
    };
    let store = Store::open(db).await?;
    std::fs::create_dir_all(out)?;
    let o = store.export_toewijzingen(&target, since, &now()).await?;
    for m in &o.messages {
        std::fs::write(out.join(&m.file_name), &m.xml)?;
    }
    println!(
        "{} WMO301 written to {}; {} client(s) unchanged since their last WMO301; {} skipped; {} invalid",
        o.messages.len(),
        out.display(),
        o.unchanged,
        o.skipped.len(),
        o.invalid.len()
    );
    // A skipped client is a data gap for the toegang to fill, not a failed
    // run: listed, exit status unchanged.
    for s in &o.skipped {
        println!(
            "  skipped {}/{}/{}: {}",
            s.gemeente, s.aanbieder, s.bsn, s.reason
        );
    }
    for (who, report) in &o.invalid {
        println!("  {who}: {}", report.trim_end());
    }
    if !o.invalid.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}

async fn deadlines(db: &str, on: Option<NaiveDate>, limit: usize) -> Result<()> {
    let store = Store::open(db).await?;
    let today = on.unwrap_or_else(|| Utc::now().date_naive());
    let all = store.iwmo_deadlines(today).await?;
    let mut table: BTreeMap<(String, DeadlineStatus), usize> = BTreeMap::new();
    for d in &all {
        *table.entry((d.rule.clone(), d.status)).or_default() += 1;
    }
    println!("deadlines on {today}: {} tracked", all.len());
    println!(
        "{:<8} {:>8} {:>8} {:>8} {:>8}",
        "rule", "met", "late", "open", "overdue"
    );
    let rules: std::collections::BTreeSet<&String> = table.keys().map(|k| &k.0).collect();
    for r in rules {
        let n = |s| table.get(&(r.clone(), s)).copied().unwrap_or(0);
        println!(
            "{:<8} {:>8} {:>8} {:>8} {:>8}",
            r,
            n(DeadlineStatus::Met),
            n(DeadlineStatus::Late),
            n(DeadlineStatus::Open),
            n(DeadlineStatus::Overdue)
        );
    }
    for (shown, d) in all
        .iter()
        .filter(|d| matches!(d.status, DeadlineStatus::Overdue | DeadlineStatus::Late))
        .enumerate()
    {
        if shown == limit {
            println!("  …");
            break;
        }
        println!(
            "  {:<7} {:<7} due {} {} by {} ({} {}→{})",
            d.status.as_str(),
            d.rule,
            d.due,
            d.fulfilled
                .map_or("not done".to_string(), |f| format!("done {f}")),
            d.party,
            d.subject,
            d.gemeente,
            d.aanbieder,
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- bench

/// The iwmo-bench mix (see `sample::bench_message`).
fn generate(count: usize) -> Vec<Bericht> {
    let p = Partijen::default();
    (0..count).map(|i| sample::bench_message(&p, i)).collect()
}

/// Validates files on `threads` threads (see [`in_file_blocks`]); returns the number with issues of the XSD layer.
fn validate_parallel(files: &[PathBuf], ctx: &InMemoryContext, threads: usize) -> usize {
    let mut bad = 0;
    let check = |buf: &mut FileBuf, block: &[PathBuf]| {
        let mut bad = 0;
        for f in block {
            let data = buf.read(f).expect("read");
            let r: ValidationReport =
                validate::validate(data, ctx, validate::Uitvoeringsvariant::Inspanningsgericht);
            bad += usize::from(r.issues.iter().any(|i| i.rule.code == "XSD"));
        }
        bad
    };
    in_file_blocks(files, threads, check, |_, n| {
        bad += n;
        Ok(())
    })
    .expect("counting cannot fail");
    bad
}

/// Runs `work` on blocks of files on `threads` threads, each with its own
/// [`FileBuf`], and hands every block's result with the block's index to
/// `take` on the calling thread as blocks complete. Threads take the next
/// block from a shared counter: files of one message type lie together and a
/// WMO323 costs ten times a WMO305, so fixed shares would leave a thread idle.
/// An error from `take` stops the run (the threads stop at their next block).
fn in_file_blocks<R: Send>(
    files: &[PathBuf],
    threads: usize,
    work: impl Fn(&mut FileBuf, &[PathBuf]) -> R + Sync,
    mut take: impl FnMut(usize, R) -> Result<()>,
) -> Result<()> {
    const BLOCK: usize = 32;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, next, work) = (tx.clone(), &next, &work);
            scope.spawn(move || {
                let mut buf = FileBuf::new();
                loop {
                    let from = next.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
                    if from >= files.len() {
                        return;
                    }
                    let r = work(&mut buf, &files[from..(from + BLOCK).min(files.len())]);
                    if tx.send((from / BLOCK, r)).is_err() {
                        return; // the receiver stopped
                    }
                }
            });
        }
        drop(tx);
        for (k, r) in rx {
            take(k, r)?;
        }
        Ok(())
    })
}

/// How the validation part of the bench runs.
#[derive(Debug, Clone, Copy)]
struct BenchRuns {
    /// Threads for the parallel rows (and xmllint processes for its parallel row).
    threads: usize,
    /// Rounds; every row runs once per round.
    rounds: usize,
}

/// One row of the validation table: its time in every round.
struct Row {
    what: String,
    times: Vec<Duration>,
}

impl Row {
    fn best(&self) -> Duration {
        self.times.iter().copied().min().unwrap_or_default()
    }
    fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t.get(t.len() / 2).copied().unwrap_or_default()
    }
}

/// Runs xmllint on `per_type` (one schema per invocation, 1000 files each)
/// in `procs` processes at once; returns whether every file passed.
fn xmllint_all(
    per_type: &BTreeMap<MessageType, Vec<PathBuf>>,
    reference: &Path,
    procs: usize,
) -> Result<bool> {
    let mut jobs = Vec::new();
    for (t, list) in per_type {
        let schema = reference.join("xsd").join(t.xsd_file());
        anyhow::ensure!(schema.exists(), "no schema {}", schema.display());
        for chunk in list.chunks(1000) {
            jobs.push((schema.clone(), chunk));
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..procs)
            .map(|_| {
                s.spawn(|| -> Result<bool> {
                    let mut ok = true;
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((schema, chunk)) = jobs.get(i) else {
                            return Ok(ok);
                        };
                        ok &= Command::new("xmllint")
                            .arg("--noout")
                            .arg("--schema")
                            .arg(schema)
                            .args(*chunk)
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .status()?
                            .success();
                    }
                })
            })
            .collect();
        let mut ok = true;
        for h in handles {
            ok &= h.join().expect("xmllint thread")?;
        }
        Ok(ok)
    })
}

/// The validation rows of the bench. Every round runs each row once, regie
/// and xmllint in turn, so a slow spell of a shared machine hits both sides
/// instead of one; the table reports the best and the median round.
fn validation_rounds(
    files: &[PathBuf],
    per_type: &BTreeMap<MessageType, Vec<PathBuf>>,
    ctx: &InMemoryContext,
    bytes: u64,
    reference: &Path,
    runs: BenchRuns,
) -> Result<Vec<Row>> {
    let have_xmllint = Command::new("xmllint")
        .arg("--version")
        .stderr(Stdio::null())
        .status()
        .is_ok();
    // Kept in memory for the in-memory row (read once, outside the timing).
    let in_memory: Vec<Vec<u8>> = files
        .iter()
        .map(std::fs::read)
        .collect::<std::io::Result<_>>()?;
    let mut thread_counts = vec![1];
    if runs.threads > 1 {
        thread_counts.push(runs.threads);
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut record = |what: String, d: Duration| match rows.iter_mut().find(|r| r.what == what) {
        Some(r) => r.times.push(d),
        None => rows.push(Row {
            what,
            times: vec![d],
        }),
    };
    for round in 0..runs.rounds {
        for &t in &thread_counts {
            let start = Instant::now();
            let bad = validate_parallel(files, ctx, t);
            anyhow::ensure!(bad == 0, "generated messages must be schema-valid");
            record(
                format!("regie validate, {t} thread(s), from files"),
                start.elapsed(),
            );
        }
        // Where the time of one thread goes: reading the files alone, and
        // validating the same bytes already in memory.
        let start = Instant::now();
        let mut buf = FileBuf::new();
        let mut read_bytes = 0;
        for f in files {
            read_bytes += buf.read(f)?.len();
        }
        anyhow::ensure!(read_bytes as u64 == bytes, "files changed under the bench");
        record(
            "  part: reading the files only, 1 thread".into(),
            start.elapsed(),
        );
        let start = Instant::now();
        for data in &in_memory {
            let r = validate::validate(data, ctx, validate::Uitvoeringsvariant::Inspanningsgericht);
            anyhow::ensure!(
                !r.issues.iter().any(|i| i.rule.code == "XSD"),
                "generated messages must be schema-valid"
            );
        }
        record(
            "  part: validating in memory only, 1 thread".into(),
            start.elapsed(),
        );
        if have_xmllint {
            for &p in &thread_counts {
                let start = Instant::now();
                anyhow::ensure!(
                    xmllint_all(per_type, reference, p)?,
                    "xmllint rejected generated messages"
                );
                let what = if p == 1 {
                    "xmllint --noout --schema, 1 process".to_string()
                } else {
                    format!("xmllint --noout --schema, {p} processes")
                };
                record(what, start.elapsed());
            }
        }
        println!(
            "validation round {}/{} done (load average {})",
            round + 1,
            runs.rounds,
            load_average()
        );
    }
    Ok(rows)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

async fn bench(
    count: usize,
    runs: BenchRuns,
    reference: Option<PathBuf>,
    ingest_n: usize,
    ingest_db: Option<String>,
) -> Result<()> {
    let reference = reference
        .or_else(|| {
            std::env::var("REGIE_IWMO_REFERENCE")
                .ok()
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/reference/iwmo"
            ))
        });
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("regie-iwmo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "load average before: {} (cores: {})",
        load_average(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let t0 = Instant::now();
    let msgs = generate(count);
    let mut ctx = InMemoryContext::new();
    let mut files: Vec<PathBuf> = Vec::with_capacity(count);
    let mut per_type: BTreeMap<MessageType, Vec<PathBuf>> = BTreeMap::new();
    let mut bytes = 0u64;
    for (i, b) in msgs.iter().enumerate() {
        if let Bericht::Wmo301(_) = b {
            ctx.record(b);
        }
        let sub = dir.join(format!("{:04}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&sub)?;
        }
        let path = sub.join(format!("{i:07}.xml"));
        let xml = b.to_xml();
        bytes += xml.len() as u64;
        std::fs::write(&path, xml)?;
        per_type
            .entry(b.message_type())
            .or_default()
            .push(path.clone());
        files.push(path);
    }
    drop(msgs);
    let mb = bytes as f64 / 1e6;
    println!(
        "generated {count} messages ({mb:.1} MB) in {:.1}s into {}",
        t0.elapsed().as_secs_f64(),
        dir.display()
    );

    let rows = validation_rounds(&files, &per_type, &ctx, bytes, &reference, runs)?;
    let lint = rows
        .iter()
        .find(|r| r.what.starts_with("xmllint") && r.what.ends_with(" 1 process"))
        .map(Row::best);
    let lint_median = rows
        .iter()
        .find(|r| r.what.starts_with("xmllint") && r.what.ends_with(" 1 process"))
        .map(Row::median);

    // Validate + ingest (one transaction per message), the way `regie iwmo
    // ingest` does it: files read and parsed one thread ahead of the writer.
    let n_ingest = if ingest_n == 0 {
        count
    } else {
        ingest_n.min(count)
    };
    let url =
        ingest_db.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.sqlite").display()));
    let store = Store::open(&url).await?;
    anyhow::ensure!(
        store.iwmo_counts().await?.received == 0,
        "the ingest database already holds iWmo messages: the bench needs an empty one"
    );
    let backend = match store.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let opts = IngestOptions {
        now: NaiveDate::from_ymd_opt(2024, 1, 10)
            .expect("date")
            .and_hms_opt(10, 0, 0)
            .expect("time"),
    };
    println!("validate + ingest {n_ingest} messages into {backend}:");
    let start = Instant::now();
    let mut ingest_bytes = 0u64;
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut session = store.iwmo_session().await?;
    let mut inbox = read_ahead(files[..n_ingest].to_vec());
    // Progress every tenth, with the rate of that tenth (a rate that falls
    // as the store grows shows up here, not only in the average).
    let step = n_ingest.div_ceil(10).max(1);
    let (mut done, mut lap) = (0usize, start);
    while let Some(next) = inbox.next().await {
        let (_, m) = next?;
        ingest_bytes += m.len() as u64;
        let o = session.ingest_received(m, &opts).await?;
        *statuses.entry(o.status).or_default() += 1;
        done += 1;
        if done % step == 0 || done == n_ingest {
            let n = (done - 1) % step + 1;
            println!(
                "  {done:>9} ingested, {:>7.0} msg/s over the last {n}",
                n as f64 / lap.elapsed().as_secs_f64()
            );
            lap = Instant::now();
        }
    }
    let ingest_time = start.elapsed();
    drop(session);
    store.close().await;

    println!();
    println!(
        "validation, {} round(s): best round (median round in brackets); \
         ratios: best against xmllint's best (median against its median), 1 process",
        runs.rounds
    );
    println!(
        "{:<46} {:>9} {:>20} {:>15} {:>16}",
        "what", "messages", "msg/s", "MB/s", "vs xmllint"
    );
    for row in &rows {
        let (best, median) = (row.best(), row.median());
        let vs = lint.map_or("n/a".into(), |l| {
            format!(
                "{:.1}x ({:.1}x)",
                l.as_secs_f64() / best.as_secs_f64(),
                lint_median.map_or(0.0, |m| m.as_secs_f64()) / median.as_secs_f64()
            )
        });
        println!(
            "{:<46} {:>9} {:>20} {:>15} {:>16}",
            row.what,
            count,
            format!(
                "{:.0} ({:.0})",
                count as f64 / best.as_secs_f64(),
                count as f64 / median.as_secs_f64()
            ),
            format!(
                "{:.1} ({:.1})",
                mb / best.as_secs_f64(),
                mb / median.as_secs_f64()
            ),
            vs
        );
    }
    let per_msg = ingest_time.as_secs_f64() / n_ingest as f64;
    let vs = lint.map_or("n/a".into(), |l| {
        format!("{:.2}x", (l.as_secs_f64() / count as f64) / per_msg)
    });
    let (rate, mbs) = (
        n_ingest as f64 / ingest_time.as_secs_f64(),
        ingest_bytes as f64 / 1e6 / ingest_time.as_secs_f64(),
    );
    println!(
        "{:<46} {:>9} {:>11.0} {:>8.1} {:>9}",
        format!("regie validate + ingest into {backend}, 1 writer"),
        n_ingest,
        rate,
        mbs,
        vs
    );
    println!();
    println!(
        "validate + ingest into {backend}: {n_ingest} messages, {:.1} MB in {:.1}s = {rate:.0} msg/s, {mbs:.2} MB/s \
         (one transaction per message, retours and answers written)",
        ingest_bytes as f64 / 1e6,
        ingest_time.as_secs_f64()
    );
    println!("ingest outcome: {statuses:?}");
    println!("load average after: {}", load_average());
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
