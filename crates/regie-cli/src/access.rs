//! Toegang commands: `regie case …`, `regie deadlines`, `regie waitlist`,
//! `regie complaints` and `regie simulate-cases`, over the store's event-sourced cases.

use crate::casegen::{self, CaseSimConfig};
use crate::commands::Ctx;
use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, NaiveDateTime};
use clap::{Args, Subcommand};
use regie_access::{
    render, Actor, Case, CaseEvent, ClientGegevens, DeadlineEngine, DeadlineStatus, EventRecord,
    Offset, OffsetUnit, Quarter, Route, WaitNorms,
};
use regie_domain::{AgbCode, Gemeentecode};
use regie_regions::RegionFile;
use regie_store::access::{complaint_register, waiting_list, BW_PLAATS};
use regie_store::{RegionInput, Store};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A span like `14d`, `6w` or `3m` (days, weeks, calendar months).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(pub Offset);

impl FromStr for Span {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let amount: i32 = num
            .parse()
            .map_err(|_| format!("{s:?}: expected a number followed by d, w or m (e.g. 14d)"))?;
        let unit = match unit {
            "d" | "" => OffsetUnit::Days,
            "w" => OffsetUnit::Weeks,
            "m" => OffsetUnit::Months,
            u => return Err(format!("{s:?}: unknown unit {u:?}; use d, w or m")),
        };
        Ok(Span(Offset { amount, unit }))
    }
}

/// A calendar quarter like `2025Q1` or `2025-Q1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterArg(pub Quarter);

impl FromStr for QuarterArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_uppercase().replace('-', "");
        let (y, q) = up
            .split_once('Q')
            .ok_or_else(|| format!("{s:?}: expected YYYYQn, e.g. 2025Q1"))?;
        let year: i32 = y.parse().map_err(|_| format!("{s:?}: bad year"))?;
        let q: u8 = q.parse().map_err(|_| format!("{s:?}: bad quarter"))?;
        if !(1..=4).contains(&q) {
            return Err(format!("{s:?}: quarter must be 1-4"));
        }
        Ok(QuarterArg(Quarter { year, q }))
    }
}

/// An actor on the command line: `regional:NAME`, `toegang:GEMEENTE:NAME`,
/// `provider:AGB`, `client`, `college:GEMEENTE`, `system:SOURCE`, or JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorArg(pub Actor);

impl FromStr for ActorArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim_start().starts_with('{') {
            return serde_json::from_str(s)
                .map(ActorArg)
                .map_err(|e| format!("actor JSON: {e}"));
        }
        let (role, rest) = s.split_once(':').unwrap_or((s, ""));
        let g = |v: &str| {
            v.parse::<Gemeentecode>()
                .map_err(|e| format!("{s:?}: gemeente {v:?}: {e}"))
        };
        let actor = match role {
            "regional" | "rat" => Actor::regional(if rest.is_empty() { "regionaal team" } else { rest }),
            "toegang" => {
                let (code, name) = rest.split_once(':').unwrap_or((rest, "toegang"));
                Actor::toegang(g(code)?, name)
            }
            "provider" => Actor::provider(
                rest.parse::<AgbCode>()
                    .map_err(|e| format!("{s:?}: AGB {rest:?}: {e}"))?,
            ),
            "client" => Actor::Client,
            "college" => Actor::Municipality { gemeente: g(rest)? },
            "system" => Actor::system(if rest.is_empty() { "regie" } else { rest }),
            _ => {
                return Err(format!(
                    "{s:?}: actor is regional:NAME, toegang:GEMEENTE:NAME, provider:AGB, client, college:GEMEENTE or system:SOURCE"
                ))
            }
        };
        Ok(ActorArg(actor))
    }
}

/// A moment: `YYYY-MM-DD` (09:00) or `YYYY-MM-DDTHH:MM[:SS]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At(pub NaiveDateTime);

impl FromStr for At {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(At(d.and_hms_opt(9, 0, 0).expect("time")));
        }
        for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
                return Ok(At(t));
            }
        }
        Err(format!("{s:?}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"))
    }
}

