//! Command implementations: thin wrappers over the store, region and sim crates.

use crate::render;
use crate::{SimulateArgs, StatsArgs};
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use regie_domain::{AgbCode, Period, YearMonth};
use regie_regions::RegionFile;
use regie_sim::{Generator, SimConfig};
use regie_store::{RegionInput, SimBatch, Store, ToewijzingRow};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Settings shared by all commands.
pub struct Ctx {
    /// Database URL.
    pub db: String,
    /// No progress bars.
    pub quiet: bool,
}

impl Ctx {
    async fn store(&self) -> Result<Store> {
        Store::open(&self.db)
            .await
            .with_context(|| format!("opening database {}", self.db))
    }

    fn progress(&self, len: u64, what: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new(len);
        pb.set_style(
            ProgressStyle::with_template(
                "{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta})",
            )
            .expect("template"),
        );
        pb.set_message(what.to_string());
        pb
    }
}

/// Peak resident memory of this process (VmHWM), in MiB, where the OS tells.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn init(ctx: &Ctx) -> Result<()> {
    let store = ctx.store().await?;
    println!(
        "database ready: {} (schema version {})",
        ctx.db,
        store.schema_version().await?
    );
    store.close().await;
    Ok(())
}

fn read_region(file: &Path) -> Result<(RegionFile, String)> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let rf = regie_regions::parse_region(&text, &file.display().to_string())?;
    Ok((rf, text))
}

async fn store_region(store: &Store, rf: &RegionFile, text: &str, file: &Path) -> Result<()> {
    store
        .save_region(
            RegionInput {
                region: &rf.region,
                source_file: &file.display().to_string(),
                document: text,
                providers: &rf.providers,
                lots: &rf.lots,
                contracts: &rf.contracts,
            },
            "regie-cli",
        )
        .await?;
    Ok(())
}

pub async fn region_load(ctx: &Ctx, file: &Path) -> Result<()> {
    let (rf, text) = read_region(file)?;
    let store = ctx.store().await?;
    store_region(&store, &rf, &text, file).await?;
    println!("{}", render::region_summary(&rf));
    store.close().await;
    Ok(())
}

pub fn region_check(file: &Path) -> Result<()> {
    let (rf, _) = read_region(file)?;
    println!("{}", render::region_summary(&rf));
    let assumptions = rf.assumptions();
    if !assumptions.is_empty() {
        println!("\nAssumptions (figures the seeds do not give):");
        for (path, text) in assumptions {
            println!("  {path}: {text}");
        }
    }
    Ok(())
}

pub async fn region_list(ctx: &Ctx) -> Result<()> {
    let store = ctx.store().await?;
    for id in store.region_ids().await? {
        let r = store.region(&id).await?;
        println!(
            "{id}\t{}\t{} municipalities\t{} clients",
            r.name,
            r.municipalities.len(),
            store.client_count(&id).await?
        );
    }
    store.close().await;
    Ok(())
}

pub async fn simulate(ctx: &Ctx, args: SimulateArgs) -> Result<()> {
    let (rf, text) = read_region(&args.region)?;
    let store = ctx.store().await?;
    store_region(&store, &rf, &text, &args.region).await?;
    let region_id = rf.region.id().to_string();
    let existing = store.client_count(&region_id).await?;
    if existing > 0 {
        if !args.replace {
            bail!("region {region_id} already has {existing} clients; pass --replace to simulate afresh");
        }
        store.delete_region_clients(&region_id).await?;
    }
    let start = match args.start {
        Some(s) => s,
        None => {
            YearMonth::new(rf.population.as_ref().map_or(2024, |p| p.year), 1).expect("january")
        }
    };
    let mut contracts: BTreeMap<String, Vec<AgbCode>> = BTreeMap::new();
    for c in &rf.contracts {
        contracts
            .entry(c.lot_id.clone())
            .or_default()
            .push(c.party.addressee());
    }
    let cfg = SimConfig {
        clients: args.clients,
        start,
        months: args.months,
        seed: args.seed,
    };
    let gen = Generator::new(
        &rf.region,
        &rf.lots,
        &contracts,
        rf.population.as_ref(),
        cfg,
    )?;
    let horizon = gen.horizon();
    let pb = ctx.progress(args.clients, "simulating");
    let t0 = Instant::now();
    let mut batch = SimBatch::default();
    let mut counts = (0u64, 0u64, 0u64);
    let batch_size = args.batch.max(1);
    // The generator is an iterator: only one batch is ever in memory.
    for gc in gen {
        counts.0 += 1;
        counts.1 += gc.beschikkingen.len() as u64;
        counts.2 += gc.toewijzingen.len() as u64;
        batch
            .persoonsgegevens
            .push((gc.client.bsn(), gc.persoonsgegevens));
        batch.clients.push(gc.client);
        batch.beschikkingen.extend(gc.beschikkingen);
        batch.toewijzingen.extend(gc.toewijzingen.into_iter().map(
            |(toewijzing, lot_id, gemeente)| ToewijzingRow {
                toewijzing,
                lot_id,
                gemeente,
            },
        ));
        if batch.clients.len() >= batch_size {
            store.insert_batch(&region_id, &batch).await?;
            pb.inc(batch.clients.len() as u64);
            batch = SimBatch::default();
        }
    }
    if !batch.clients.is_empty() {
        store.insert_batch(&region_id, &batch).await?;
        pb.inc(batch.clients.len() as u64);
    }
    pb.finish_and_clear();
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "simulated {} clients, {} beschikkingen, {} toewijzingen for {} over {} in {:.1}s ({:.0} clients/s, peak memory {})",
        counts.0,
        counts.1,
        counts.2,
        rf.region.name(),
        horizon,
        secs,
        counts.0 as f64 / secs.max(1e-9),
        peak_rss_mib().map_or("n/a".into(), |m| format!("{m:.0} MiB")),
    );
    store.close().await;
    Ok(())
}

pub async fn stats(ctx: &Ctx, args: StatsArgs) -> Result<()> {
    let store = ctx.store().await?;
    let region_id = match args.region {
        Some(r) => r,
        None => {
            let ids = store.region_ids().await?;
            match ids.as_slice() {
                [one] => one.clone(),
                [] => bail!("no region stored; run `regie region load FILE` first"),
                _ => bail!("several regions stored ({}); pass --region", ids.join(", ")),
            }
        }
    };
    // The stored region document gives product names and the seed's reference table.
    let (doc, source) = store.region_document(&region_id).await?;
    let rf = regie_regions::parse_region(&doc, &source)?;
    let year = args
        .year
        .unwrap_or_else(|| rf.population.as_ref().map_or(2024, |p| p.year));
    let period = Period::new(
        chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("date"),
        chrono::NaiveDate::from_ymd_opt(year, 12, 31),
    )?;
    let table = store.unique_clients(&region_id, period).await?;
    println!("{}", render::stats_table(&table, &rf));
    store.close().await;
    Ok(())
}
