//! Validation of the raw TOML shape into domain types.

use crate::error::{ErrorKind, PathError};
use crate::model::*;
use crate::population::{PopulationProfile, ProductPopulation};
use crate::raw::*;
use crate::spans::FieldPath;
use chrono::NaiveDate;
use regie_domain::{
    AgbCode, Consortium, Contract, ContractError, ContractParty, FundingVariant, Gemeentecode,
    KvkNummer, Lot, Money, Municipality, PayerRule, Period, ProcurementForm, Product,
    ProductCategorie, ProductCode, Provider, ReferenceCost, Region, TaakgerichtTerms, TariffPeriod,
    Unit, YearMonth,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::str::FromStr;

type R<T> = Result<T, PathError>;

fn err<T>(path: &FieldPath, kind: ErrorKind) -> R<T> {
    Err(PathError::new(path, kind))
}

struct Cx {
    sources: Vec<String>,
    assumptions: Vec<Assumption>,
    members: BTreeSet<Gemeentecode>,
}

impl Cx {
    fn source(&self, s: &str, path: &FieldPath) -> R<()> {
        let head = s
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
            .next()
            .unwrap_or("");
        if self.sources.iter().any(|id| id == head) {
            Ok(())
        } else {
            err(path, ErrorKind::UnknownSource(s.to_string()))
        }
    }

    fn assume(&mut self, text: &Option<String>, path: &FieldPath) -> R<()> {
        if let Some(t) = text {
            text_nonempty(t, path)?;
            self.assumptions.push(Assumption {
                path: path.to_string(),
                text: t.clone(),
            });
        }
        Ok(())
    }

    fn member(&self, s: &str, path: &FieldPath) -> R<Gemeentecode> {
        let g = gemeente(s, path)?;
        if !self.members.contains(&g) {
            return err(path, ErrorKind::NotMember(g.to_string()));
        }
        Ok(g)
    }
}

fn text_nonempty(t: &str, path: &FieldPath) -> R<()> {
    if t.trim().is_empty() {
        return err(
            path,
            ErrorKind::InvalidValue("explanation must not be empty".into()),
        );
    }
    Ok(())
}

fn gemeente(s: &str, path: &FieldPath) -> R<Gemeentecode> {
    s.parse().map_err(|e: regie_domain::IdError| {
        PathError::new(path, ErrorKind::InvalidValue(e.to_string()))
    })
}

fn agb(s: &str, path: &FieldPath) -> R<AgbCode> {
    s.parse().map_err(|e: regie_domain::IdError| {
        PathError::new(path, ErrorKind::InvalidValue(e.to_string()))
    })
}

fn date(d: &toml::value::Datetime, path: &FieldPath) -> R<NaiveDate> {
    match (d.date, d.time, d.offset) {
        (Some(x), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(x.year), u32::from(x.month), u32::from(x.day))
                .ok_or_else(|| {
                    PathError::new(
                        path,
                        ErrorKind::InvalidAmountOrDate(format!("no such date {d}")),
                    )
                })
        }
        _ => err(
            path,
            ErrorKind::InvalidAmountOrDate(format!(
                "expected a plain date like 2027-01-01, got {d}"
            )),
        ),
    }
}

fn decimal(a: &Amount, path: &FieldPath) -> R<Decimal> {
    Decimal::from_str(a.0.trim()).map_err(|_| {
        PathError::new(
            path,
            ErrorKind::InvalidAmountOrDate(format!("expected a decimal number, got {:?}", a.0)),
        )
    })
}

fn money(a: &Amount, path: &FieldPath) -> R<Money> {
    let d = decimal(a, path)?;
    if d.scale() > 2 && d.normalize().scale() > 2 {
        return err(
            path,
            ErrorKind::InvalidAmountOrDate(format!(
                "amount {:?} has more than two decimals; money is exact to the cent",
                a.0
            )),
        );
    }
    Ok(Money::from_euros(d))
}

fn unique<'a>(items: impl Iterator<Item = (&'a str, FieldPath)>, what: &'static str) -> R<()> {
    let mut seen = HashSet::new();
    for (id, p) in items {
        if id.trim().is_empty() {
            return err(
                &p,
                ErrorKind::InvalidValue(format!("{what} id must not be empty")),
            );
        }
        if !seen.insert(id.to_string()) {
            return err(
                &p,
                ErrorKind::Duplicate {
                    what,
                    id: id.to_string(),
                },
            );
        }
    }
    Ok(())
}

fn payer(raw: &RawPayer, path: &FieldPath, cx: &Cx, region: &Region) -> R<PayerRule> {
    Ok(match raw {
        RawPayer::Woonplaatsbeginsel => PayerRule::Woonplaatsbeginsel,
        RawPayer::Centrumgemeente { gemeente } => {
            let p = path.key("gemeente");
            let g = cx.member(gemeente, &p)?;
            if let Some(c) = region.centrumgemeente() {
                if c != g {
                    return err(
                        &p,
                        ErrorKind::Region(format!(
                            "payer {g} is not the region's centrumgemeente {c}"
                        )),
                    );
                }
            }
            PayerRule::Centrumgemeente { gemeente: g }
        }
    })
}