/// `regie case …`.
#[derive(Subcommand, Debug)]
pub enum CaseCommand {
    // Boxed: the optional BRP fields make it much larger than the other variants.
    /// Open a case (aanmelding).
    Open(Box<OpenArgs>),
    /// Apply one event to a case (refused events change nothing).
    Event(EventArgs),
    /// A case's history: who did what when, state changes, open deadlines.
    Show {
        /// Case id.
        case: String,
        /// Deadlines as of this day (default today).
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
    /// List cases with their state.
    List {
        /// Region id; default all.
        #[arg(long)]
        region: Option<String>,
    },
    /// Register a complaint about the provider of a case.
    Complaint(ComplaintArgs),
}

/// Arguments of `regie case open`.
#[derive(Args, Debug)]
pub struct OpenArgs {
    /// Case id.
    #[arg(long)]
    id: String,
    /// Region id; default: the only stored region.
    #[arg(long)]
    region: Option<String>,
    /// Client BSN.
    #[arg(long)]
    bsn: regie_domain::Bsn,
    /// Client birth date.
    #[arg(long)]
    birth_date: NaiveDate,
    /// Municipality of residence (CBS code).
    #[arg(long)]
    gemeente: Gemeentecode,
    /// Living there since (default: the aanmelding date).
    #[arg(long)]
    woont_sinds: Option<NaiveDate>,
    /// Route: maatwerk, bw, bw-perspectiefplan, respijt or safehouse:HERKOMST.
    #[arg(long, default_value = "maatwerk")]
    route: String,
    /// Toegang municipality; default: residence (maatwerk) or centrumgemeente (BW).
    #[arg(long)]
    toegang: Option<Gemeentecode>,
    /// The support question.
    #[arg(long, default_value = "hulpvraag niet vastgelegd")]
    hulpvraag: String,
    /// When (default now).
    #[arg(long)]
    at: Option<At>,
    /// Who (default: toegang worker of the residence).
    #[arg(long)]
    actor: Option<ActorArg>,
    /// BRP achternaam (without voorvoegsel); with the other BRP fields it
    /// lets WMO301s name and address the client.
    #[arg(long, requires_all = ["voorletters", "geslacht", "straat", "huisnummer", "postcode", "plaats"])]
    achternaam: Option<String>,
    /// BRP voorvoegsel, e.g. "van der".
    #[arg(long, requires = "achternaam")]
    voorvoegsel: Option<String>,
    /// Voorletters without dots, e.g. JP.
    #[arg(long, requires = "achternaam")]
    voorletters: Option<String>,
    /// Geslacht: M, V or O (BRP codes).
    #[arg(long, requires = "achternaam")]
    geslacht: Option<String>,
    /// Straatnaam of the woonadres.
    #[arg(long, requires = "achternaam")]
    straat: Option<String>,
    /// Huisnummer.
    #[arg(long, requires = "achternaam")]
    huisnummer: Option<u32>,
    /// Huisletter.
    #[arg(long, requires = "achternaam")]
    huisletter: Option<String>,
    /// Huisnummertoevoeging.
    #[arg(long, requires = "achternaam")]
    toevoeging: Option<String>,
    /// Postcode, 1234AB.
    #[arg(long, requires = "achternaam")]
    postcode: Option<String>,
    /// Woonplaats.
    #[arg(long, requires = "achternaam")]
    plaats: Option<String>,
}

impl OpenArgs {
    /// The BRP data given on the command line, if any (clap enforces that
    /// all required fields come together).
    fn persoonsgegevens(&self) -> Result<Option<regie_domain::Persoonsgegevens>> {
        use regie_domain::persoon::*;
        let Some(achternaam) = &self.achternaam else {
            return Ok(None);
        };
        let need = |v: &Option<String>, what: &str| {
            v.clone()
                .with_context(|| format!("--{what} is required with --achternaam"))
        };
        Ok(Some(Persoonsgegevens {
            geslachtsnaam: Geslachtsnaam {
                voorvoegsel: self.voorvoegsel.clone().map(Voorvoegsel::new).transpose()?,
                achternaam: Achternaam::new(achternaam.clone())?,
            },
            voorletters: Voorletters::new(need(&self.voorletters, "voorletters")?)?,
            naamgebruik: Naamgebruik::Eigen,
            geslacht: Geslacht::from_code(&need(&self.geslacht, "geslacht")?)?,
            adres: regie_domain::Adres {
                straatnaam: Straatnaam::new(need(&self.straat, "straat")?)?,
                huisnummer: Huisnummer::new(
                    self.huisnummer
                        .context("--huisnummer is required with --achternaam")?,
                )?,
                huisletter: self
                    .huisletter
                    .as_deref()
                    .map(Huisletter::new)
                    .transpose()?,
                toevoeging: self
                    .toevoeging
                    .clone()
                    .map(HuisnummerToevoeging::new)
                    .transpose()?,
                postcode: Postcode::new(&need(&self.postcode, "postcode")?)?,
                plaatsnaam: Plaatsnaam::new(need(&self.plaats, "plaats")?)?,
            },
        }))
    }
}

/// Arguments of `regie case event`.
#[derive(Args, Debug)]
pub struct EventArgs {
    /// Case id.
    case: String,
    /// JSON file (`-` for stdin) with an event record `{at, actor, event}` or
    /// a bare event `{"event": "onderzoek_gestart", …}` (then --actor is needed).
    #[arg(long)]
    file: PathBuf,
    /// When (overrides the record's; default now for a bare event).
    #[arg(long)]
    at: Option<At>,
    /// Who (overrides the record's).
    #[arg(long)]
    actor: Option<ActorArg>,
}

/// Arguments of `regie case complaint`.
#[derive(Args, Debug)]
pub struct ComplaintArgs {
    /// Case id.
    case: String,
    /// Date received.
    #[arg(long)]
    date: NaiveDate,
    /// Subject.
    #[arg(long)]
    subject: String,
    /// Provider; default the case's delivering provider or contract partner.
    #[arg(long)]
    provider: Option<AgbCode>,
}

/// Arguments of `regie deadlines`.
#[derive(Args, Debug)]
pub struct DeadlinesArgs {
    /// Horizon: deadlines due within this span of --as-of (14d, 6w, 3m).
    #[arg(long, default_value = "14d")]
    due_within: Span,
    /// Evaluation day (default today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Region id; default all.
    #[arg(long)]
    region: Option<String>,
    /// Only missed deadlines.
    #[arg(long)]
    missed: bool,
}

/// Arguments of `regie waitlist`.
#[derive(Args, Debug)]
pub struct WaitlistArgs {
    /// Evaluation day (default today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Region id; default all.
    #[arg(long)]
    region: Option<String>,
    /// Waiting norm in days for every product (default: the seed rule, six
    /// months for a BW place; none for other products).
    #[arg(long)]
    norm_days: Option<u32>,
}

/// Arguments of `regie complaints`.
#[derive(Args, Debug)]
pub struct ComplaintsArgs {
    /// Quarter, e.g. 2025Q1.
    #[arg(long)]
    quarter: QuarterArg,
    /// Region id; default all.
    #[arg(long)]
    region: Option<String>,
}

/// Arguments of `regie simulate-cases`.
#[derive(Args, Debug)]
pub struct SimulateCasesArgs {
    /// Region file (also loaded into the store).
    #[arg(long)]
    region: PathBuf,
    /// Number of cases.
    #[arg(long)]
    cases: u64,
    /// Random seed: same seed, same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Nothing is dated after this day.
    #[arg(long)]
    as_of: NaiveDate,
    /// Delete the region's stored cases (and their clients' care rows) first.
    #[arg(long)]
    replace: bool,
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly.
fn emit(s: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(s.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

async fn open_store(ctx: &Ctx) -> Result<Store> {
    Store::open(&ctx.db)
        .await
        .with_context(|| format!("opening database {}", ctx.db))
}

async fn only_region(store: &Store, region: Option<String>) -> Result<String> {
    if let Some(r) = region {
        return Ok(r);
    }
    let ids = store.region_ids().await?;
    match ids.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no region stored; run `regie region load FILE` first"),
        _ => bail!("several regions stored ({}); pass --region", ids.join(", ")),
    }
}

fn parse_route(s: &str) -> Result<Route> {
    Ok(match s {
        "maatwerk" => Route::Maatwerk,
        "bw" | "beschermd-wonen" => Route::BeschermdWonen,
        "bw-perspectiefplan" | "hvb" => Route::BeschermdWonenPerspectiefplan,
        "respijt" => Route::Respijt,
        _ => match s.strip_prefix("safehouse:") {
            Some(h) => Route::Safehouse {
                herkomst: h.parse()?,
            },
            None => bail!(
                "route {s:?}: use maatwerk, bw, bw-perspectiefplan, respijt or safehouse:HERKOMST"
            ),
        },
    })
}

/// Dispatches `regie case …`.
pub async fn case(ctx: &Ctx, cmd: CaseCommand) -> Result<()> {
    let store = open_store(ctx).await?;
    match cmd {
        CaseCommand::Open(a) => case_open(&store, *a).await?,
        CaseCommand::Event(a) => case_event(&store, a).await?,
        CaseCommand::Show { case, as_of } => {
            let c = store.case(&case).await?;
            let s = store.case_summary(&case).await?;
            print!("{}", render::history(&c));
            println!(
                "state: {} (region {}, seq {})",
                c.state(),
                s.region_id,
                s.last_seq
            );
            for b in c.bezwaren() {
                println!(
                    "bezwaar tegen {:?}: ingediend {}, {}",
                    b.tegen,
                    b.ingediend_op,
                    match (&b.beslist_op, &b.uitkomst) {
                        (Some(d), Some(u)) => format!("beslist {d}: {u:?}"),
                        _ => "open".into(),
                    }
                );
            }
            let as_of = as_of.unwrap_or_else(today);
            let open: Vec<_> = DeadlineEngine::seeds()
                .evaluate(&c, as_of)
                .into_iter()
                .filter(|d| d.status.is_actionable())
                .collect();
            if !open.is_empty() {
                println!("deadlines needing action as of {as_of}:");
                print!("{}", render::deadlines(&open));
            }
        }
        CaseCommand::List { region } => {
            let mut out = String::new();
            for s in store.case_summaries(region.as_deref()).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\topened {}{}",
                    s.id,
                    s.route,
                    s.state,
                    s.bsn,
                    s.opened_on,
                    s.closed_on
                        .map(|d| format!(", closed {d}"))
                        .unwrap_or_default()
                )
                .unwrap();
            }
            emit(&out)?;
        }
        CaseCommand::Complaint(a) => {
            let c = store.case(&a.case).await?;
            let s = store.case_summary(&a.case).await?;
            let provider = a
                .provider
                .or_else(|| c.toewijzingen().first().map(|t| t.message_path().deliverer))
                .or(c.contractpartner())
                .context("the case has no provider yet; pass --provider")?;
            let gemeente = c.client().municipality_on(a.date);
            let n = store
                .add_complaint(
                    &s.region_id,
                    a.date,
                    provider,
                    gemeente,
                    Some(&a.case),
                    &a.subject,
                    "regie-cli",
                )
                .await?;
            println!(
                "complaint {n} registered: provider {provider}, gemeente {gemeente}, case {}",
                a.case
            );
        }
    }
    store.close().await;
    Ok(())
}

async fn case_open(store: &Store, a: OpenArgs) -> Result<()> {
    let persoonsgegevens = a.persoonsgegevens()?;
    let region = only_region(store, a.region).await?;
    let route = parse_route(&a.route)?;
    let at = a.at.map_or_else(now, |t| t.0);
    let toegang = match a.toegang {
        Some(t) => t,
        None if route.is_regional() => store
            .region(&region)
            .await?
            .centrumgemeente
            .context("the region has no centrumgemeente; pass --toegang")?,
        None => a.gemeente,
    };
    let actor = a
        .actor
        .map(|x| x.0)
        .unwrap_or_else(|| Actor::toegang(a.gemeente, "toegang"));
    let rec = EventRecord::new(
        at,
        actor,
        CaseEvent::Aangemeld {
            case_id: a.id.clone(),
            client: ClientGegevens {
                bsn: a.bsn,
                geboortedatum: a.birth_date,
                gemeente: a.gemeente,
                woont_sinds: a.woont_sinds.unwrap_or(at.date()),
                persoonsgegevens,
            },
            route,
            toegang_gemeente: toegang,
            hulpvraag: a.hulpvraag,
        },
    );
    let c = store.open_case(&region, rec).await?;
    println!(
        "case {} opened in {region}: {:?}, toegang {}, state {}",
        c.id(),
        c.route().kind(),
        c.toegang_gemeente(),
        c.state()
    );
    Ok(())
}

fn read_event(file: &Path, at: Option<At>, actor: Option<ActorArg>) -> Result<EventRecord> {
    let text = if file == Path::new("-") {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
    };
    if let Ok(mut rec) = serde_json::from_str::<EventRecord>(&text) {
        if let Some(t) = at {
            rec.at = t.0;
        }
        if let Some(a) = actor {
            rec.actor = a.0;
        }
        return Ok(rec);
    }
    let event: CaseEvent = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: neither an event record {{at, actor, event}} nor an event",
            file.display()
        )
    })?;
    let actor = actor
        .context("a bare event needs --actor (e.g. regional:NAME, provider:AGB, client)")?
        .0;
    Ok(EventRecord::new(at.map_or_else(now, |t| t.0), actor, event))
}

