//! `regie settle`, `regie declare`, `regie budget` and `regie tariff`:
//! settlement and budgets end to end over the store.

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use regie_domain::{FundingVariant, Gemeentecode, Money, PayerRule, Period, YearMonth};
use regie_regions::RegionFile;
use regie_settlement::split::split_largest_remainder;
use regie_settlement::{
    budget_report, commitment, woonplaats_shares, BudgetAlert, BudgetInput, BudgetKey,
    ForecastSettings, MonthActual, TariffInput, TransitionPath,
};
use regie_store::settlement::simulate::SimulateSettings;
use regie_store::{BookSettings, LineFilter, Store, StoredBudget};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `regie settle`.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SettleArgs {
    #[command(subcommand)]
    command: Option<SettleCommand>,
    /// Month to settle (YYYY-MM).
    #[arg(long)]
    month: Option<YearMonth>,
    /// Region id; default: the only stored region.
    #[arg(long)]
    region: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
enum SettleCommand {
    /// Explain a settled line or toewijzing: lines, tariffs, payer and rules.
    Explain(ExplainArgs),
    /// Mark a settled month as paid (counts as "paid" in the budget monitor).
    Pay {
        /// Month (YYYY-MM).
        #[arg(long)]
        month: YearMonth,
        /// Region id; default: the only stored region.
        #[arg(long)]
        region: Option<String>,
        /// Payment date; default: today.
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

/// Arguments of `regie settle explain`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["toewijzing", "line"])))]
pub struct ExplainArgs {
    /// Settled month (YYYY-MM).
    #[arg(long)]
    month: YearMonth,
    /// Region id; default: the only stored region.
    #[arg(long)]
    region: Option<String>,
    /// ToewijzingNummer.
    #[arg(long)]
    toewijzing: Option<String>,
    /// Declaration line reference (iWmo ReferentieNummer).
    #[arg(long)]
    line: Option<String>,
}

/// Arguments of `regie declare`.
#[derive(clap::Args, Debug)]
pub struct DeclareArgs {
    #[command(subcommand)]
    command: DeclareCommand,
}

#[derive(clap::Subcommand, Debug)]
enum DeclareCommand {
    /// Generate a month's synthetic declaration lines from the stored toewijzingen.
    Simulate {
        /// Month (YYYY-MM).
        #[arg(long)]
        month: YearMonth,
        /// Region id; default: the only stored region.
        #[arg(long)]
        region: Option<String>,
        /// Random seed: same seed, same lines.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Percentage of toewijzingen declared above their volume.
        #[arg(long, default_value_t = 5)]
        over_volume_pct: u32,
        /// Per mille of toewijzingen with a line for an unknown toewijzing.
        #[arg(long, default_value_t = 5)]
        orphan_per_mille: u32,
        /// Per mille of toewijzingen with a line for an unknown product.
        #[arg(long, default_value_t = 3)]
        unknown_product_per_mille: u32,
    },
    /// Take the month's payable WMO323 lines (from `regie iwmo ingest`) into settlement.
    ImportIwmo {
        /// Month (YYYY-MM).
        #[arg(long)]
        month: YearMonth,
        /// Region id; default: the only stored region.
        #[arg(long)]
        region: Option<String>,
    },
}

/// Arguments of `regie budget`.
#[derive(clap::Args, Debug)]
pub struct BudgetArgs {
    #[command(subcommand)]
    command: BudgetCommand,
}

#[derive(clap::Subcommand, Debug)]
enum BudgetCommand {
    /// Committed / declared / paid / remaining / forecast per municipality × lot.
    Status {
        /// Region id; default: the only stored region.
        #[arg(long)]
        region: Option<String>,
        /// Budget year; default: the year of the last settled month.
        #[arg(long)]
        year: Option<i32>,
        /// Months averaged for the run rate.
        #[arg(long, default_value_t = 3)]
        run_rate_months: u32,
    },
    /// Set a budget for a municipality, lot and year.
    Set {
        /// Region id; default: the only stored region.
        #[arg(long)]
        region: Option<String>,
        /// CBS gemeentecode.
        #[arg(long)]
        gemeente: Gemeentecode,
        /// Lot id.
        #[arg(long)]
        lot: String,
        /// Year.
        #[arg(long)]
        year: i32,
        /// Amount in euros, e.g. 1250000.00.
        #[arg(long)]
        amount: Decimal,
        /// Where the figure comes from.
        #[arg(long, default_value = "set with regie budget set")]
        source: String,
    },
    /// Hart van Brabant Tabel 1 (historic → objective) and each
    /// municipality's objective share by its clients in the store.
    Transition {
        /// Region whose clients give the shares (default hart-van-brabant when stored).
        #[arg(long)]
        region: Option<String>,
        /// Year of the shares.
        #[arg(long, default_value_t = 2025)]
        year: i32,
    },
}

/// Arguments of `regie tariff`.
#[derive(clap::Args, Debug)]
pub struct TariffArgs {
    #[command(subcommand)]
    command: TariffCommand,
}

#[derive(clap::Subcommand, Debug)]
enum TariffCommand {
    /// Calculate a tariff from a cost-price file (TOML) and print every step.
    Calc {
        /// Tariff input file, e.g. crates/regie-settlement/examples/tariff-begeleiding.toml.
        file: PathBuf,
    },
    /// Set a product's tariff from a date (open-ended).
    Set {
        /// Region id; default: the only stored region.
        #[arg(long)]
        region: Option<String>,
        /// Product key (productcode).
        #[arg(long)]
        product: String,
        /// First day.
        #[arg(long)]
        from: NaiveDate,
        /// Price per unit in euros.
        #[arg(long)]
        amount: Decimal,
        /// Why this figure (marked as an assumption in every trace).
        #[arg(long)]
        assumption: Option<String>,
    },
}

async fn open(db: &str) -> Result<Store> {
    Store::open(db)
        .await
        .with_context(|| format!("opening database {db}"))
}

async fn region_id(store: &Store, given: Option<String>) -> Result<String> {
    let ids = store.region_ids().await?;
    match given {
        Some(r) if ids.contains(&r) => Ok(r),
        Some(r) => bail!(
            "region {r:?} is not stored (stored: {}); load it with `regie region load FILE`",
            ids.join(", ")
        ),
        None => match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => bail!("no region stored; load one with `regie region load FILE`"),
            many => bail!(
                "several regions stored ({}); pass --region",
                many.join(", ")
            ),
        },
    }
}

/// The stored region file, parsed again: payer changes, contract renewals,
/// budget tables and reference costs live there.
async fn region_file(store: &Store, id: &str) -> Result<RegionFile> {
    let (doc, source) = store.region_document(id).await?;
    regie_regions::parse_region(&doc, &source)
        .with_context(|| format!("re-reading the stored region file of {id}"))
}

fn book_settings(rf: &RegionFile) -> BookSettings {
    BookSettings {
        payer_changes: rf
            .lot_info
            .iter()
            .flat_map(|l| {
                l.payer_changes
                    .iter()
                    .map(|c| (l.id.clone(), c.from, c.payer))
            })
            .collect(),
        part_month: BTreeMap::new(),
        tacit_extensions: rf
            .contract_info
            .iter()
            .filter(|c| c.tacit_yearly_extensions > 0)
            .map(|c| (c.id.clone(), c.tacit_yearly_extensions))
            .collect(),
    }
}

fn bar(quiet: bool, len: u64, what: &str) -> ProgressBar {
    if quiet {
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

fn peak_mib() -> String {
    crate::commands::peak_rss_mib().map_or("n/a".into(), |m| format!("{m:.0} MiB"))
}

/// `regie settle …`.
pub async fn settle(db: &str, quiet: bool, args: SettleArgs) -> Result<()> {
    match args.command {
        Some(SettleCommand::Explain(e)) => explain(db, e).await,
        Some(SettleCommand::Pay { month, region, on }) => {
            let store = open(db).await?;
            let id = region_id(&store, region).await?;
            let on = on.unwrap_or_else(|| chrono::Local::now().date_naive());
            store.mark_paid(&id, month, on).await?;
            println!("settlement {id} {month} marked paid on {on}");
            Ok(())
        }
        None => {
            let month = args
                .month
                .ok_or_else(|| anyhow!("give --month YYYY-MM (or a subcommand: explain, pay)"))?;
            settle_month(db, quiet, month, args.region).await
        }
    }
}

async fn settle_month(
    db: &str,
    quiet: bool,
    month: YearMonth,
    region: Option<String>,
) -> Result<()> {
    let store = open(db).await?;
    let id = region_id(&store, region).await?;
    let rf = region_file(&store, &id).await?;
    let t0 = Instant::now();
    let book = store
        .settlement_book(&id, month, &book_settings(&rf))
        .await
        .with_context(|| format!("loading the settlement book of {id} for {month}"))?;
    let t_book = t0.elapsed();
    let n = store.declaration_count(&id, month).await?;
    if n == 0 {
        eprintln!(
            "note: no declaration lines stored for {id} {month} (generate some with `regie declare simulate --month {month}`); settling lumpsums only"
        );
    }
    println!(
        "book: {} clients, {} toewijzingen, {} lots ({:.2}s)",
        book.client_count(),
        book.toewijzing_count(),
        book.lots().len(),
        t_book.as_secs_f64()
    );
    let pb = bar(quiet, n.max(0) as u64, "settling");
    let t1 = Instant::now();
    let stored = store
        .settle_month(&id, month, Arc::new(book), |read| pb.set_position(read))
        .await
        .with_context(|| format!("settling {id} {month}"))?;
    pb.finish_and_clear();
    let ms = &stored.settlement;
    print!("{}", ms.render());
    println!("Per provider:");
    for (p, m) in ms.by_provider() {
        let name = rf
            .provider(p)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| "?".into());
        println!("  {} {:<40} {:>16}", p, name, m.to_string());
    }
    if !ms.rejected.is_empty() {
        println!("Rejected by reason:");
        for (r, k) in ms.rejected_by_reason() {
            println!("  {:<4} {:<50} {k}", r.code(), r.describe());
        }
    }
    println!(
        "settled {id} {month}: {} lines, {} rejected, total {} — stored (input hash {}) in {:.2}s, peak memory {}",
        ms.stats.lines_read,
        ms.stats.lines_rejected,
        ms.total(),
        stored.input_hash,
        t1.elapsed().as_secs_f64(),
        peak_mib()
    );
    store.close().await;
    Ok(())
}

async fn explain(db: &str, a: ExplainArgs) -> Result<()> {
    let store = open(db).await?;
    let id = region_id(&store, a.region).await?;
    let run = store.settlement(&id, a.month).await?.ok_or_else(|| {
        anyhow!(
            "{id} {} is not settled; run `regie settle --month {}` first",
            a.month,
            a.month
        )
    })?;
    let filter = match (&a.toewijzing, &a.line) {
        (Some(t), _) => LineFilter::Toewijzing(t.clone()),
        (None, Some(l)) => LineFilter::Reference(l.clone()),
        (None, None) => unreachable!("clap requires one"),
    };
    let lines = store.settled_lines(&id, a.month, &filter).await?;
    if lines.is_empty() {
        bail!("no settled line of {id} {} matches {:?}", a.month, filter);
    }
    println!(
        "settlement {id} {} (run {}, input hash {})",
        a.month, run.run_at, run.input_hash
    );
    let mut total = Money::ZERO;
    for l in &lines {
        print!("{}", l.explain());
        total += l.amount();
    }
    if let Some(t) = &a.toewijzing {
        if let Some(c) = store.settlement_cap(&id, a.month, t).await? {
            println!(
                "volume cap {}: declared {} allowed {} → capped {} units ({}), latest deliveries first",
                c.reason, c.declared, c.allowed, c.capped_units, c.capped_amount
            );
            for p in &c.parts {
                println!(
                    "  taken from payer {}: {} units, {}",
                    p.payer, p.units, p.amount
                );
            }
            total -= c.capped_amount;
        }
        if let Some(u) = run.settlement.usage.iter().find(|u| &u.toewijzing == t) {
            println!("accepted units this month: {}", u.units);
        }
        println!("toewijzing {t} settled {} in {}", total, a.month);
    }
    Ok(())
}

/// `regie declare …`.
pub async fn declare(db: &str, args: DeclareArgs) -> Result<()> {
    match args.command {
        DeclareCommand::ImportIwmo { month, region } => {
            let store = open(db).await?;
            let id = region_id(&store, region).await?;
            let n = store.import_iwmo_declarations(&id, month).await?;
            println!("imported {n} payable WMO323 lines for {id} {month}");
            store.close().await;
            Ok(())
        }
        DeclareCommand::Simulate {
            month,
            region,
            seed,
            over_volume_pct,
            orphan_per_mille,
            unknown_product_per_mille,
        } => {
            if over_volume_pct > 100 || orphan_per_mille > 1000 || unknown_product_per_mille > 1000
            {
                bail!("percentages are 0..=100, per-mille rates 0..=1000");
            }
            let store = open(db).await?;
            let id = region_id(&store, region).await?;
            let t0 = Instant::now();
            let s = store
                .simulate_declarations(
                    &id,
                    month,
                    &SimulateSettings {
                        seed,
                        over_volume_pct,
                        orphan_per_mille,
                        unknown_product_per_mille,
                    },
                )
                .await?;
            println!(
                "declared {id} {month}: {} lines for {} toewijzingen ({} over volume, {} lines for unknown toewijzingen, {} for unknown products) in {:.2}s",
                s.lines,
                s.toewijzingen,
                s.over_volume,
                s.orphan_lines,
                s.unknown_product_lines,
                t0.elapsed().as_secs_f64()
            );
            if s.toewijzingen == 0 {
                println!("note: no toewijzing on a per-line funded lot runs in {month} (taakgericht lots are paid by lumpsum, not per line)");
            }
            store.close().await;
            Ok(())
        }
    }
}

/// `regie budget …`.
pub async fn budget(db: &str, args: BudgetArgs) -> Result<()> {
    match args.command {
        BudgetCommand::Set {
            region,
            gemeente,
            lot,
            year,
            amount,
            source,
        } => {
            let store = open(db).await?;
            let id = region_id(&store, region).await?;
            let rf = region_file(&store, &id).await?;
            if rf.lot(&lot).is_none() {
                bail!("region {id} has no lot {lot:?}");
            }
            if !rf
                .region
                .municipalities()
                .iter()
                .any(|m| m.code == gemeente)
            {
                bail!("{gemeente} is not a member of region {id}");
            }
            let b = StoredBudget {
                key: BudgetKey { gemeente, lot },
                year,
                amount: Money::from_euros(amount),
                source,
            };
            store.set_budget(&id, &b).await?;
            println!(
                "budget {id} {} {} {year}: {}",
                b.key.gemeente, b.key.lot, b.amount
            );
            Ok(())
        }
        BudgetCommand::Status {
            region,
            year,
            run_rate_months,
        } => status(db, region, year, run_rate_months).await,
        BudgetCommand::Transition { region, year } => transition(db, region, year).await,
    }
}

/// Default budgets for a year from the region file, divided over the
/// municipalities that pay: lumpsum contract budgets (taakgericht), else the
/// region's budget table (the lot its reference costs name), else the lot's
/// reference cost held flat. Centrumgemeente lots: all to the centrumgemeente;
/// woonplaatsbeginsel: by clients with a toewijzing on the lot in the year
/// (equal shares when there are none), largest remainder so parts sum exactly.
async fn derived_budgets(
    store: &Store,
    id: &str,
    rf: &RegionFile,
    year: i32,
) -> Result<Vec<StoredBudget>> {
    let window = Period::new(
        NaiveDate::from_ymd_opt(year, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(year, 12, 31),
    )?;
    let shares = store.client_shares(id, window).await?;
    let table_lot = {
        let mut lots: Vec<&str> = rf
            .reference_costs
            .iter()
            .filter_map(|c| c.lot.as_deref())
            .collect();
        lots.sort();
        lots.dedup();
        (lots.len() == 1).then(|| lots[0].to_string())
    };
    let settings = book_settings(rf);
    let mut out = Vec::new();
    for lot in &rf.lots {
        let lumpsum: Money = rf
            .contracts_on(&lot.id)
            .filter_map(|c| c.lumpsum.as_ref().and_then(|t| t.budget_for(year)))
            .sum();
        let table = rf
            .budget_tables
            .first()
            .filter(|_| table_lot.as_deref() == Some(lot.id.as_str()))
            .and_then(|t| t.row(year).map(|r| (t, r)));
        let (amount, source) = if let Some((t, r)) = table {
            (r.total, format!("{} {year} total ({})", t.id, t.source))
        } else if lumpsum > Money::ZERO {
            (lumpsum, format!("lumpsum contracts {year} (region file)"))
        } else if let Some(rc) = &lot.reference_cost {
            (
                rc.amount,
                format!(
                    "reference cost {} held flat, assumed ({})",
                    rc.year, rc.source
                ),
            )
        } else {
            continue;
        };
        let payer = settings
            .payer_changes
            .iter()
            .filter(|(l, from, _)| l == &lot.id && *from <= window.start())
            .max_by_key(|(_, from, _)| *from)
            .map(|(_, _, p)| *p)
            .unwrap_or(lot.payer);
        let weights: BTreeMap<Gemeentecode, u64> = match payer {
            PayerRule::Centrumgemeente { gemeente } => [(gemeente, 1)].into(),
            PayerRule::Woonplaatsbeginsel => {
                let members: Vec<Gemeentecode> =
                    rf.region.municipalities().iter().map(|m| m.code).collect();
                let from_clients: BTreeMap<Gemeentecode, u64> = shares
                    .get(&lot.id)
                    .map(|m| {
                        m.iter()
                            .filter(|(g, _)| members.contains(g))
                            .map(|(g, n)| (*g, *n))
                            .collect()
                    })
                    .unwrap_or_default();
                if from_clients.values().any(|n| *n > 0) {
                    from_clients
                } else {
                    members.into_iter().map(|g| (g, 1)).collect()
                }
            }
        };
        let w: Vec<u64> = weights.values().copied().collect();
        for ((g, _), part) in weights.iter().zip(split_largest_remainder(amount, &w)) {
            out.push(StoredBudget {
                key: BudgetKey {
                    gemeente: *g,
                    lot: lot.id.clone(),
                },
                year,
                amount: part,
                source: format!("derived: {source}"),
            });
        }
    }
    Ok(out)
}

async fn status(db: &str, region: Option<String>, year: Option<i32>, run_rate: u32) -> Result<()> {
    let store = open(db).await?;
    let id = region_id(&store, region).await?;
    let rf = region_file(&store, &id).await?;
    let settled = store.settled_months(&id).await?;
    let year = year
        .or_else(|| settled.last().map(|m| m.year()))
        .unwrap_or_else(|| chrono::Datelike::year(&chrono::Local::now().date_naive()));
    let as_of = settled
        .iter()
        .filter(|m| m.year() == year)
        .max()
        .copied()
        .unwrap_or_else(|| YearMonth::new(year, 1).expect("month").prev());
    let derived = derived_budgets(&store, &id, &rf, year).await?;
    let seeded = store.seed_budgets(&id, &derived, false).await?;
    if seeded > 0 {
        println!(
            "{seeded} budgets for {year} derived from the region file (change with `regie budget set`)"
        );
    }
    let budgets = store.budgets(&id, year).await?;
    let mut inputs: BTreeMap<BudgetKey, BudgetInput> = BTreeMap::new();
    let entry = |inputs: &mut BTreeMap<BudgetKey, BudgetInput>, k: &BudgetKey| {
        inputs.entry(k.clone()).or_insert_with(|| BudgetInput {
            key: k.clone(),
            year,
            budget: Money::ZERO,
            actuals: Vec::new(),
            committed: Money::ZERO,
        });
    };
    let mut sources: BTreeMap<BudgetKey, String> = BTreeMap::new();
    let mut missing = 0usize;
    for b in &budgets {
        entry(&mut inputs, &b.key);
        inputs.get_mut(&b.key).expect("entry").budget = b.amount;
        sources.insert(b.key.clone(), b.source.clone());
    }
    for a in store.month_amounts(&id, year).await? {
        entry(&mut inputs, &a.key);
        inputs
            .get_mut(&a.key)
            .expect("entry")
            .actuals
            .push(MonthActual {
                month: a.month,
                declared: a.declared,
                paid: a.paid,
            });
    }
    // Commitments: what open toewijzingen can still cost after the last closed month.
    let rest_start = as_of.next().first_day();
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
    if rest_start <= year_end {
        let window = Period::new(rest_start, Some(year_end))?;
        let lots = store.lots(&id).await?;
        let settings = book_settings(&rf);
        let mut product: BTreeMap<String, (String, FundingVariant, PayerRule, Money)> =
            BTreeMap::new();
        for l in &lots {
            let payer = settings
                .payer_changes
                .iter()
                .filter(|(lot, from, _)| lot == &l.id && *from <= rest_start)
                .max_by_key(|(_, from, _)| *from)
                .map(|(_, _, p)| *p)
                .unwrap_or(l.payer);
            for p in &l.products {
                let tariff = p
                    .tariff_on(rest_start)
                    .map(|t| t.per_unit)
                    .unwrap_or(Money::ZERO);
                product.insert(p.key(), (l.id.clone(), l.funding, payer, tariff));
            }
        }
        let mut committed: BTreeMap<BudgetKey, Money> = BTreeMap::new();
        store
            .for_each_toewijzing(&id, window, None, |t| {
                if let Some((lot, funding, payer, tariff)) =
                    product.get(&t.toewijzing.product.key())
                {
                    let c = commitment(&t.toewijzing, *tariff, *funding, &window);
                    if c != Money::ZERO {
                        let g = match payer {
                            PayerRule::Centrumgemeente { gemeente } => *gemeente,
                            PayerRule::Woonplaatsbeginsel => t.gemeente,
                        };
                        *committed
                            .entry(BudgetKey {
                                gemeente: g,
                                lot: lot.clone(),
                            })
                            .or_insert(Money::ZERO) += c;
                    }
                }
                Ok(())
            })
            .await?;
        for (k, c) in committed {
            entry(&mut inputs, &k);
            inputs.get_mut(&k).expect("entry").committed = c;
        }
    }
    let inputs: Vec<BudgetInput> = inputs.into_values().collect();
    let report = budget_report(
        &inputs,
        ForecastSettings {
            as_of,
            run_rate_months: run_rate,
        },
    );
    let closed = if as_of.year() == year {
        format!("as of {as_of} ({} closed months)", as_of.month())
    } else {
        "no month of the year settled yet".to_string()
    };
    println!("Budget {id} {year}, {closed}");
    println!(
        "{:<6} {:<28} {:>15} {:>15} {:>15} {:>15} {:>15} {:>15}  alert",
        "gem", "lot", "budget", "committed", "declared", "paid", "remaining", "forecast"
    );
    let mut alerts = Vec::new();
    let mut totals = [Money::ZERO; 6];
    for s in &report {
        let has_budget = sources.contains_key(&s.key);
        let alert = if has_budget {
            format!("{:?}", s.alert)
        } else {
            missing += 1;
            "no budget".to_string()
        };
        println!(
            "{:<6} {:<28} {:>15} {:>15} {:>15} {:>15} {:>15} {:>15}  {}",
            s.key.gemeente.as_str(),
            s.key.lot,
            s.budget.to_string(),
            s.committed.to_string(),
            s.declared.to_string(),
            s.paid.to_string(),
            s.remaining.to_string(),
            s.forecast.to_string(),
            alert
        );
        for (t, v) in totals.iter_mut().zip([
            s.budget,
            s.committed,
            s.declared,
            s.paid,
            s.remaining,
            s.forecast,
        ]) {
            *t += v;
        }
        match s.alert {
            _ if !has_budget => {}
            BudgetAlert::Overrun => alerts.push(format!(
                "ALERT {} {}: forecast {} exceeds budget {} by {}",
                s.key.gemeente,
                s.key.lot,
                s.forecast,
                s.budget,
                s.forecast - s.budget
            )),
            BudgetAlert::AtRisk => alerts.push(format!(
                "at risk {} {}: declared + committed {} exceeds budget {}",
                s.key.gemeente, s.key.lot, s.forecast_upper, s.budget
            )),
            BudgetAlert::Ok => {}
        }
    }
    println!(
        "{:<6} {:<28} {:>15} {:>15} {:>15} {:>15} {:>15} {:>15}",
        "total",
        "",
        totals[0].to_string(),
        totals[1].to_string(),
        totals[2].to_string(),
        totals[3].to_string(),
        totals[4].to_string(),
        totals[5].to_string()
    );
    for a in &alerts {
        println!("{a}");
    }
    if missing > 0 {
        println!(
            "{missing} lines have spending but no budget (the region file gives none): set one with `regie budget set`"
        );
    }
    let mut srcs: Vec<&String> = sources.values().collect();
    srcs.sort();
    srcs.dedup();
    for s in srcs {
        println!("budget source: {s}");
    }
    Ok(())
}

async fn transition(db: &str, region: Option<String>, year: i32) -> Result<()> {
    let path = TransitionPath::hart_van_brabant();
    let rows = path.rows();
    println!("Hart van Brabant beschermd wonen, Tabel 1 (seed 003 §3.1.1)");
    println!(
        "{:<6} {:>16} {:>16} {:>16} {:>10}",
        "year", "historic", "objective", "total", "objective%"
    );
    for r in &rows {
        println!(
            "{:<6} {:>16} {:>16} {:>16} {:>9}%",
            r.year,
            r.historic.to_string(),
            r.objective.to_string(),
            r.total.to_string(),
            r.objective_pct
        );
    }
    let store = open(db).await?;
    let ids = store.region_ids().await?;
    let id = match region {
        Some(r) => Some(region_id(&store, Some(r)).await?),
        None => ids
            .iter()
            .find(|i| i.as_str() == "hart-van-brabant")
            .cloned(),
    };
    let Some(id) = id else {
        println!("(load and simulate regions/hart-van-brabant.toml for per-municipality objective shares)");
        return Ok(());
    };
    let rf = region_file(&store, &id).await?;
    if let Some(t) = rf.budget_tables.first() {
        let mut diffs = 0;
        for r in &rows {
            match t.row(r.year) {
                Some(f)
                    if (f.total - r.total).cents().abs() <= t.rounding_tolerance.cents()
                        && (f.objective - r.objective).cents().abs()
                            <= t.rounding_tolerance.cents() => {}
                _ => diffs += 1,
            }
        }
        println!(
            "region file {}: {} of {} years match the reproduced table (tolerance {})",
            t.id,
            rows.len() - diffs,
            rows.len(),
            t.rounding_tolerance
        );
    }
    let row = rows
        .iter()
        .find(|r| r.year == year)
        .ok_or_else(|| anyhow!("Tabel 1 has no year {year}"))?;
    let window = Period::new(
        NaiveDate::from_ymd_opt(year, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(year, 12, 31),
    )?;
    let shares = store.client_shares(&id, window).await?;
    let Some(lot) = rf.lots.first() else {
        bail!("region {id} has no lots");
    };
    let members: Vec<Gemeentecode> = rf.region.municipalities().iter().map(|m| m.code).collect();
    let clients: BTreeMap<Gemeentecode, u32> = members
        .iter()
        .map(|g| {
            let n = shares
                .get(&lot.id)
                .and_then(|m| m.get(g))
                .copied()
                .unwrap_or(0);
            (*g, u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect();
    if clients.values().all(|n| *n == 0) {
        println!("(no clients with a toewijzing on {} in {year}: simulate a population for per-municipality shares)", lot.id);
        return Ok(());
    }
    let cost = lot
        .products
        .iter()
        .find_map(|p| p.tariff_on(window.start()).or(p.tariffs().first()))
        .map(|t| t.per_unit)
        .ok_or_else(|| anyhow!("lot {} has no cost per client-month", lot.id))?;
    println!(
        "Objective budget {year} {} by clients of origin (lot {}, {} per client-month):",
        row.objective, lot.id, cost
    );
    println!(
        "{:<6} {:<24} {:>8} {:>8} {:>16} {:>16} {:>16}",
        "gem", "name", "clients", "share%", "annual cost", "objective", "difference"
    );
    let names: BTreeMap<Gemeentecode, &str> = rf
        .region
        .municipalities()
        .iter()
        .map(|m| (m.code, m.name.as_str()))
        .collect();
    for s in woonplaats_shares(&clients, cost, row.objective) {
        println!(
            "{:<6} {:<24} {:>8} {:>7}% {:>16} {:>16} {:>16}",
            s.gemeente.as_str(),
            names.get(&s.gemeente).copied().unwrap_or("?"),
            s.clients,
            s.share_pct,
            s.annual_cost.to_string(),
            s.objective_budget.to_string(),
            s.difference.to_string()
        );
    }
    Ok(())
}

/// `regie tariff …`.
pub async fn tariff(db: &str, args: TariffArgs) -> Result<()> {
    match args.command {
        TariffCommand::Calc { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let input = TariffInput::from_toml(&text)
                .with_context(|| format!("reading tariff input {}", file.display()))?;
            let calc = input
                .calculate()
                .with_context(|| format!("calculating {}", file.display()))?;
            print!("{}", calc.explain());
            Ok(())
        }
        TariffCommand::Set {
            region,
            product,
            from,
            amount,
            assumption,
        } => {
            let store = open(db).await?;
            let id = region_id(&store, region).await?;
            let m = Money::from_euros(amount);
            store
                .set_tariff(&id, &product, from, m, assumption.as_deref())
                .await?;
            println!("tariff {id} {product} from {from}: {m} per unit");
            Ok(())
        }
    }
}