fn lot_ref<'a>(lots: &'a [Lot], id: &str, path: &FieldPath) -> R<&'a Lot> {
    lots.iter().find(|l| l.id == id).ok_or_else(|| {
        PathError::new(
            path,
            ErrorKind::UnknownReference {
                what: "lot",
                id: id.to_string(),
            },
        )
    })
}

fn opt_lot(lots: &[Lot], id: &Option<String>, path: &FieldPath) -> R<()> {
    if let Some(id) = id {
        lot_ref(lots, id, path)?;
    }
    Ok(())
}

fn when(s: &str, path: &FieldPath) -> R<When> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(When::Date(d));
    }
    if let Ok(m) = s.parse::<YearMonth>() {
        return Ok(When::Month(m));
    }
    err(
        path,
        ErrorKind::InvalidAmountOrDate(format!("expected YYYY-MM-DD or YYYY-MM, got {s:?}")),
    )
}

/// Converts and validates a parsed file.
pub(crate) fn convert(raw: RawFile, origin: &str) -> R<RegionFile> {
    let root = FieldPath::root();
    if raw.format != 1 {
        return err(&root.key("format"), ErrorKind::Format(raw.format));
    }

    // Sources first: every other `source` must cite one of them.
    let sp = root.key("sources");
    unique(
        raw.sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), sp.index(i).key("id"))),
        "source",
    )?;
    let sources: Vec<Source> = raw
        .sources
        .iter()
        .map(|s| Source {
            id: s.id.clone(),
            file: s.file.clone(),
            title: s.title.clone(),
        })
        .collect();
    let mut cx = Cx {
        sources: sources.iter().map(|s| s.id.clone()).collect(),
        assumptions: Vec::new(),
        members: BTreeSet::new(),
    };

    // Region.
    let rp = root.key("region");
    cx.source(&raw.region.source, &rp.key("source"))?;
    let mut municipalities = Vec::new();
    let mut membership = Vec::new();
    for (i, m) in raw.region.municipalities.iter().enumerate() {
        let mp = rp.key("municipalities").index(i);
        let code = gemeente(&m.code, &mp.key("code"))?;
        if !cx.members.insert(code) {
            return err(
                &mp.key("code"),
                ErrorKind::Duplicate {
                    what: "municipality",
                    id: code.to_string(),
                },
            );
        }
        let member_from = m
            .member_from
            .as_ref()
            .map(|d| date(d, &mp.key("member_from")))
            .transpose()?;
        if member_from.is_some() || m.note.is_some() {
            membership.push(MembershipNote {
                gemeente: code,
                member_from,
                note: m.note.clone(),
            });
        }
        municipalities.push(Municipality {
            code,
            name: m.name.clone(),
        });
    }
    let centrum = match &raw.region.centrumgemeente {
        Some(c) => Some(cx.member(c, &rp.key("centrumgemeente"))?),
        None => None,
    };
    let region = Region::new(&raw.region.id, &raw.region.name, municipalities, centrum)
        .map_err(|e| PathError::new(&rp, ErrorKind::Region(e.to_string())))?;

    let srp = rp.key("subregions");
    unique(
        raw.region
            .subregions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), srp.index(i).key("id"))),
        "subregion",
    )?;
    let mut subregions = Vec::new();
    for (i, s) in raw.region.subregions.iter().enumerate() {
        let p = srp.index(i);
        cx.source(&s.source, &p.key("source"))?;
        let mut ms = Vec::new();
        for (j, g) in s.municipalities.iter().enumerate() {
            ms.push(cx.member(g, &p.key("municipalities").index(j))?);
        }
        subregions.push(Subregion {
            id: s.id.clone(),
            name: s.name.clone(),
            municipalities: ms,
            source: s.source.clone(),
        });
    }

    // Providers and consortia.
    let pp = root.key("providers");
    let mut providers = Vec::new();
    let mut provider_info = BTreeMap::new();
    for (i, p) in raw.providers.iter().enumerate() {
        let path = pp.index(i);
        let code = agb(&p.agb, &path.key("agb"))?;
        if provider_info.contains_key(&code) {
            return err(
                &path.key("agb"),
                ErrorKind::Duplicate {
                    what: "provider AGB code",
                    id: code.to_string(),
                },
            );
        }
        let kvk = p
            .kvk
            .as_ref()
            .map(|k| {
                k.parse::<KvkNummer>().map_err(|e| {
                    PathError::new(&path.key("kvk"), ErrorKind::InvalidValue(e.to_string()))
                })
            })
            .transpose()?;
        match (&p.source, p.placeholder) {
            (Some(s), _) => cx.source(s, &path.key("source"))?,
            (None, true) => {}
            (None, false) => {
                return err(
                    &path,
                    ErrorKind::InvalidValue(
                        "a provider must be marked placeholder = true or cite a source".into(),
                    ),
                )
            }
        }
        provider_info.insert(
            code,
            ProviderInfo {
                placeholder: p.placeholder,
                note: p.note.clone(),
                source: p.source.clone(),
            },
        );
        providers.push(Provider {
            agb: code,
            kvk,
            name: p.name.clone(),
            admission: Default::default(),
        });
    }
    let known_provider = |s: &str, path: &FieldPath| -> R<AgbCode> {
        let a = agb(s, path)?;
        if !provider_info.contains_key(&a) {
            return err(
                path,
                ErrorKind::UnknownReference {
                    what: "provider",
                    id: a.to_string(),
                },
            );
        }
        Ok(a)
    };

    let cp = root.key("consortia");
    unique(
        raw.consortia
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), cp.index(i).key("id"))),
        "consortium",
    )?;
    let mut consortia = Vec::new();
    for (i, c) in raw.consortia.iter().enumerate() {
        let path = cp.index(i);
        let main = known_provider(&c.hoofdaannemer, &path.key("hoofdaannemer"))?;
        let mut subs = Vec::new();
        for (j, s) in c.onderaannemers.iter().enumerate() {
            subs.push(known_provider(s, &path.key("onderaannemers").index(j))?);
        }
        let consortium = Consortium::new(main, subs).map_err(|e| {
            PathError::new(
                &path.key("onderaannemers"),
                ErrorKind::InvalidValue(e.to_string()),
            )
        })?;
        consortia.push(NamedConsortium {
            id: c.id.clone(),
            name: c.name.clone(),
            consortium,
            placeholder: c.placeholder,
            note: c.note.clone(),
        });
    }

    // Lots with products and tariffs.
    let lp = root.key("lots");
    unique(
        raw.lots
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.as_str(), lp.index(i).key("id"))),
        "lot",
    )?;
    let mut lots = Vec::new();
    let mut lot_info = Vec::new();
    for (i, l) in raw.lots.iter().enumerate() {
        let path = lp.index(i);
        let (lot, info) = convert_lot(l, &path, &mut cx, &region, &subregions)?;
        lots.push(lot);
        lot_info.push(info);
    }

    // Contracts.
    let kp = root.key("contracts");
    unique(
        raw.contracts
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), kp.index(i).key("id"))),
        "contract",
    )?;
    let mut contracts: Vec<Contract> = Vec::new();
    let mut contract_info = Vec::new();
    for (i, c) in raw.contracts.iter().enumerate() {
        let path = kp.index(i);
        cx.source(&c.source, &path.key("source"))?;
        cx.assume(&c.assumption, &path)?;
        let lot = lot_ref(&lots, &c.lot, &path.key("lot"))?;
        let party = match (&c.provider, &c.consortium) {
            (Some(p), None) => ContractParty::Provider(known_provider(p, &path.key("provider"))?),
            (None, Some(id)) => {
                let nc = consortia.iter().find(|x| &x.id == id).ok_or_else(|| {
                    PathError::new(
                        &path.key("consortium"),
                        ErrorKind::UnknownReference {
                            what: "consortium",
                            id: id.clone(),
                        },
                    )
                })?;
                ContractParty::Consortium(nc.consortium.clone())
            }
            _ => {
                return err(
                    &path,
                    ErrorKind::Contract(
                        "a contract needs exactly one of provider = \"AGB\" or consortium = \"id\""
                            .into(),
                    ),
                )
            }
        };
        let start = date(&c.start, &path.key("start"))?;
        let lumpsum = match &c.lumpsum {
            None => None,
            Some(ls) => {
                let lsp = path.key("lumpsum");
                cx.source(&ls.source, &lsp.key("source"))?;
                cx.assume(&ls.assumption, &lsp)?;
                let [lo, hi] = ls.client_bandwidth;
                if lo > hi {
                    return err(
                        &lsp.key("client_bandwidth"),
                        ErrorKind::Contract(format!("bandwidth minimum {lo} exceeds maximum {hi}")),
                    );
                }
                let mut budget = Vec::new();
                for (j, y) in ls.annual_budget.iter().enumerate() {
                    let yp = lsp.key("annual_budget").index(j);
                    if budget.last().is_some_and(|(prev, _)| *prev >= y.year) {
                        return err(
                            &yp.key("year"),
                            ErrorKind::Contract(format!(
                                "budget years must ascend without repeats, got {} after {}",
                                y.year,
                                budget.last().map(|(p, _)| *p).unwrap_or_default()
                            )),
                        );
                    }
                    budget.push((y.year, money(&y.amount, &yp.key("amount"))?));
                }
                Some(TaakgerichtTerms {
                    annual_budget: budget,
                    client_bandwidth: (lo, hi),
                })
            }
        };
        let mut options = c.extension_options.clone();
        options.extend(std::iter::repeat_n(1, c.tacit_yearly_extensions as usize));
        let contract = Contract::new(
            &c.id,
            lot,
            party,
            start,
            c.initial_years,
            options,
            c.max_years,
            lumpsum,
        )
        .map_err(|e| {
            let field = match e {
                ContractError::NoTerm => path.key("initial_years"),
                ContractError::TooLong { .. } => path.key("max_years"),
                ContractError::LumpsumMismatch if c.lumpsum.is_some() => path.key("lumpsum"),
                _ => path.clone(),
            };
            let msg = match e {
                ContractError::LumpsumMismatch => {
                    format!("{e} (lot {:?} is {:?})", lot.id, lot.funding)
                }
                _ => e.to_string(),
            };
            PathError::new(&field, ErrorKind::Contract(msg))
        })?;
        if let Some(terms) = &contract.lumpsum {
            let (first, last) = (
                start.format("%Y").to_string(),
                contract.max_end().format("%Y").to_string(),
            );
            let (first, last): (i32, i32) = (first.parse().unwrap_or(0), last.parse().unwrap_or(0));
            for (j, (y, _)) in terms.annual_budget.iter().enumerate() {
                if *y < first || *y > last {
                    return err(
                        &path
                            .key("lumpsum")
                            .key("annual_budget")
                            .index(j)
                            .key("year"),
                        ErrorKind::Contract(format!(
                            "budget year {y} lies outside the contract's years {first}–{last}"
                        )),
                    );
                }
            }
        }
        contract_info.push(ContractInfo {
            id: c.id.clone(),
            tacit_yearly_extensions: c.tacit_yearly_extensions,
            source: c.source.clone(),
            assumption: c.assumption.clone(),
            lumpsum_assumption: c.lumpsum.as_ref().and_then(|l| l.assumption.clone()),
            lumpsum_source: c.lumpsum.as_ref().map(|l| l.source.clone()),
        });
        contracts.push(contract);
    }
    check_procurement(&lots, &contracts, &kp)?;

    // Population.
    let population = match &raw.population {
        None => None,
        Some(p) => Some(convert_population(
            p,
            &root.key("population"),
            &mut cx,
            &lots,
        )?),
    };

    // Budget tables.
    let bp = root.key("budget_tables");
    unique(
        raw.budget_tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.as_str(), bp.index(i).key("id"))),
        "budget table",
    )?;
    let mut budget_tables = Vec::new();
    for (i, t) in raw.budget_tables.iter().enumerate() {
        let path = bp.index(i);
        cx.source(&t.source, &path.key("source"))?;
        let tol = money(&t.rounding_tolerance, &path.key("rounding_tolerance"))?;
        let mut rows: Vec<BudgetRow> = Vec::new();
        for (j, r) in t.rows.iter().enumerate() {
            let rp = path.key("rows").index(j);
            if rows.last().is_some_and(|prev| prev.year >= r.year) {
                return err(
                    &rp.key("year"),
                    ErrorKind::Budget(format!("years must ascend without repeats, got {}", r.year)),
                );
            }
            let row = BudgetRow {
                year: r.year,
                historic: money(&r.historic, &rp.key("historic"))?,
                objective: money(&r.objective, &rp.key("objective"))?,
                total: money(&r.total, &rp.key("total"))?,
            };
            let diff = row.historic + row.objective - row.total;
            let abs = if diff.is_negative() { -diff } else { diff };
            if abs > tol {
                return err(
                    &rp.key("total"),
                    ErrorKind::Budget(format!(
                        "historic {} + objective {} = {}, but total is {} (tolerance {})",
                        row.historic,
                        row.objective,
                        row.historic + row.objective,
                        row.total,
                        tol
                    )),
                );
            }
            rows.push(row);
        }
        budget_tables.push(BudgetTable {
            id: t.id.clone(),
            name: t.name.clone(),
            source: t.source.clone(),
            rounding_tolerance: tol,
            rows,
        });
    }

    // Other cost figures.
    let np = root.key("reference_costs");
    unique(
        raw.reference_costs
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), np.index(i).key("id"))),
        "reference cost",
    )?;
    let mut reference_costs = Vec::new();
    for (i, c) in raw.reference_costs.iter().enumerate() {
        let path = np.index(i);
        cx.source(&c.source, &path.key("source"))?;
        opt_lot(&lots, &c.lot, &path.key("lot"))?;
        if let Some(s) = &c.subregion {
            if !subregions.iter().any(|x| &x.id == s) {
                return err(
                    &path.key("subregion"),
                    ErrorKind::UnknownReference {
                        what: "subregion",
                        id: s.clone(),
                    },
                );
            }
        }
        reference_costs.push(NamedCost {
            id: c.id.clone(),
            name: c.name.clone(),
            lot: c.lot.clone(),
            subregion: c.subregion.clone(),
            cost: ReferenceCost {
                year: c.year,
                amount: money(&c.amount, &path.key("amount"))?,
                source: c.source.clone(),
            },
            approximate: c.approximate,
        });
    }

    // Figures.
    let fp = root.key("figures");
    unique(
        raw.figures
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.as_str(), fp.index(i).key("id"))),
        "figure",
    )?;
    let mut figures = Vec::new();
    for (i, f) in raw.figures.iter().enumerate() {
        let path = fp.index(i);
        cx.source(&f.source, &path.key("source"))?;
        opt_lot(&lots, &f.lot, &path.key("lot"))?;
        figures.push(Figure {
            id: f.id.clone(),
            description: f.description.clone(),
            value: decimal(&f.value, &path.key("value"))?,
            unit: f.unit.clone(),
            year: f.year,
            date: f
                .date
                .as_ref()
                .map(|d| date(d, &path.key("date")))
                .transpose()?,
            gemeente: f
                .gemeente
                .as_ref()
                .map(|g| cx.member(g, &path.key("gemeente")))
                .transpose()?,
            lot: f.lot.clone(),
            approximate: f.approximate,
            source: f.source.clone(),
        });
    }

    // Deadlines.
    let dp = root.key("deadlines");
    unique(
        raw.deadlines
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), dp.index(i).key("id"))),
        "deadline",
    )?;
    let mut deadlines = Vec::new();
    for (i, d) in raw.deadlines.iter().enumerate() {
        let path = dp.index(i);
        cx.source(&d.source, &path.key("source"))?;
        opt_lot(&lots, &d.lot, &path.key("lot"))?;
        let spans: Vec<Span> = [
            d.days.map(Span::Days),
            d.weeks.map(Span::Weeks),
            d.months.map(Span::Months),
            d.years.map(Span::Years),
        ]
        .into_iter()
        .flatten()
        .collect();
        let span = match spans.as_slice() {
            [s] => *s,
            _ => {
                return err(
                    &path,
                    ErrorKind::InvalidAmountOrDate(
                        "a deadline needs exactly one of days, weeks, months or years".into(),
                    ),
                )
            }
        };
        if matches!(
            span,
            Span::Days(0) | Span::Weeks(0) | Span::Months(0) | Span::Years(0)
        ) {
            return err(
                &path,
                ErrorKind::InvalidAmountOrDate("a deadline cannot be zero".into()),
            );
        }
        deadlines.push(Deadline {
            id: d.id.clone(),
            name: d.name.clone(),
            lot: d.lot.clone(),
            span,
            minimum: d.minimum,
            starts_at: d.starts_at.clone(),
            source: d.source.clone(),
        });
    }

    // Milestones.
    let mp = root.key("milestones");
    unique(
        raw.milestones
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), mp.index(i).key("id"))),
        "milestone",
    )?;
    let mut milestones = Vec::new();
    for (i, m) in raw.milestones.iter().enumerate() {
        let path = mp.index(i);
        cx.source(&m.source, &path.key("source"))?;
        opt_lot(&lots, &m.lot, &path.key("lot"))?;
        let w = when(&m.when, &path.key("when"))?;
        let until = m
            .until
            .as_ref()
            .map(|u| when(u, &path.key("until")))
            .transpose()?;
        if let Some(u) = until {
            let first_day = |x: When| match x {
                When::Date(d) => d,
                When::Month(m) => m.first_day(),
            };
            if first_day(u) < first_day(w) {
                return err(
                    &path.key("until"),
                    ErrorKind::InvalidAmountOrDate("until lies before when".into()),
                );
            }
        }
        milestones.push(Milestone {
            id: m.id.clone(),
            name: m.name.clone(),
            when: w,
            until,
            lot: m.lot.clone(),
            source: m.source.clone(),
        });
    }

    // KPIs, gaps.
    let ip = root.key("kpis");
    unique(
        raw.kpis
            .iter()
            .enumerate()
            .map(|(i, k)| (k.id.as_str(), ip.index(i).key("id"))),
        "kpi",
    )?;
    let mut kpis = Vec::new();
    for (i, k) in raw.kpis.iter().enumerate() {
        let path = ip.index(i);
        cx.source(&k.source, &path.key("source"))?;
        opt_lot(&lots, &k.lot, &path.key("lot"))?;
        kpis.push(Kpi {
            id: k.id.clone(),
            name: k.name.clone(),
            lot: k.lot.clone(),
            frequency: k.frequency.clone(),
            source: k.source.clone(),
        });
    }
    let mut gaps = Vec::new();
    for (i, g) in raw.gaps.iter().enumerate() {
        cx.source(&g.source, &root.key("gaps").index(i).key("source"))?;
        gaps.push(Gap {
            what: g.what.clone(),
            source: g.source.clone(),
        });
    }

    Ok(RegionFile {
        origin: origin.to_string(),
        region,
        membership,
        subregions,
        sources,
        providers,
        provider_info,
        consortia,
        lots,
        lot_info,
        contracts,
        contract_info,
        population,
        budget_tables,
        reference_costs,
        figures,
        deadlines,
        milestones,
        kpis,
        gaps,
        notes: raw.notes,
        assumptions: cx.assumptions,
    })
}

