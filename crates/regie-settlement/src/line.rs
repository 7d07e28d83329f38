//! Declaration lines (input) and priced lines with their trace (output).

use crate::rules::{RejectReason, Rule};
use regie_domain::{AgbCode, Bsn, Gemeentecode, Money, PayerRule, Period, ProductRef, Unit};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One declared delivery (iWmo prestatie), as the store or codec hands it to
/// settlement.
///
/// For inspanningsgericht products `period` is normally a single delivery
/// date; a longer period (e.g. a monthly prestatie) is split by days when it
/// spans a move or a tariff change. For outputgericht client-month fees
/// `period` is the days in care within the month and `units` the number of
/// fees (normally 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationLine {
    /// The provider's reference for the line (iWmo ReferentieNummer).
    pub reference: String,
    /// Declaring provider (hoofdaannemer).
    pub provider: AgbCode,
    /// ToewijzingNummer the delivery executes.
    pub toewijzing: String,
    /// Client.
    pub client: Bsn,
    /// Delivered product (always with a code in iWmo declarations).
    pub product: ProductRef,
    /// Delivery date(s), inclusive; must lie inside the settlement month.
    pub period: Period,
    /// Declared volume.
    pub units: Decimal,
    /// Unit of `units`.
    pub unit: Unit,
}

/// The tariff a part was priced with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TariffUsed {
    /// Product key.
    pub product: String,
    /// Validity of the tariff period used.
    pub valid: Period,
    /// Price per unit (per client-month for outputgericht fees).
    pub per_unit: Money,
    /// Set when the tariff is a marked assumption rather than a contract figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
}

/// How the payer of a part was determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerBasis {
    /// The lot's payer rule in force on `on`.
    pub rule: PayerRule,
    /// Municipality of residence on `on`, when the rule needed it.
    pub residence: Option<Gemeentecode>,
    /// The date the determination refers to (first day of the part).
    pub on: chrono::NaiveDate,
}

/// A part of a line with one payer and one tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePart {
    /// Paying municipality.
    pub payer: Gemeentecode,
    /// Why this municipality pays.
    pub payer_basis: PayerBasis,
    /// First day of the part.
    pub from: chrono::NaiveDate,
    /// Last day of the part.
    pub to: chrono::NaiveDate,
    /// Settled volume of the part (fee-days for outputgericht client-month fees).
    pub units: Decimal,
    /// What the tariff is divided by: days in the month for client-month fees
    /// (amount = tariff × fee-days / days), 60 for minutes against an hourly tariff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divisor: Option<u32>,
    /// Amount, rounded to cents.
    pub amount: Money,
    /// Tariff used.
    pub tariff: TariffUsed,
    /// Rules applied.
    pub rules: Vec<Rule>,
}

/// What happened to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LineOutcome {
    /// Priced; the parts sum to `amount`. A later volume cap on the
    /// toewijzing is reported separately (see `VolumeCap`).
    Accepted {
        /// Parts per payer/tariff.
        parts: Vec<LinePart>,
        /// Sum of the parts.
        amount: Money,
    },
    /// Not payable.
    Rejected {
        /// Why.
        reason: RejectReason,
    },
}

/// A settled declaration line with the full trace of its amount: the unit of
/// explanation (`regie settle explain`) and of persistence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementLine {
    /// The input line.
    pub line: DeclarationLine,
    /// Lot id, when the product was found.
    pub lot: Option<String>,
    /// Result.
    pub outcome: LineOutcome,
}

impl SettlementLine {
    /// The settled amount (zero when rejected).
    pub fn amount(&self) -> Money {
        match &self.outcome {
            LineOutcome::Accepted { amount, .. } => *amount,
            LineOutcome::Rejected { .. } => Money::ZERO,
        }
    }

    /// Human-readable explanation: the line, each part with its tariff,
    /// payer determination and rules.
    pub fn explain(&self) -> String {
        use std::fmt::Write;
        let l = &self.line;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "line {} | toewijzing {} | client {} | provider {} | product {}{}",
            l.reference,
            l.toewijzing,
            l.client,
            l.provider,
            l.product.key(),
            self.lot
                .as_deref()
                .map(|x| format!(" (lot {x})"))
                .unwrap_or_default()
        );
        let _ = writeln!(
            s,
            "  declared {} {} over {}",
            l.units,
            l.unit.label(),
            l.period
        );
        match &self.outcome {
            LineOutcome::Rejected { reason } => {
                let _ = writeln!(s, "  REJECTED {reason}");
            }
            LineOutcome::Accepted { parts, amount } => {
                for (i, p) in parts.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "  part {}: {} t/m {}: {}{} x {} (tariff {} valid {}){} = {}",
                        i + 1,
                        p.from,
                        p.to,
                        p.units,
                        p.divisor.map(|d| format!("/{d}")).unwrap_or_default(),
                        p.tariff.per_unit,
                        p.tariff.product,
                        p.tariff.valid,
                        p.tariff
                            .assumption
                            .as_deref()
                            .map(|a| format!(" [ASSUMED: {a}]"))
                            .unwrap_or_default(),
                        p.amount
                    );
                    let payer = match (p.payer_basis.rule, p.payer_basis.residence) {
                        (PayerRule::Woonplaatsbeginsel, Some(r)) => format!(
                            "woonplaatsbeginsel: resident of {r} on {}",
                            p.payer_basis.on
                        ),
                        (PayerRule::Centrumgemeente { gemeente }, _) => {
                            format!("centrumgemeente {gemeente}")
                        }
                        (rule, _) => format!("{rule:?}"),
                    };
                    let _ = writeln!(s, "    paid by {} ({payer})", p.payer);
                    for r in &p.rules {
                        let _ = writeln!(s, "    rule {r}: {}", r.describe());
                    }
                }
                let _ = writeln!(s, "  total {amount}");
            }
        }
        s
    }
}

/// A line that was not paid, kept in the month settlement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RejectedLine {
    /// Provider reference.
    pub reference: String,
    /// Toewijzing.
    pub toewijzing: String,
    /// Provider.
    pub provider: AgbCode,
    /// Client.
    pub client: Bsn,
    /// Product key.
    pub product: String,
    /// Period.
    pub period: Period,
    /// Units.
    pub units: Decimal,
    /// Reason.
    pub reason: RejectReason,
}

impl RejectedLine {
    pub(crate) fn from_line(l: &DeclarationLine, reason: RejectReason) -> Self {
        RejectedLine {
            reference: l.reference.clone(),
            toewijzing: l.toewijzing.clone(),
            provider: l.provider,
            client: l.client,
            product: l.product.key(),
            period: l.period,
            units: l.units,
            reason,
        }
    }
}
