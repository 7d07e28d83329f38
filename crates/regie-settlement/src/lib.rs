//! Regie settlement: what a region pays whom for Wmo support, and why.
//!
//! Pure: no IO, no async. The store feeds input structs, the CLI prints the
//! outputs; every output is `serde`-serialisable and every amount carries the
//! trace of its inputs (declaration line, tariff period, rules, payer).
//!
//! # Funding variants
//!
//! * **Inspanningsgericht** (PxQ) — [`settle::settle_month`]: declared units ×
//!   the contract tariff valid on the delivery date (`Product::tariff_on`).
//!   Minutes declared against an hourly tariff: (tariff × minutes) / 60,
//!   rounded once (iWmo TR346). Counted units (84 stuks inspanning: a
//!   respijtverblijf stay, an Amersfoort beschermd-wonen arrangement) are
//!   indivisible and belong to their first day.
//! * **Outputgericht** — a fixed fee per product category per client-month,
//!   declared monthly in arrears (Meierij). Part months follow the lot's
//!   [`rules::PartMonthRule`]; Regie's default is **pro rata by days in care**
//!   (fee × days / days in month). iWmo leaves output part months to local
//!   agreement (Regels op berichten IV078; the Uitvoeringsvarianten table lists
//!   stuks (output) per month with an optional end date, so starts and stops
//!   fall anywhere in a month). Pro rata is chosen because a client who
//!   switches provider mid-month would otherwise be paid twice, and because it
//!   splits exactly when a client moves. `FullMonth` (Meierij's literal "elke
//!   maand waarin ondersteuning is geboden") and `FullFromDays` are available
//!   per lot.
//! * **Taakgericht** — [`lumpsum`]: annual lumpsum per contract partner paid in
//!   monthly instalments (annual / 12, remainder cents in the last month),
//!   budget reduction paths, client count vs bandwidth (665–735 in Hart van
//!   Brabant) with an inflow-driven adjustment proposal for consultation, and
//!   agreed risk-dossier adjustments validated against the risk split
//!   (inflow: municipalities; outflow and intensity: provider).
//!
//! # Volume: capped, not rejected
//!
//! Declared volume is checked per toewijzing per month against the maximum
//! of iWmo IV077/IV078 ([`volume::max_volume`]): per day × days, per week ×
//! calendar weeks touched (and the whole-period total), the full monthly
//! volume for a broken month, totaal minus earlier use. Over-volume is
//! **capped**: the allowed volume is paid, the excess (taken from the latest
//! deliveries first) is refused with reason `S40 over_volume` and reported as
//! a [`settle::VolumeCap`]. Capping rather than rejecting whole lines follows
//! IV078 ("het daadwerkelijk geleverde volume ... met als bovengrens het
//! maximale volume") and does not make a provider re-declare care that was
//! within the order.
//!
//! # Who pays
//!
//! The lot's payer rule, possibly changing over time
//! ([`book::SettlementBook::change_payer`]): woonplaatsbeginsel (the municipality of
//! residence on each delivery date pays; a delivery period spanning a move
//! is split by days, output fees pro rata by days), or a centrumgemeente
//! (Amersfoort beschermd wonen and safehouse, Nijmegen beschermd wonen).
//! Lumpsums are divided over municipalities by agreed shares. Hart van
//! Brabant's transition from historic to objective budget is in
//! [`transition`].
//!
//! # Money
//!
//! `regie_domain::Money` (decimal, cents). Each line part is rounded to
//! cents once; totals are sums of rounded parts, so the sum of the line
//! amounts always equals the total. Splits place remainder cents
//! deliberately ([`split`]).

pub mod book;
pub mod budget;
pub mod explain;
mod fxhash;
pub mod line;
pub mod lumpsum;
pub mod rules;
pub mod settle;
pub mod split;
pub mod tariff;
pub mod transition;
pub mod volume;

pub use book::{BookError, LotEntry, LumpsumContract, SettlementBook};
pub use budget::{
    budget_report, budget_status, commitment, declared_by_payer_lot, BudgetAlert, BudgetInput,
    BudgetKey, BudgetStatus, ForecastSettings, MonthActual,
};
pub use explain::{explain_toewijzing, ToewijzingExplanation};
pub use line::{
    DeclarationLine, LineOutcome, LinePart, PayerBasis, RejectedLine, SettlementLine, TariffUsed,
};
pub use lumpsum::{
    budget_path, instalment_for, instalments, review_bandwidth, AdjustmentProposal,
    BandwidthReview, ClientFlows, LumpsumAllocation, LumpsumError, ReductionPath, RiskAdjustment,
    RiskBearer, RiskCategory,
};
pub use rules::{PartMonthRule, RejectReason, Rule};
pub use settle::{
    explain_line, settle_month, settle_month_with, CapPart, Item, MonthSettlement, NoPriorUsage,
    PriorUsage, RowTotals, SettleInputs, SettlementKey, SettlementRow, SettlementStats,
    ToewijzingUsage, VolumeCap,
};
pub use tariff::{TariffCalculation, TariffError, TariffInput};
pub use transition::{woonplaats_shares, MunicipalityShare, TransitionPath, TransitionRow};