fn convert_lot(
    l: &RawLot,
    path: &FieldPath,
    cx: &mut Cx,
    region: &Region,
    subregions: &[Subregion],
) -> R<(Lot, LotInfo)> {
    cx.source(&l.source, &path.key("source"))?;
    cx.assume(&l.assumption, path)?;
    let funding = match l.funding.as_str() {
        "inspanningsgericht" => FundingVariant::Inspanningsgericht,
        "outputgericht" => FundingVariant::Outputgericht,
        "taakgericht" => FundingVariant::Taakgericht,
        other => {
            return err(
                &path.key("funding"),
                ErrorKind::InvalidValue(format!(
                "funding must be inspanningsgericht, outputgericht or taakgericht, got {other:?}"
            )),
            )
        }
    };
    let procurement = match l.procurement {
        RawProcurement::OpenHouse { entry_every_months } => {
            if entry_every_months == 0 {
                return err(
                    &path.key("procurement").key("entry_every_months"),
                    ErrorKind::InvalidValue("entry_every_months must be at least 1".into()),
                );
            }
            ProcurementForm::OpenHouse { entry_every_months }
        }
        RawProcurement::SelectedPartners { max_partners } => {
            if max_partners == 0 {
                return err(
                    &path.key("procurement").key("max_partners"),
                    ErrorKind::InvalidValue("max_partners must be at least 1".into()),
                );
            }
            ProcurementForm::SelectedPartners { max_partners }
        }
        RawProcurement::SingleConsortium => ProcurementForm::SingleConsortium,
    };
    let payer_rule = payer(&l.payer, &path.key("payer"), cx, region)?;
    let mut payer_changes: Vec<PayerChange> = Vec::new();
    for (j, c) in l.payer_changes.iter().enumerate() {
        let cp = path.key("payer_changes").index(j);
        cx.source(&c.source, &cp.key("source"))?;
        let from = date(&c.from, &cp.key("from"))?;
        if payer_changes.last().is_some_and(|p| p.from >= from) {
            return err(
                &cp.key("from"),
                ErrorKind::InvalidAmountOrDate("payer changes must be in date order".into()),
            );
        }
        payer_changes.push(PayerChange {
            from,
            payer: payer(&c.payer, &cp.key("payer"), cx, region)?,
            scope: c.scope.clone(),
            source: c.source.clone(),
        });
    }
    let municipalities = match (&l.municipalities, &l.subregion) {
        (Some(_), Some(_)) => {
            return err(
                &path.key("subregion"),
                ErrorKind::Shape("give municipalities or subregion, not both".into()),
            )
        }
        (Some(ms), None) => {
            let mut v = Vec::new();
            for (j, g) in ms.iter().enumerate() {
                v.push(cx.member(g, &path.key("municipalities").index(j))?);
            }
            v
        }
        (None, Some(s)) => subregions
            .iter()
            .find(|x| &x.id == s)
            .ok_or_else(|| {
                PathError::new(
                    &path.key("subregion"),
                    ErrorKind::UnknownReference {
                        what: "subregion",
                        id: s.clone(),
                    },
                )
            })?
            .municipalities
            .clone(),
        (None, None) => region.municipalities().iter().map(|m| m.code).collect(),
    };
    let reference_cost = match &l.reference_cost {
        None => None,
        Some(c) => {
            cx.source(&c.source, &path.key("reference_cost").key("source"))?;
            Some(ReferenceCost {
                year: c.year,
                amount: money(&c.amount, &path.key("reference_cost").key("amount"))?,
                source: if c.approximate {
                    format!("circa; {}", c.source)
                } else {
                    c.source.clone()
                },
            })
        }
    };

    let mut products = Vec::new();
    let mut infos = Vec::new();
    let mut keys = HashSet::new();
    for (j, p) in l.products.iter().enumerate() {
        let pp = path.key("products").index(j);
        let (product, info) = convert_product(p, &pp, cx)?;
        if !keys.insert(product.key()) {
            return err(
                &pp.key(if p.code.is_some() {
                    "code"
                } else {
                    "categorie"
                }),
                ErrorKind::Duplicate {
                    what: "product key in lot (give each product its own code)",
                    id: product.key(),
                },
            );
        }
        products.push(product);
        infos.push(info);
    }
    let lot = Lot {
        id: l.id.clone(),
        name: l.name.clone(),
        procurement,
        funding,
        payer: payer_rule,
        products,
        reference_cost,
    };
    let info = LotInfo {
        id: l.id.clone(),
        municipalities,
        subregion: l.subregion.clone(),
        payer_changes,
        description: l.description.clone(),
        source: l.source.clone(),
        assumption: l.assumption.clone(),
        products: infos,
    };
    Ok((lot, info))
}