async fn case_event(store: &Store, a: EventArgs) -> Result<()> {
    let rec = read_event(&a.file, a.at, a.actor)?;
    let kind = rec.event.kind();
    let before = store.case(&a.case).await?;
    let from = before.state().clone();
    let c = store
        .append_case_event(&before, rec)
        .await
        .with_context(|| format!("case {}: {kind}", a.case))?;
    let h = c.history().last().expect("applied");
    println!(
        "case {} seq {}: {} by {} at {} | {} → {}",
        c.id(),
        h.seq,
        kind.label(),
        h.record.actor,
        h.record.at.format("%Y-%m-%d %H:%M"),
        from,
        c.state()
    );
    Ok(())
}

/// `regie deadlines`: actionable deadlines of stored cases, sorted by due date.
pub async fn deadlines(ctx: &Ctx, a: DeadlinesArgs) -> Result<()> {
    let store = open_store(ctx).await?;
    let cases = store.cases(a.region.as_deref()).await?;
    let as_of = a.as_of.unwrap_or_else(today);
    let horizon = a.due_within.0.from(as_of);
    let mut list = DeadlineEngine::seeds().deadlines_for(&cases, as_of, horizon - as_of);
    let is_missed = |d: &regie_access::Deadline| matches!(d.status, DeadlineStatus::Missed { .. });
    let missed = list.iter().filter(|d| is_missed(d)).count();
    if a.missed {
        list.retain(is_missed);
    }
    println!(
        "deadlines as of {as_of}, due by {horizon}: {} of {} cases need action ({} deadlines, {missed} missed)",
        list.iter()
            .map(|d| d.case_id.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        cases.len(),
        list.len()
    );
    let mut out = String::new();
    for d in &list {
        let line = render::deadlines(std::slice::from_ref(d));
        write!(out, "{} {line}", if is_missed(d) { "!!" } else { "  " }).unwrap();
    }
    emit(&out)?;
    store.close().await;
    Ok(())
}

/// The waiting norm for a BW place: the seed rule "plaatsing" (six months) in days.
fn bw_norm_days() -> Option<u32> {
    let rule = DeadlineEngine::seeds()
        .rules()
        .iter()
        .find(|r| r.name == "plaatsing")?
        .offset;
    let base = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    u32::try_from((rule.from(base) - base).num_days()).ok()
}

/// `regie waitlist`: waiting per product × provider, derived from stored cases.
pub async fn waitlist(ctx: &Ctx, a: WaitlistArgs) -> Result<()> {
    let store = open_store(ctx).await?;
    let cases = store.cases(a.region.as_deref()).await?;
    let as_of = a.as_of.unwrap_or_else(today);
    let list = waiting_list(&cases, as_of);
    let mut norms = WaitNorms {
        default_days: a.norm_days,
        per_product: BTreeMap::new(),
    };
    if a.norm_days.is_none() {
        if let Some(n) = bw_norm_days() {
            norms.per_product.insert(BW_PLAATS.to_string(), n);
        }
    }
    let stats = list.stats(as_of, &norms);
    let names = provider_names(&store, &cases).await;
    println!("waiting list as of {as_of} ({} cases)", cases.len());
    println!(
        "{:<26} | {:<44} | {:>7} | {:>6} | {:>6} | {:>5} | {:>5} | {:>9} | {:>12}",
        "product",
        "provider",
        "waiting",
        "mean d",
        "median",
        "max d",
        "norm",
        "over norm",
        "overbrugging"
    );
    for s in &stats {
        println!(
            "{:<26} | {:<44} | {:>7} | {:>6} | {:>6} | {:>5} | {:>5} | {:>9} | {:>12}",
            s.product,
            label(&names, s.provider),
            s.waiting,
            s.mean_days,
            s.median_days,
            s.max_days,
            s.norm_days.map_or("-".into(), |n| n.to_string()),
            if s.over_norm > 0 {
                format!("{} !!", s.over_norm)
            } else {
                "0".into()
            },
            s.with_overbrugging
        );
    }
    let placed: Vec<_> = list
        .placed()
        .iter()
        .filter(|p| p.geplaatst_op <= as_of)
        .collect();
    if !placed.is_empty() {
        let days: i64 = placed.iter().map(|p| p.waited_days()).sum();
        println!(
            "placed so far: {}, mean wait {:.1} days, longest {} days",
            placed.len(),
            days as f64 / placed.len() as f64,
            placed.iter().map(|p| p.waited_days()).max().unwrap_or(0)
        );
    }
    store.close().await;
    Ok(())
}

async fn provider_names(store: &Store, cases: &[Case]) -> BTreeMap<AgbCode, String> {
    let mut names = BTreeMap::new();
    let mut regions: Vec<String> = Vec::new();
    for c in cases {
        if let Ok(s) = store.case_summary(c.id()).await {
            if !regions.contains(&s.region_id) {
                regions.push(s.region_id);
            }
        }
        if regions.len() > 3 {
            break;
        }
    }
    for r in regions {
        if let Ok((doc, src)) = store.region_document(&r).await {
            if let Ok(rf) = regie_regions::parse_region(&doc, &src) {
                for p in rf.providers {
                    names.insert(p.agb, p.name);
                }
            }
        }
    }
    names
}

fn label(names: &BTreeMap<AgbCode, String>, agb: AgbCode) -> String {
    match names.get(&agb) {
        Some(n) => {
            let short: String = n.chars().take(33).collect();
            format!("{agb} {short}")
        }
        None => agb.to_string(),
    }
}

/// `regie complaints`: complaints received in a quarter per provider and municipality.
pub async fn complaints(ctx: &Ctx, a: ComplaintsArgs) -> Result<()> {
    let store = open_store(ctx).await?;
    let all = store.complaints(a.region.as_deref()).await?;
    let reg = complaint_register(&all);
    let q = a.quarter.0;
    let table = reg.quarter_table(q);
    let mut gemeenten: BTreeMap<Gemeentecode, String> = BTreeMap::new();
    let mut providers: BTreeMap<AgbCode, String> = BTreeMap::new();
    for id in store.region_ids().await? {
        if a.region.as_ref().is_some_and(|r| *r != id) {
            continue;
        }
        for (code, name) in store.region(&id).await?.municipalities {
            gemeenten.insert(code, name);
        }
        if let Ok((doc, src)) = store.region_document(&id).await {
            if let Ok(rf) = regie_regions::parse_region(&doc, &src) {
                providers.extend(rf.providers.into_iter().map(|p| (p.agb, p.name)));
            }
        }
    }
    let g_label =
        |g: &Gemeentecode| format!("{g} {}", gemeenten.get(g).map(String::as_str).unwrap_or(""));
    let mut out = String::new();
    let total: usize = table.values().sum();
    writeln!(out, "complaints received in {q}: {total}").unwrap();
    writeln!(
        out,
        "{:<44} | {:<24} | {:>5}",
        "provider", "gemeente", "count"
    )
    .unwrap();
    let mut per_provider: BTreeMap<AgbCode, usize> = BTreeMap::new();
    let mut per_gemeente: BTreeMap<Gemeentecode, usize> = BTreeMap::new();
    for ((p, g), n) in &table {
        writeln!(
            out,
            "{:<44} | {:<24} | {n:>5}",
            label(&providers, *p),
            g_label(g)
        )
        .unwrap();
        *per_provider.entry(*p).or_default() += n;
        *per_gemeente.entry(*g).or_default() += n;
    }
    writeln!(out, "per provider:").unwrap();
    for (p, n) in &per_provider {
        writeln!(out, "  {:<44} {n:>5}", label(&providers, *p)).unwrap();
    }
    writeln!(out, "per gemeente:").unwrap();
    for (g, n) in &per_gemeente {
        writeln!(out, "  {:<44} {n:>5}", g_label(g)).unwrap();
    }
    let handled = all
        .iter()
        .filter(|c| Quarter::of(c.ontvangen_op) == q && c.afgehandeld_op.is_some())
        .count();
    writeln!(out, "handled: {handled} of {total}").unwrap();
    emit(&out)?;
    store.close().await;
    Ok(())
}

fn read_region(file: &Path) -> Result<(RegionFile, String)> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let rf = regie_regions::parse_region(&text, &file.display().to_string())?;
    Ok((rf, text))
}

