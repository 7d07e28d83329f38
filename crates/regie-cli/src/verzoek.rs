//! `regie iwmo verzoeken` and `regie iwmo verzoek decide`: the toegang's work
//! list of received verzoeken (WMO315/317) and a person's final answer on one
//! in onderzoek (OP274/OP346: within 8 weeks of its dagtekening).

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{ArgGroup, Args, Subcommand};
use regie_store::iwmo::{
    reden_afwijzing, reden_omschrijving, Besluit, Deadline, IngestOptions, VerzoekFilter,
    VerzoekOverzicht,
};
use regie_store::Store;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Arguments of `regie iwmo verzoeken`.
#[derive(Args, Debug)]
pub struct VerzoekenArgs {
    /// Only verzoeken still waiting for their final answer (in onderzoek).
    #[arg(long)]
    open: bool,
    /// Only this aanbieder's (AGB code).
    #[arg(long)]
    aanbieder: Option<String>,
    /// Report date for the deadlines' state (default today).
    #[arg(long)]
    on: Option<NaiveDate>,
    /// A JSON array instead of the table.
    #[arg(long)]
    json: bool,
}

/// `regie iwmo verzoek …`.
#[derive(Subcommand, Debug)]
pub enum VerzoekCommand {
    /// Give the final answer on a verzoek in onderzoek: grant it (toewijzing + WMO301) or refuse it (WMO319).
    Decide(DecideArgs),
}

/// Arguments of `regie iwmo verzoek decide`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("besluit").required(true).args(["grant", "refuse"])))]
pub struct DecideArgs {
    /// Aanbieder (AGB code) that sent the verzoek.
    #[arg(long)]
    aanbieder: String,
    /// The verzoek's ReferentieAanbieder.
    #[arg(long)]
    referentie: String,
    /// Grant it: the toewijzing is stored against the client's beschikking and
    /// answered with a WMO301 holding all current toewijzingen (OP087).
    #[arg(long)]
    grant: bool,
    /// Einddatum of the granted toewijzing instead of the requested one (verzoek om toewijzing only, IV094).
    #[arg(long, requires = "grant")]
    einddatum: Option<NaiveDate>,
    /// Refuse it with this RedenAfwijzingVerzoek code (3 geen contract, 4 past niet binnen contract, 5 andere gemeente, 6 stapeling, 7 zorginhoudelijke afkeur, …).
    #[arg(long, value_name = "REDEN_CODE")]
    refuse: Option<String>,
    /// Why it is refused, for the record (a WMO319 has no field for it).
    #[arg(long, requires = "refuse")]
    toelichting: Option<String>,
    /// Who decides (recorded in the audit log and on the verzoek).
    #[arg(long)]
    by: String,
    /// Also write the answer message into this directory.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `regie iwmo verzoeken`.
pub async fn verzoeken(db: &str, args: VerzoekenArgs) -> Result<()> {
    let store = Store::open(db).await?;
    let today = args.on.unwrap_or_else(|| Utc::now().date_naive());
    let filter = VerzoekFilter {
        open: args.open,
        aanbieder: args.aanbieder,
    };
    let list = store.iwmo_verzoeken(&filter, today).await?;
    if args.json {
        let rows: Vec<Value> = list.iter().map(as_json).collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let open = list.iter().filter(|v| v.status.is_open()).count();
    println!(
        "verzoeken on {today}: {} listed, {open} waiting for their final answer",
        list.len()
    );
    println!(
        "{:<12} {:<5} {:<9} {:<12} {:<8} {:<9} {:<10} deadline",
        "status", "soort", "aanbieder", "referentie", "gemeente", "bsn", "ontvangen"
    );
    for v in &list {
        println!(
            "{:<12} {:<5} {:<9} {:<12} {:<8} {:<9} {:<10} {}",
            v.status.as_str(),
            v.soort.as_str(),
            v.aanbieder,
            v.referentie,
            v.gemeente,
            v.bsn,
            v.ontvangen,
            v.deadline.as_ref().map_or("-".to_string(), deadline_text),
        );
        if let Some(r) = &v.onderzoek_reden {
            println!("    onderzoek: {r}");
        }
        if let Some(r) = v.reden_afwijzing {
            println!(
                "    afgewezen: reden {} {}{}",
                r.code(),
                reden_omschrijving(r),
                v.toelichting
                    .as_ref()
                    .map_or(String::new(), |t| format!(": {t}"))
            );
        }
        if let (Some(door), Some(op)) = (&v.beslist_door, v.beslist_op) {
            println!("    beslist door {door} op {op}");
        }
    }
    Ok(())
}

/// `OP274 due 2025-04-07 open` (`overdue`, `met on …`, `late on …`).
fn deadline_text(d: &Deadline) -> String {
    format!(
        "{} due {} {}{}",
        d.rule,
        d.due,
        d.status.as_str(),
        d.fulfilled.map_or(String::new(), |f| format!(" on {f}"))
    )
}

fn as_json(v: &VerzoekOverzicht) -> Value {
    json!({
        "soort": v.soort.as_str(),
        "status": v.status.as_str(),
        "aanbieder": v.aanbieder,
        "referentie": v.referentie,
        "gemeente": v.gemeente,
        "bsn": v.bsn,
        "dagtekening": v.dagtekening.map(|d| d.to_string()),
        "ontvangen": v.ontvangen.to_string(),
        "message_id": v.message_id,
        "deadline": v.deadline.as_ref().map(|d| json!({
            "rule": d.rule,
            "subject": d.subject,
            "due": d.due.to_string(),
            "fulfilled": d.fulfilled.map(|f| f.to_string()),
            "status": d.status.as_str(),
        })),
        "onderzoek_reden": v.onderzoek_reden,
        "reden_afwijzing": v.reden_afwijzing.map(|r| json!({
            "code": r.code(),
            "omschrijving": reden_omschrijving(r),
        })),
        "toelichting": v.toelichting,
        "beslist_door": v.beslist_door,
        "beslist_op": v.beslist_op.map(|d| d.to_string()),
    })
}

/// Runs one `regie iwmo verzoek` command.
pub async fn run(db: &str, cmd: VerzoekCommand) -> Result<()> {
    match cmd {
        VerzoekCommand::Decide(args) => decide(db, args).await,
    }
}

async fn decide(db: &str, a: DecideArgs) -> Result<()> {
    let besluit = match &a.refuse {
        Some(code) => Besluit::Afwijzen {
            reden: reden_afwijzing(code)?,
            toelichting: a.toelichting.clone(),
        },
        None => Besluit::Toewijzen {
            einddatum: a.einddatum,
        },
    };
    let store = Store::open(db).await?;
    let opts = IngestOptions {
        now: Utc::now().naive_utc(),
    };
    let d = store
        .decide_verzoek(&a.aanbieder, &a.referentie, &besluit, &a.by, &opts)
        .await?;
    println!(
        "verzoek {}/{} {} by {}: {} RG{:010} sent",
        a.aanbieder,
        a.referentie,
        d.status,
        a.by.trim(),
        d.message_type.name(),
        d.message_id
    );
    if !d.toewijzingen.is_empty() {
        println!("  toewijzing(en): {}", d.toewijzingen.join(", "));
    }
    if let Some(dl) = &d.deadline {
        println!("  final answer: {}", deadline_text(dl));
    }
    match &a.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let path = dir.join(&d.file_name);
            std::fs::write(&path, &d.xml).with_context(|| format!("writing {}", path.display()))?;
            println!("  written to {}", path.display());
        }
        None => println!(
            "  stored as outgoing message {} (write it with --out DIR)",
            d.message_id
        ),
    }
    Ok(())
}
