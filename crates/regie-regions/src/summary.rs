//! A compact, stable text summary of a region file (used by the CLI and snapshots).

use crate::model::{RegionFile, Span};
use regie_domain::{ContractParty, FundingVariant, PayerRule, ProcurementForm};
use std::fmt::Write;

fn form(p: &ProcurementForm) -> String {
    match p {
        ProcurementForm::OpenHouse { entry_every_months } => {
            format!("open house, entry every {entry_every_months} months")
        }
        ProcurementForm::SelectedPartners { max_partners } => {
            format!("selected partners, max {max_partners}")
        }
        ProcurementForm::SingleConsortium => "single consortium".into(),
    }
}

fn payer(p: &PayerRule) -> String {
    match p {
        PayerRule::Woonplaatsbeginsel => "woonplaatsbeginsel".into(),
        PayerRule::Centrumgemeente { gemeente } => format!("centrumgemeente {gemeente}"),
    }
}

fn funding(f: FundingVariant) -> &'static str {
    match f {
        FundingVariant::Inspanningsgericht => "inspanningsgericht",
        FundingVariant::Outputgericht => "outputgericht",
        FundingVariant::Taakgericht => "taakgericht",
    }
}

impl RegionFile {
    /// A few dozen lines describing the region, lots, contracts, population,
    /// budgets and deadlines, plus counts of assumptions and gaps.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let r = &self.region;
        let _ = writeln!(s, "region {} — {}", r.id(), r.name());
        if let Some(c) = r.centrumgemeente() {
            let _ = writeln!(
                s,
                "  centrumgemeente {c} {}",
                r.municipality_name(c).unwrap_or("?")
            );
        }
        let ms: Vec<String> = r
            .municipalities()
            .iter()
            .map(|m| format!("{} {}", m.code, m.name))
            .collect();
        let _ = writeln!(s, "  municipalities ({}): {}", ms.len(), ms.join(", "));
        for m in &self.membership {
            if let Some(d) = m.member_from {
                let _ = writeln!(s, "  member from {d}: {}", m.gemeente);
            }
        }
        for sr in &self.subregions {
            let codes: Vec<String> = sr.municipalities.iter().map(|g| g.to_string()).collect();
            let _ = writeln!(s, "  subregion {}: {}", sr.id, codes.join(" "));
        }
        let placeholders = self
            .provider_info
            .values()
            .filter(|p| p.placeholder)
            .count();
        let _ = writeln!(
            s,
            "providers {} ({} placeholder), consortia {}",
            self.providers.len(),
            placeholders,
            self.consortia.len()
        );
        for (lot, info) in self.lots.iter().zip(&self.lot_info) {
            let _ = writeln!(
                s,
                "lot {}: {} | {} | {} | {} | {} municipalities",
                lot.id,
                lot.name,
                form(&lot.procurement),
                funding(lot.funding),
                payer(&lot.payer),
                info.municipalities.len()
            );
            for c in &info.payer_changes {
                let _ = writeln!(s, "  from {}: {} ({})", c.from, payer(&c.payer), c.scope);
            }
            if let Some(rc) = &lot.reference_cost {
                let _ = writeln!(s, "  reference cost {}: {}", rc.year, rc.amount);
            }
            for (p, pi) in lot.products.iter().zip(&info.products) {
                let tariff = match (p.tariffs().first(), &pi.tariff_unknown) {
                    (Some(t), _) => format!(
                        "{} per {}{}",
                        t.per_unit,
                        p.unit().label(),
                        if t.assumption.is_some() {
                            " (assumption)"
                        } else {
                            ""
                        }
                    ),
                    (None, Some(_)) => "tariff unknown".into(),
                    (None, None) => "-".into(),
                };
                let _ = writeln!(
                    s,
                    "  product {} cat {} {}{} | unit {} | {}",
                    p.key(),
                    p.categorie(),
                    p.name(),
                    p.level().map(|l| format!(" [{l}]")).unwrap_or_default(),
                    p.unit().code(),
                    tariff
                );
            }
        }
        for c in &self.contracts {
            let party = match &c.party {
                ContractParty::Provider(a) => format!("provider {a}"),
                ContractParty::Consortium(k) => format!(
                    "consortium {} + {}",
                    k.hoofdaannemer(),
                    k.onderaannemers().len()
                ),
            };
            let _ = write!(
                s,
                "contract {} on {}: {} | {} | max end {}",
                c.id,
                c.lot_id,
                party,
                c.period(),
                c.max_end()
            );
            if let Some(l) = &c.lumpsum {
                let total: regie_domain::Money = l.annual_budget.iter().map(|(_, m)| *m).sum();
                let _ = write!(
                    s,
                    " | lumpsum {} years, total {}, bandwidth {}..={}",
                    l.annual_budget.len(),
                    total,
                    l.client_bandwidth.0,
                    l.client_bandwidth.1
                );
            }
            s.push('\n');
        }
        if let Some(p) = &self.population {
            let _ = writeln!(
                s,
                "population {}: {} unique (in region {:?}, outside {:?}), {} municipalities, {} products",
                p.year,
                p.unique_total,
                p.unique_in_region,
                p.unique_outside_region,
                p.municipality_totals.len(),
                p.products.len()
            );
            for q in &p.products {
                let _ = writeln!(
                    s,
                    "  {} {}: {} (age {})",
                    q.lot,
                    q.product,
                    q.unique_total,
                    q.mean_age.map(|a| a.to_string()).unwrap_or("-".into())
                );
            }
        }
        for t in &self.budget_tables {
            let first = t.rows.first().map(|r| format!("{} {}", r.year, r.total));
            let last = t.rows.last().map(|r| format!("{} {}", r.year, r.total));
            let _ = writeln!(
                s,
                "budget table {}: {} rows, {} … {}",
                t.id,
                t.rows.len(),
                first.unwrap_or_default(),
                last.unwrap_or_default()
            );
        }
        for d in &self.deadlines {
            let span = match d.span {
                Span::Days(n) => format!("{n} days"),
                Span::Weeks(n) => format!("{n} weeks"),
                Span::Months(n) => format!("{n} months"),
                Span::Years(n) => format!("{n} years"),
            };
            let _ = writeln!(
                s,
                "deadline {}: {}{}",
                d.id,
                if d.minimum { "at least " } else { "" },
                span
            );
        }
        let _ = writeln!(
            s,
            "reference costs {}, figures {}, milestones {}, kpis {}, gaps {}, assumptions {}",
            self.reference_costs.len(),
            self.figures.len(),
            self.milestones.len(),
            self.kpis.len(),
            self.gaps.len(),
            self.assumptions.len()
        );
        s
    }
}
