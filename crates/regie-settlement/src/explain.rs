//! Explanations: everything needed to show how an amount came about, for
//! `regie settle explain`. A single line is explained by
//! [`crate::settle::explain_line`]; a toewijzing-month (all its lines plus the
//! volume check) by [`explain_toewijzing`].

use crate::line::{DeclarationLine, SettlementLine};
use crate::settle::{settle_month_with, SettleInputs, VolumeCap};
use crate::volume::{max_volume, VolumeContext};
use regie_domain::{Money, Scope, YearMonth};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;

/// All lines of one toewijzing in one month, the volume check and the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToewijzingExplanation {
    /// Toewijzing.
    pub toewijzing: String,
    /// Month.
    pub month: YearMonth,
    /// Ordered volume in words, e.g. "3 uur per_week".
    pub ordered: String,
    /// Maximum for the month, if the toewijzing has a volume.
    pub allowed: Option<Decimal>,
    /// Each line with its trace.
    pub lines: Vec<SettlementLine>,
    /// Cap applied, if any.
    pub cap: Option<VolumeCap>,
    /// Settled after the cap.
    pub settled: Money,
}

impl ToewijzingExplanation {
    /// Human-readable form.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Toewijzing {} in {}: ordered {}",
            self.toewijzing, self.month, self.ordered
        );
        match self.allowed {
            Some(a) => {
                let _ = writeln!(s, "Maximum this month (IV077/IV078): {a}");
            }
            None => {
                let _ = writeln!(s, "No volume to check");
            }
        }
        for l in &self.lines {
            s.push_str(&l.explain());
        }
        if let Some(c) = &self.cap {
            let _ = writeln!(
                s,
                "CAPPED: declared {} > allowed {}: {} units, {} removed ({})",
                c.declared, c.allowed, c.capped_units, c.capped_amount, c.reason
            );
            for p in &c.parts {
                let _ = writeln!(
                    s,
                    "  from deliveries paid by {}: {} units, {}",
                    p.payer, p.units, p.amount
                );
            }
        }
        let _ = writeln!(s, "Settled: {}", self.settled);
        s
    }
}

/// Explains one toewijzing's month: re-settles only its lines (the volume
/// check is per toewijzing, so this equals its share of the full settlement).
pub fn explain_toewijzing<I>(
    month: YearMonth,
    inputs: &SettleInputs<'_>,
    lines: I,
    toewijzing: &str,
) -> ToewijzingExplanation
where
    I: IntoIterator,
    I::Item: Borrow<DeclarationLine>,
{
    let mut traced = Vec::new();
    let own = lines
        .into_iter()
        .filter(|l| l.borrow().toewijzing == toewijzing);
    let result = settle_month_with(month, inputs, own, |l| traced.push(l.clone()));
    let t = inputs.book.toewijzing(toewijzing);
    let ordered = match t.map(|t| t.scope) {
        Some(Scope::Volume(o)) => format!("{} {} {:?}", o.volume, o.unit.label(), o.frequentie),
        Some(Scope::Budget(b)) => format!("budget {b}"),
        Some(Scope::Unspecified) => "no volume (client-month / aspecifiek)".into(),
        None => "unknown toewijzing".into(),
    };
    let allowed = t.and_then(|t| {
        let lot = inputs.book.lot(&lot_id_of(inputs, toewijzing)?)?;
        max_volume(
            t,
            month,
            VolumeContext {
                variant: lot.funding,
                part_month: lot.part_month,
                huishoudelijke_hulp: t.product.categorie.as_str() == "01",
            },
            inputs.prior.accepted_units(toewijzing),
        )
    });
    ToewijzingExplanation {
        toewijzing: toewijzing.to_string(),
        month,
        ordered,
        allowed,
        lines: traced,
        cap: result.caps.into_iter().next(),
        settled: result
            .rows
            .iter()
            .filter(|r| matches!(r.key.item, crate::settle::Item::Product(_)))
            .map(|r| r.totals.amount)
            .sum(),
    }
}

fn lot_id_of(inputs: &SettleInputs<'_>, toewijzing: &str) -> Option<String> {
    let i = inputs.book.toewijzing_idx(toewijzing)?;
    Some(
        inputs
            .book
            .lot_at(inputs.book.toewijzing_at(i).lot)
            .id
            .clone(),
    )
}