fn convert_product(p: &RawProduct, path: &FieldPath, cx: &mut Cx) -> R<(Product, ProductInfo)> {
    cx.source(&p.source, &path.key("source"))?;
    cx.assume(&p.assumption, path)?;
    let categorie: ProductCategorie = p.categorie.parse().map_err(|e: regie_domain::IdError| {
        PathError::new(
            &path.key("categorie"),
            ErrorKind::InvalidValue(e.to_string()),
        )
    })?;
    let code = p
        .code
        .as_ref()
        .map(|c| {
            c.parse::<ProductCode>().map_err(|e| {
                PathError::new(&path.key("code"), ErrorKind::InvalidValue(e.to_string()))
            })
        })
        .transpose()?;
    if let Some(c) = code {
        if !c.as_str().starts_with(categorie.as_str()) {
            return err(
                &path.key("code"),
                ErrorKind::InvalidValue(format!(
                    "productcode {c} does not start with its categorie {categorie}"
                )),
            );
        }
    }
    let unit = Unit::from_code(&p.unit).ok_or_else(|| {
        PathError::new(
            &path.key("unit"),
            ErrorKind::InvalidValue(format!(
                "unit must be a WJ756 code (01 minuut, 04 uur, 14 etmaal, 16 dagdeel, 82 stuks output, 83 euro, 84 stuks inspanning), got {:?}",
                p.unit
            )),
        )
    })?;
    if let Some(r) = &p.tariff_unknown {
        text_nonempty(r, &path.key("tariff_unknown"))?;
    }
    if p.tariffs.is_empty() && p.tariff_unknown.is_none() {
        return err(path, ErrorKind::MissingTariff);
    }
    let mut tariffs: Vec<(usize, TariffPeriod)> = Vec::new();
    for (k, t) in p.tariffs.iter().enumerate() {
        let tp = path.key("tariffs").index(k);
        if let Some(s) = &t.source {
            cx.source(s, &tp.key("source"))?;
        }
        if t.assumption.is_none() && t.source.is_none() {
            return err(
                &tp,
                ErrorKind::Tariff(
                    "a tariff must cite its source or explain itself with assumption = \"...\""
                        .into(),
                ),
            );
        }
        if p.tariff_unknown.is_some() && t.assumption.is_none() {
            return err(
                &tp,
                ErrorKind::Tariff(
                    "product says tariff_unknown, so each tariff must be an assumption".into(),
                ),
            );
        }
        cx.assume(&t.assumption, &tp)?;
        let start = date(&t.start, &tp.key("start"))?;
        let end = t
            .end
            .as_ref()
            .map(|e| date(e, &tp.key("end")))
            .transpose()?;
        let valid = Period::new(start, end).map_err(|e| {
            PathError::new(
                &tp.key("end"),
                ErrorKind::InvalidAmountOrDate(e.to_string()),
            )
        })?;
        let per_unit = money(&t.per_unit, &tp.key("per_unit"))?;
        if per_unit.is_negative() {
            return err(
                &tp.key("per_unit"),
                ErrorKind::Tariff(format!("negative tariff {per_unit}")),
            );
        }
        for (k0, prev) in &tariffs {
            if prev.valid.overlaps(&valid) {
                return err(
                    &tp.key("start"),
                    ErrorKind::Tariff(format!(
                        "tariff period {valid} overlaps tariffs[{k0}] ({})",
                        prev.valid
                    )),
                );
            }
        }
        tariffs.push((
            k,
            TariffPeriod {
                valid,
                per_unit,
                assumption: t.assumption.clone(),
            },
        ));
    }
    let product = Product::new(
        categorie,
        code,
        &p.name,
        unit,
        p.level.clone(),
        tariffs.into_iter().map(|(_, t)| t).collect(),
    )
    .map_err(|e| PathError::new(path, ErrorKind::Tariff(e.to_string())))?;
    let info = ProductInfo {
        key: product.key(),
        description: p.description.clone(),
        source: p.source.clone(),
        assumption: p.assumption.clone(),
        tariff_unknown: p.tariff_unknown.clone(),
    };
    Ok((product, info))
}

