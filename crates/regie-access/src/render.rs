//! Plain-text renderings of a case history and a deadline list, for the CLI
//! and for review in snapshot tests.

use crate::case::Case;
use crate::deadline::{Deadline, DeadlineStatus};
use crate::event::{Bestemming, BezwaarUitkomst, CaseEvent, Fact};
use std::fmt::Write;

fn detail(ev: &CaseEvent) -> String {
    use CaseEvent as E;
    match ev {
        E::Aangemeld {
            case_id, client, ..
        } => format!("case {case_id}, client woont in {}", client.gemeente),
        E::WlzVerwezen { reden } => reden.clone(),
        E::WlzBesluit {
            toegekend,
            ingangsdatum,
        } => match (toegekend, ingangsdatum) {
            (true, Some(d)) => format!("toegekend per {d}"),
            (true, None) => "toegekend".into(),
            (false, _) => "afgewezen".into(),
        },
        E::DatAfgegeven {
            contractpartner, ..
        } => format!("contractpartner {contractpartner}"),
        E::PerspectiefplanOpgesteld { plan } => format!(
            "beschikking {} ({}), {} evaluatiemomenten",
            plan.beschikking.id,
            plan.beschikking.duur,
            plan.evaluatiemomenten.len()
        ),
        E::PerspectiefplanReactie { akkoord } => {
            if *akkoord { "akkoord" } else { "niet akkoord" }.into()
        }
        E::BeschikkingAfgegeven { beschikking } | E::Afgeschaald { beschikking } => format!(
            "{} {} ({})",
            beschikking.id,
            beschikking.product.key(),
            beschikking.duur
        ),
        E::Afgewezen { dagtekening, .. } => format!("dagtekening {dagtekening}"),
        E::Toegewezen { toewijzing, .. } => format!(
            "{} aan {} ({})",
            toewijzing.id, toewijzing.provider, toewijzing.period
        ),
        E::OnderaannemerGekozen {
            toewijzing_id,
            onderaannemer,
        } => format!("{toewijzing_id} geleverd door {onderaannemer}"),
        E::OverbruggingszorgIngezet {
            aanbieder, start, ..
        } => {
            format!("door {aanbieder} vanaf {start}")
        }
        E::ZorgGestart {
            toewijzing_id,
            start,
        } => format!("{toewijzing_id} per {start}"),
        E::Geevalueerd { datum, .. } => format!("op {datum}"),
        E::ToewijzingBeeindigd {
            toewijzing_id,
            einde,
            reden,
        } => format!("{toewijzing_id} t/m {einde}, reden {:02}", reden.0),
        E::Uitgestroomd {
            laatste_dag,
            bestemming,
        } => {
            let b = match bestemming {
                Bestemming::LokaalTeam { gemeente } => format!("lokaal team {gemeente}"),
                Bestemming::Beeindigd => "beëindigd".into(),
                Bestemming::TerugNaarHerkomst { gemeente } => format!("terug naar {gemeente}"),
                Bestemming::Overleden => "overleden".into(),
            };
            format!("t/m {laatste_dag}, {b}")
        }
        E::Ingetrokken { reden } => reden.clone(),
        E::BezwaarIngediend { ingediend_op, .. } => format!("ingediend {ingediend_op}"),
        E::BezwaarBeslist {
            beslist_op,
            uitkomst,
        } => {
            let u = match uitkomst {
                BezwaarUitkomst::Gegrond { .. } => "gegrond",
                BezwaarUitkomst::Ongegrond => "ongegrond",
                BezwaarUitkomst::NietOntvankelijk => "niet-ontvankelijk",
            };
            format!("{u} op {beslist_op}")
        }
        E::Verhuisd { naar, datum } => format!("naar {naar} per {datum}"),
        E::OnderzoekGestart | E::HerbeoordelingGestart | E::AfwijzingOnherroepelijk => {
            String::new()
        }
    }
}

fn fact(f: &Fact) -> String {
    match f {
        Fact::NieuweBeschikking { id, einde } => match einde {
            Some(e) => format!("beschikking {id} geldt t/m {e}"),
            None => format!("beschikking {id} geldt"),
        },
        Fact::EvaluatiesGepland { data } => format!(
            "evaluaties gepland: {}",
            data.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Fact::BeslistermijnAnker { datum } => format!("beslistermijn loopt vanaf {datum}"),
        Fact::ToewijzingGestopt { id, einde, reden } => {
            format!("{id} beëindigd t/m {einde} (reden {:02})", reden.0)
        }
        Fact::OverbruggingGestopt { einde } => format!("overbruggingszorg t/m {einde}"),
        Fact::ToegangOvergedragen { van, naar } => format!("toegang {van} → {naar}"),
        Fact::Gesloten => "dossier gesloten".into(),
    }
}

/// One line per event: seq, time, actor, event, state change, details; derived
/// facts on indented lines below.
pub fn history(case: &Case) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "case {} ({:?}), client {}, toegang {}",
        case.id(),
        case.route().kind(),
        case.bsn(),
        case.toegang_gemeente()
    )
    .unwrap();
    for h in case.history() {
        let from = h
            .from
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "–".into());
        let d = detail(&h.record.event);
        writeln!(
            out,
            "{:>3} {} | {:<32} | {:<34} | {} → {}{}",
            h.seq,
            h.record.at.format("%Y-%m-%d %H:%M"),
            h.record.actor.to_string(),
            h.record.event.kind().label(),
            from,
            h.to,
            if d.is_empty() {
                String::new()
            } else {
                format!(" | {d}")
            }
        )
        .unwrap();
        for f in &h.facts {
            writeln!(out, "      · {}", fact(f)).unwrap();
        }
    }
    out
}

/// A deadline list as a table, in the given order.
pub fn deadlines(list: &[Deadline]) -> String {
    let mut out = String::new();
    for d in list {
        let status = match &d.status {
            DeadlineStatus::Open => "open".to_string(),
            DeadlineStatus::Met { on } => format!("gehaald {on}"),
            DeadlineStatus::Missed {
                overdue_days,
                closed_on: None,
            } => format!("GEMIST, {overdue_days} dagen te laat"),
            DeadlineStatus::Missed {
                overdue_days,
                closed_on: Some(c),
            } => format!("GEMIST, {overdue_days} dagen te laat (afgerond {c})"),
            DeadlineStatus::Vervallen { on } => format!("vervallen {on}"),
        };
        writeln!(
            out,
            "{} | {:<10} | {:<26} | {:<20} | anker {} | {}",
            d.due,
            d.case_id,
            d.rule,
            d.owner.label(),
            d.anchor_date,
            status
        )
        .unwrap();
    }
    out
}
