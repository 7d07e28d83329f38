//! The named rules settlement applies, reject reasons, and the outputgericht
//! part-month rule. Every amount in a settlement carries the rules it came
//! from, so these names are part of the explanation a user sees.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A rule applied to compute an amount; carried in traces and explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Inspanningsgericht: units × tariff valid on the delivery date.
    #[serde(rename = "pxq")]
    PxQ,
    /// Declared in minutes against an hourly tariff: (hourly tariff × minutes) / 60,
    /// rounded once (iWmo TR346 / IV081).
    MinutesAgainstHourTariff,
    /// A counted unit (84 stuks inspanning, e.g. a respijt stay) is indivisible:
    /// the whole unit belongs to the first day of the delivery period.
    CountedUnitOnFirstDay,
    /// Outputgericht fee per client-month, pro rata by days in care.
    OutputProRataDays,
    /// Outputgericht fee per client-month, in full for any day in care.
    OutputFullMonth,
    /// Outputgericht fee in full from a minimum number of days, pro rata below.
    OutputFullFromDays,
    /// Outputgericht fee per stuk (not a client-month product).
    OutputPerStuk,
    /// Payer: municipality of residence on the delivery date (woonplaatsbeginsel).
    PayerWoonplaats,
    /// Payer: the centrumgemeente, from its (regional) budget.
    PayerCentrumgemeente,
    /// A delivery period spanning a move or a tariff change is split by days.
    SplitByDays,
    /// Volume above the toewijzing's maximum for the product period was capped.
    VolumeCapped,
    /// Taakgericht: monthly instalment of the annual lumpsum.
    LumpsumInstalment,
    /// Taakgericht: an agreed risk-dossier adjustment.
    RiskAdjustment,
    /// A lumpsum amount divided over municipalities by agreed shares.
    AllocatedByShares,
}

impl Rule {
    /// One-line human description, used by `explain` output.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::PxQ => {
                "inspanningsgericht: declared units x contract tariff on the delivery date"
            }
            Rule::MinutesAgainstHourTariff => {
                "minutes against an hourly tariff: tariff x minutes / 60, rounded once (TR346)"
            }
            Rule::CountedUnitOnFirstDay => {
                "counted unit (stay/arrangement) is indivisible: priced and paid on its first day"
            }
            Rule::OutputProRataDays => {
                "outputgericht client-month fee x days in care / days in month"
            }
            Rule::OutputFullMonth => "outputgericht client-month fee in full for any day in care",
            Rule::OutputFullFromDays => {
                "outputgericht client-month fee in full from the minimum days, pro rata below"
            }
            Rule::OutputPerStuk => "outputgericht fee per stuk",
            Rule::PayerWoonplaats => {
                "woonplaatsbeginsel: the municipality of residence on the delivery date pays"
            }
            Rule::PayerCentrumgemeente => "the centrumgemeente pays from its budget",
            Rule::SplitByDays => "period spans a move or tariff change: split by days",
            Rule::VolumeCapped => {
                "volume above the toewijzing maximum capped (latest deliveries first)"
            }
            Rule::LumpsumInstalment => {
                "taakgericht: annual lumpsum / 12, remainder cents in the last month"
            }
            Rule::RiskAdjustment => "taakgericht: agreed risk-dossier adjustment",
            Rule::AllocatedByShares => {
                "lumpsum divided over municipalities by agreed shares (largest remainder)"
            }
        }
    }
}