/// `regie simulate-cases`: deterministic scenario cases into the store.
pub async fn simulate_cases(ctx: &Ctx, a: SimulateCasesArgs) -> Result<()> {
    let (rf, text) = read_region(&a.region)?;
    let store = open_store(ctx).await?;
    store
        .save_region(
            RegionInput {
                region: &rf.region,
                source_file: &a.region.display().to_string(),
                document: &text,
                providers: &rf.providers,
                lots: &rf.lots,
                contracts: &rf.contracts,
            },
            "regie-cli",
        )
        .await?;
    let region_id = rf.region.id().to_string();
    if a.replace {
        let n = store.delete_region_cases(&region_id).await?;
        if n > 0 {
            println!("deleted {n} stored cases of {region_id}");
        }
    }
    let scenario = casegen::generate(
        &rf,
        CaseSimConfig {
            cases: a.cases,
            seed: a.seed,
            as_of: a.as_of,
        },
    )?;
    let pb = if ctx.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(a.cases)
    };
    let mut events = 0usize;
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for stream in scenario.cases {
        let mut it = stream.into_iter();
        let first = it.next().context("empty stream")?;
        let mut case = store
            .open_case(&region_id, first)
            .await
            .context("storing a generated case (pass --replace to simulate afresh)")?;
        events += 1;
        for rec in it {
            case = store.append_case_event(&case, rec).await?;
            events += 1;
        }
        let key = match case.state() {
            s if s.is_closed() => "gesloten".to_string(),
            s => s.to_string(),
        };
        *states.entry(key).or_default() += 1;
        pb.inc(1);
    }
    pb.finish_and_clear();
    for c in &scenario.complaints {
        store
            .add_complaint(
                &region_id,
                c.received_on,
                c.provider,
                c.gemeente,
                Some(&c.case_id),
                &c.subject,
                "regie simulate-cases",
            )
            .await?;
    }
    println!(
        "simulated {} cases ({events} events, {} complaints) for {} as of {}",
        a.cases,
        scenario.complaints.len(),
        rf.region.name(),
        a.as_of
    );
    for (s, n) in states {
        println!("  {s:<28} {n:>6}");
    }
    store.close().await;
    Ok(())
}
