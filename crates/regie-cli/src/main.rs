//! `regie`: the command line of the Regie Wmo chain system.

mod access;
mod casegen;
mod commands;
mod iwmo;
mod render;
mod settle;
mod verzoek;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Regie: run the Wmo chain of a region of municipalities.
#[derive(Parser, Debug)]
#[command(name = "regie", version, about)]
struct Cli {
    /// Database URL: `sqlite://FILE` (default, embedded) or `postgres://…`.
    #[arg(
        long,
        env = "REGIE_DB",
        default_value = "sqlite://regie.sqlite",
        global = true
    )]
    db: String,
    /// Hide progress bars (for scripts and CI logs).
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create the database (SQLite file) and bring the schema up to date.
    Init,
    /// Region catalogue.
    Region {
        #[command(subcommand)]
        command: RegionCommand,
    },
    /// Generate a synthetic, calibrated population into the store.
    Simulate(SimulateArgs),
    /// Unique clients per municipality × product (distinct counts, not sums).
    Stats(StatsArgs),
    /// Settle a month from the stored declaration lines; explain; mark paid.
    Settle(settle::SettleArgs),
    /// Declaration lines: synthetic from stored toewijzingen, or imported WMO323.
    Declare(settle::DeclareArgs),
    /// Budgets per municipality × lot: status with forecast, set, HvB transition.
    Budget(settle::BudgetArgs),
    /// Tariffs: calculate from a cost-price file, set a product's tariff.
    Tariff(settle::TariffArgs),
    /// iWmo 3.2 messages: validate, ingest, export, deadlines, verzoeken, bench.
    Iwmo {
        #[command(subcommand)]
        command: iwmo::IwmoCommand,
    },
    /// Toegang cases: open, apply events, show history, list, complaints.
    Case {
        #[command(subcommand)]
        command: access::CaseCommand,
    },
    /// Deadlines of stored cases due within a span (missed ones flagged).
    Deadlines(access::DeadlinesArgs),
    /// Waiting list per product × provider, derived from stored cases.
    Waitlist(access::WaitlistArgs),
    /// Complaints in a quarter per provider and municipality.
    Complaints(access::ComplaintsArgs),
    /// Generate deterministic scenario cases for a region into the store.
    SimulateCases(access::SimulateCasesArgs),
}

#[derive(Subcommand, Debug)]
enum RegionCommand {
    /// Validate a region file and store its catalogue.
    Load {
        /// Region TOML file (see regions/README.md).
        file: PathBuf,
    },
    /// Validate a region file without storing it; lists its assumptions.
    Check {
        /// Region TOML file.
        file: PathBuf,
    },
    /// List stored regions.
    List,
}

/// Arguments of `regie simulate`.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// Region file to calibrate on (also loaded into the store).
    #[arg(long)]
    region: PathBuf,
    /// Number of clients.
    #[arg(long)]
    clients: u64,
    /// Months simulated from --start.
    #[arg(long, default_value_t = 12)]
    months: u32,
    /// First month (YYYY-MM); default January of the profile's peiljaar.
    #[arg(long)]
    start: Option<regie_domain::YearMonth>,
    /// Random seed: same seed, same population.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replace clients already simulated for this region.
    #[arg(long)]
    replace: bool,
    /// Clients per transaction.
    #[arg(long, default_value_t = 5000)]
    batch: usize,
}

/// Arguments of `regie stats`.
#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    /// Region id; default: the only stored region.
    #[arg(long)]
    region: Option<String>,
    /// Calendar year counted (care overlapping the year).
    #[arg(long)]
    year: Option<i32>,
}

fn main() {
    // Behave like other Unix tools when piped into `head`: end quietly on a
    // closed pipe instead of panicking in println!.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("REGIE_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(run(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let ctx = commands::Ctx {
        db: cli.db,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Init => commands::init(&ctx).await,
        Command::Region { command } => match command {
            RegionCommand::Load { file } => commands::region_load(&ctx, &file).await,
            RegionCommand::Check { file } => commands::region_check(&file),
            RegionCommand::List => commands::region_list(&ctx).await,
        },
        Command::Simulate(args) => commands::simulate(&ctx, args).await,
        Command::Stats(args) => commands::stats(&ctx, args).await,
        Command::Settle(args) => settle::settle(&ctx.db, ctx.quiet, args).await,
        Command::Declare(args) => settle::declare(&ctx.db, args).await,
        Command::Budget(args) => settle::budget(&ctx.db, args).await,
        Command::Tariff(args) => settle::tariff(&ctx.db, args).await,
        Command::Iwmo { command } => iwmo::run(&ctx.db, ctx.quiet, command).await,
        Command::Case { command } => access::case(&ctx, command).await,
        Command::Deadlines(args) => access::deadlines(&ctx, args).await,
        Command::Waitlist(args) => access::waitlist(&ctx, args).await,
        Command::Complaints(args) => access::complaints(&ctx, args).await,
        Command::SimulateCases(args) => access::simulate_cases(&ctx, args).await,
    }
}