impl Rule {
    /// Stable snake_case name (same as the serde form).
    pub fn name(self) -> &'static str {
        match self {
            Rule::PxQ => "pxq",
            Rule::MinutesAgainstHourTariff => "minutes_against_hour_tariff",
            Rule::CountedUnitOnFirstDay => "counted_unit_on_first_day",
            Rule::OutputProRataDays => "output_pro_rata_days",
            Rule::OutputFullMonth => "output_full_month",
            Rule::OutputFullFromDays => "output_full_from_days",
            Rule::OutputPerStuk => "output_per_stuk",
            Rule::PayerWoonplaats => "payer_woonplaats",
            Rule::PayerCentrumgemeente => "payer_centrumgemeente",
            Rule::SplitByDays => "split_by_days",
            Rule::VolumeCapped => "volume_capped",
            Rule::LumpsumInstalment => "lumpsum_instalment",
            Rule::RiskAdjustment => "risk_adjustment",
            Rule::AllocatedByShares => "allocated_by_shares",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a declaration line (or part of its volume) was not paid. The
/// `code()` is stable and meant for stores and return messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Units zero or negative (credits go through a separate correction flow).
    InvalidQuantity,
    /// The line's period is open-ended.
    InvalidPeriod,
    /// The line's period does not lie inside the month being settled.
    OutsideSettlementMonth,
    /// No toewijzing with this number.
    UnknownToewijzing,
    /// The line's client differs from the toewijzing's.
    ClientMismatch,
    /// The line's provider differs from the toewijzing's (hoofdaannemer).
    ProviderMismatch,
    /// The line's product differs from the toegewezen product.
    ProductMismatch,
    /// The product is on none of the region's lots.
    UnknownProduct,
    /// The product is funded taakgericht (lumpsum): no payment per line.
    LumpsumFunded,
    /// The line's period is not covered by the toewijzing.
    OutsideToewijzing,
    /// The provider holds no contract on the lot for the delivery date.
    NoContract,
    /// The product has no tariff on the delivery date.
    NoTariff,
    /// The declared unit is not the toegewezen / contracted unit (IV081).
    UnitMismatch,
    /// The client (needed for the woonplaatsbeginsel) is unknown.
    UnknownClient,
    /// Units above the toewijzing's maximum for the product period (capped).
    OverVolume,
}

impl RejectReason {
    /// Stable short code for storage and return messages.
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::InvalidQuantity => "S01",
            RejectReason::InvalidPeriod => "S02",
            RejectReason::OutsideSettlementMonth => "S03",
            RejectReason::UnknownToewijzing => "S10",
            RejectReason::ClientMismatch => "S11",
            RejectReason::ProviderMismatch => "S12",
            RejectReason::ProductMismatch => "S13",
            RejectReason::UnknownProduct => "S14",
            RejectReason::LumpsumFunded => "S15",
            RejectReason::OutsideToewijzing => "S16",
            RejectReason::NoContract => "S20",
            RejectReason::NoTariff => "S21",
            RejectReason::UnitMismatch => "S22",
            RejectReason::UnknownClient => "S30",
            RejectReason::OverVolume => "S40",
        }
    }

    /// Human description.
    pub fn describe(self) -> &'static str {
        match self {
            RejectReason::InvalidQuantity => "units must be positive",
            RejectReason::InvalidPeriod => "the delivery period must have an end date",
            RejectReason::OutsideSettlementMonth => "delivery period outside the settlement month",
            RejectReason::UnknownToewijzing => "unknown toewijzing",
            RejectReason::ClientMismatch => "client differs from the toewijzing",
            RejectReason::ProviderMismatch => "provider differs from the toewijzing",
            RejectReason::ProductMismatch => "product differs from the toegewezen product",
            RejectReason::UnknownProduct => "product not on any lot",
            RejectReason::LumpsumFunded => "taakgericht product: paid by lumpsum, not per line",
            RejectReason::OutsideToewijzing => "delivery outside the toewijzing period",
            RejectReason::NoContract => "no contract on the lot for the delivery date",
            RejectReason::NoTariff => "no tariff on the delivery date",
            RejectReason::UnitMismatch => {
                "declared unit differs from the toegewezen/contracted unit"
            }
            RejectReason::UnknownClient => "client unknown: residence cannot be determined",
            RejectReason::OverVolume => {
                "volume above the toewijzing maximum for the product period"
            }
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.describe())
    }
}

/// How an outputgericht client-month fee is paid for a month with fewer days
/// in care than the month has (start, stop, or a switch of provider).
///
/// iWmo leaves this to local agreement (Regels op berichten 3.2, IV078: "Voor
/// de outputgerichte uitvoeringsvariant is het aan de gemeente om gezamenlijk
/// met de aanbieder te komen tot een afspraak"). Regie's default is
/// [`PartMonthRule::ProRataDays`]; see `SETTLEMENT.md` for the reasoning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PartMonthRule {
    /// Fee × days in care / days in the month. Default.
    #[default]
    ProRataDays,
    /// The full fee for any month with at least one day in care (the literal
    /// reading of Meierij's "elke maand waarin ondersteuning is geboden").
    FullMonth,
    /// The full fee from `min_days` days in care, pro rata below.
    FullFromDays {
        /// Minimum days in care for the full fee.
        min_days: u32,
    },
}

impl PartMonthRule {
    /// Days of fee earned for `days` in care in a month of `month_days` days:
    /// the fee is `tariff × fee_days / month_days`. Kept as whole days so that
    /// the sum over lines and the volume check are exact (no repeating
    /// fractions such as 10/31).
    pub fn fee_days(self, days: u32, month_days: u32) -> u32 {
        let days = days.min(month_days);
        if days == 0 {
            return 0;
        }
        match self {
            PartMonthRule::ProRataDays => days,
            PartMonthRule::FullMonth => month_days,
            PartMonthRule::FullFromDays { min_days } => {
                if days >= min_days {
                    month_days
                } else {
                    days
                }
            }
        }
    }

    /// The rule name used in traces.
    pub fn rule(self) -> Rule {
        match self {
            PartMonthRule::ProRataDays => Rule::OutputProRataDays,
            PartMonthRule::FullMonth => Rule::OutputFullMonth,
            PartMonthRule::FullFromDays { .. } => Rule::OutputFullFromDays,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_month_fee_days() {
        assert_eq!(PartMonthRule::ProRataDays.fee_days(10, 31), 10);
        assert_eq!(PartMonthRule::ProRataDays.fee_days(0, 31), 0);
        assert_eq!(PartMonthRule::FullMonth.fee_days(1, 28), 28);
        assert_eq!(PartMonthRule::FullMonth.fee_days(0, 28), 0);
        let r = PartMonthRule::FullFromDays { min_days: 15 };
        assert_eq!(r.fee_days(14, 30), 14);
        assert_eq!(r.fee_days(15, 30), 30);
    }

    #[test]
    fn rule_names_are_snake_case() {
        assert_eq!(Rule::PxQ.to_string(), "pxq");
        assert_eq!(serde_json::to_string(&Rule::PxQ).unwrap(), "\"pxq\"");
        assert_eq!(
            serde_json::to_string(&Rule::OutputFullFromDays).unwrap(),
            "\"output_full_from_days\""
        );
        assert_eq!(Rule::PayerWoonplaats.to_string(), "payer_woonplaats");
        assert_eq!(RejectReason::OverVolume.code(), "S40");
    }
}