/// Checks the number and timing of contracts against each lot's procurement form.
fn check_procurement(lots: &[Lot], contracts: &[Contract], kp: &FieldPath) -> R<()> {
    for lot in lots {
        let on: Vec<(usize, &Contract)> = contracts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.lot_id == lot.id)
            .collect();
        let max_period =
            |c: &Contract| Period::new(c.start, Some(c.max_end())).expect("end after start");
        match lot.procurement {
            ProcurementForm::SelectedPartners { max_partners } => {
                for (i, c) in &on {
                    let n = on
                        .iter()
                        .filter(|(_, d)| max_period(d).contains(c.start))
                        .count();
                    if n > max_partners as usize {
                        return err(
                            &kp.index(*i),
                            ErrorKind::Procurement(format!(
                                "lot {:?} allows at most {max_partners} contract partners, but {n} contracts run on {}",
                                lot.id, c.start
                            )),
                        );
                    }
                }
            }
            ProcurementForm::SingleConsortium => {
                for (a, (i, c)) in on.iter().enumerate() {
                    for (_, d) in &on[..a] {
                        if max_period(c).overlaps(&max_period(d)) {
                            return err(
                                &kp.index(*i),
                                ErrorKind::Procurement(format!(
                                    "lot {:?} has one contract partner, but contracts {:?} and {:?} overlap",
                                    lot.id, d.id, c.id
                                )),
                            );
                        }
                    }
                }
            }
            ProcurementForm::OpenHouse { .. } => {
                if let Some(first) = on.iter().map(|(_, c)| c.start).min() {
                    for (i, c) in &on {
                        if lot.procurement.next_entry_date(first, c.start) != Some(c.start) {
                            return err(
                                &kp.index(*i).key("start"),
                                ErrorKind::Procurement(format!(
                                    "open house lot {:?}: entry on {} is not an entry window (next: {})",
                                    lot.id,
                                    c.start,
                                    lot.procurement
                                        .next_entry_date(first, c.start)
                                        .map(|d| d.to_string())
                                        .unwrap_or_default()
                                )),
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn convert_population(
    p: &RawPopulation,
    path: &FieldPath,
    cx: &mut Cx,
    lots: &[Lot],
) -> R<PopulationProfile> {
    cx.source(&p.source, &path.key("source"))?;
    cx.assume(&p.unique_total_assumption, &path.key("unique_total"))?;
    let pop = |msg: String| ErrorKind::Population(msg);
    let mut municipality_totals = BTreeMap::new();
    for (k, v) in &p.municipality_totals {
        let g = cx.member(k, &path.key("municipality_totals").key(k.clone()))?;
        if *v > p.unique_total {
            return err(
                &path.key("municipality_totals").key(k.clone()),
                pop(format!(
                    "{v} clients in {g} exceed unique_total {}",
                    p.unique_total
                )),
            );
        }
        municipality_totals.insert(g, *v);
    }
    if let Some(inr) = p.unique_in_region {
        if inr > p.unique_total {
            return err(
                &path.key("unique_in_region"),
                pop(format!(
                    "unique_in_region {inr} exceeds unique_total {}",
                    p.unique_total
                )),
            );
        }
        let sum: u32 = municipality_totals.values().sum();
        if !municipality_totals.is_empty() && sum < inr {
            return err(
                &path.key("municipality_totals"),
                pop(format!(
                    "municipality totals add up to {sum}, fewer than the {inr} unique clients in the region"
                )),
            );
        }
    }
    if let Some(out) = p.unique_outside_region {
        if out > p.unique_total {
            return err(
                &path.key("unique_outside_region"),
                pop(format!(
                    "unique_outside_region {out} exceeds unique_total {}",
                    p.unique_total
                )),
            );
        }
    }
    if let (Some(inr), Some(out)) = (p.unique_in_region, p.unique_outside_region) {
        if inr + out < p.unique_total {
            return err(
                &path.key("unique_total"),
                pop(format!(
                    "{inr} in region + {out} outside = {}, fewer than unique_total {}",
                    inr + out,
                    p.unique_total
                )),
            );
        }
    }
    let mut products = Vec::new();
    let mut seen = HashSet::new();
    for (i, q) in p.products.iter().enumerate() {
        let qp = path.key("products").index(i);
        let lot = lot_ref(lots, &q.lot, &qp.key("lot"))?;
        if lot.product(&q.product).is_none() {
            return err(
                &qp.key("product"),
                ErrorKind::UnknownReference {
                    what: "product in that lot",
                    id: q.product.clone(),
                },
            );
        }
        if !seen.insert((q.lot.clone(), q.product.clone())) {
            return err(
                &qp.key("product"),
                ErrorKind::Duplicate {
                    what: "population product",
                    id: q.product.clone(),
                },
            );
        }
        if q.unique_total > p.unique_total {
            return err(
                &qp.key("unique_total"),
                pop(format!(
                    "product has {} clients, more than the region's unique_total {}",
                    q.unique_total, p.unique_total
                )),
            );
        }
        let mean_age = q
            .mean_age
            .as_ref()
            .map(|a| decimal(a, &qp.key("mean_age")))
            .transpose()?;
        if let Some(a) = mean_age {
            if a < Decimal::ZERO || a > Decimal::from(120) {
                return err(
                    &qp.key("mean_age"),
                    pop(format!("mean age {a} is not a human age")),
                );
            }
        }
        let mut by = BTreeMap::new();
        for (k, v) in &q.by_municipality {
            let kp = qp.key("by_municipality").key(k.clone());
            let g = cx.member(k, &kp)?;
            if *v > q.unique_total {
                return err(
                    &kp,
                    pop(format!(
                        "{v} clients in {g} exceed the product's unique_total {}",
                        q.unique_total
                    )),
                );
            }
            if let Some(t) = municipality_totals.get(&g) {
                if v > t {
                    return err(
                        &kp,
                        pop(format!(
                            "{v} clients in {g} exceed that municipality's total {t}"
                        )),
                    );
                }
            }
            by.insert(g, *v);
        }
        if q.outside_region > q.unique_total {
            return err(
                &qp.key("outside_region"),
                pop(format!(
                    "outside_region {} exceeds the product's unique_total {}",
                    q.outside_region, q.unique_total
                )),
            );
        }
        let covered: u32 = by.values().sum::<u32>() + q.outside_region;
        if !by.is_empty() && covered < q.unique_total {
            return err(
                &qp.key("by_municipality"),
                pop(format!(
                    "municipality counts plus outside_region add up to {covered}, fewer than unique_total {}: every client lives somewhere",
                    q.unique_total
                )),
            );
        }
        products.push(ProductPopulation {
            product: q.product.clone(),
            lot: q.lot.clone(),
            unique_total: q.unique_total,
            mean_age,
            by_municipality: by,
            outside_region: q.outside_region,
        });
    }
    if !products.is_empty() {
        let sum: u32 = products.iter().map(|q| q.unique_total).sum();
        if sum < p.unique_total {
            return err(
                &path.key("unique_total"),
                pop(format!(
                    "unique_total {} exceeds the sum of product totals {sum}",
                    p.unique_total
                )),
            );
        }
    }
    Ok(PopulationProfile {
        year: p.year,
        source: p.source.clone(),
        unique_total: p.unique_total,
        unique_in_region: p.unique_in_region,
        unique_outside_region: p.unique_outside_region,
        municipality_totals,
        products,
    })
}
