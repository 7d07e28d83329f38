//! Maximum declarable volume per product period (a calendar month), following
//! iWmo "Regels op berichten 3.2" IV077/IV078.
//!
//! This deliberately differs from `regie_domain::Toewijzing::units_allowed`,
//! which pro-rates part weeks and part months: that is the right measure for
//! *expected* use (commitments, forecasts, see [`crate::budget`]), but the
//! standard lets a provider declare the full weekly volume for a broken
//! calendar week and the full monthly volume for a broken month, and
//! settlement must not reject what the standard allows.

use crate::rules::PartMonthRule;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use regie_domain::{Frequentie, FundingVariant, Period, Scope, Toewijzing, YearMonth};
use rust_decimal::Decimal;

/// Distinct ISO calendar weeks that a closed period touches (IV077 counts
/// "weeknummers", so a broken week counts as one).
pub fn iso_weeks(p: &Period) -> u32 {
    let Some(end) = p.end() else { return 0 };
    // ISO weeks run Monday–Sunday, so the weeks touched are those between
    // the Monday on or before the start and the Monday on or before the end.
    let monday = |d: NaiveDate| d - Days::new(u64::from(d.weekday().num_days_from_monday()));
    ((monday(end) - monday(p.start())).num_days() / 7 + 1) as u32
}

/// Sundays in a closed period (outputgericht week volumes, IV077).
pub fn sundays(p: &Period) -> u32 {
    let Some(end) = p.end() else { return 0 };
    let start = p.start();
    let to_sun =
        (7 + Weekday::Sun.num_days_from_monday() - start.weekday().num_days_from_monday()) % 7;
    let first = start + Days::new(u64::from(to_sun));
    if first > end {
        return 0;
    }
    ((end - first).num_days() / 7 + 1) as u32
}

/// What the volume check of one toewijzing in one month needs to know.
#[derive(Debug, Clone, Copy)]
pub struct VolumeContext {
    /// Funding variant of the product's lot.
    pub variant: FundingVariant,
    /// Part-month rule (outputgericht client-month products only).
    pub part_month: PartMonthRule,
    /// Whether the product is a huishoudelijke hulp product (categorie 01):
    /// IV077 then allows 6 × the weekly volume per month.
    pub huishoudelijke_hulp: bool,
}

/// Whether an outputgericht toewijzing is a client-month fee (volume per
/// month, or no volume at all): then lines are measured in fee-days.
pub fn is_client_month_fee(t: &Toewijzing) -> bool {
    match t.scope {
        Scope::Unspecified => true,
        Scope::Volume(o) => o.frequentie == Frequentie::PerMaand,
        Scope::Budget(_) => false,
    }
}

/// The most a toewijzing allows to be settled in `month`, in the units the
/// settlement accumulates (declared units; fee-days for outputgericht
/// client-month fees). `prior` is what earlier months already accepted, for
/// limits over the whole toewijzing period. `None`: no volume to check
/// (aspecifiek, budget toewijzingen).
pub fn max_volume(
    t: &Toewijzing,
    month: YearMonth,
    ctx: VolumeContext,
    prior: Decimal,
) -> Option<Decimal> {
    let overlap = t.period.intersect(&month.period())?;
    let overlap_days = overlap.days().expect("month is closed") as u32;
    let month_days = month.days();
    let output = ctx.variant == FundingVariant::Outputgericht;
    let remaining = |total: Decimal| (total - prior).max(Decimal::ZERO);
    let allowed = match t.scope {
        Scope::Budget(_) => return None,
        Scope::Unspecified if output => {
            Decimal::from(ctx.part_month.fee_days(overlap_days, month_days))
        }
        Scope::Unspecified => return None,
        Scope::Volume(o) => {
            let v = Decimal::from(o.volume);
            match (output, o.frequentie) {
                // Client-month fee: fee-days, per month.
                (true, Frequentie::PerMaand) => {
                    v * Decimal::from(ctx.part_month.fee_days(overlap_days, month_days))
                }
                (true, Frequentie::PerWeek) => {
                    // IV077 output: Sundays in the product period, plus one
                    // week when the toewijzing's last Sunday lies in this
                    // month and the toewijzing does not end on a Sunday.
                    let mut weeks = sundays(&overlap);
                    if let Some(end) = t.period.end() {
                        if end.weekday() != Weekday::Sun {
                            let last_sunday = last_sunday_on_or_before(end);
                            if overlap.contains(last_sunday) {
                                weeks += 1;
                            }
                        }
                    }
                    v * Decimal::from(weeks)
                }
                (_, Frequentie::PerDag) => v * Decimal::from(overlap_days),
                (false, Frequentie::PerMaand) => v, // IV078: full volume for a broken month
                (false, Frequentie::PerWeek) => {
                    let per_month = if ctx.huishoudelijke_hulp {
                        v * Decimal::from(6)
                    } else {
                        v * Decimal::from(iso_weeks(&overlap))
                    };
                    // IV077: also check against the whole toewijzing period.
                    match t.period.end() {
                        Some(_) => {
                            per_month.min(remaining(v * Decimal::from(iso_weeks(&t.period))))
                        }
                        None => per_month,
                    }
                }
                (_, Frequentie::Totaal) => remaining(v),
            }
        }
    };
    Some(allowed)
}

fn last_sunday_on_or_before(d: NaiveDate) -> NaiveDate {
    let back = (d.weekday().num_days_from_monday() + 1) % 7;
    d - Days::new(u64::from(back))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regie_domain::{Omvang, ProductRef, Unit};
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn tw(start: NaiveDate, end: NaiveDate, volume: u32, unit: Unit, f: Frequentie) -> Toewijzing {
        Toewijzing {
            id: "T".into(),
            beschikking_id: "B".into(),
            client: "111222333".parse().unwrap(),
            provider: "12345678".parse().unwrap(),
            product: ProductRef {
                categorie: "02".parse().unwrap(),
                code: None,
            },
            scope: Scope::Volume(Omvang {
                volume,
                unit,
                frequentie: f,
            }),
            period: Period::new(start, Some(end)).unwrap(),
            reden_wijziging: None,
        }
    }

    const INSP: VolumeContext = VolumeContext {
        variant: FundingVariant::Inspanningsgericht,
        part_month: PartMonthRule::ProRataDays,
        huishoudelijke_hulp: false,
    };

    #[test]
    fn iv077_inspanning_week_example() {
        // IV077: 3 uur per week, 11-10-2022 t/m 28-12-2022:
        // October 12, November 15, December 15; total 36.
        let t = tw(
            d(2022, 10, 11),
            d(2022, 12, 28),
            3,
            Unit::Hour,
            Frequentie::PerWeek,
        );
        let m = |mm| YearMonth::new(2022, mm).unwrap();
        assert_eq!(max_volume(&t, m(10), INSP, dec!(0)), Some(dec!(12)));
        assert_eq!(max_volume(&t, m(11), INSP, dec!(12)), Some(dec!(15)));
        assert_eq!(max_volume(&t, m(12), INSP, dec!(27)), Some(dec!(9)));
        assert_eq!(iso_weeks(&t.period), 12);
    }

    #[test]
    fn iv076_inspanning_week_example_first_month() {
        // IV076: 11-07-2022 t/m 04-09-2022, 3 uur/week: July max 9, August 15, September 3.
        let t = tw(
            d(2022, 7, 11),
            d(2022, 9, 4),
            3,
            Unit::Hour,
            Frequentie::PerWeek,
        );
        let m = |mm| YearMonth::new(2022, mm).unwrap();
        assert_eq!(max_volume(&t, m(7), INSP, dec!(0)), Some(dec!(9)));
        assert_eq!(max_volume(&t, m(8), INSP, dec!(0)), Some(dec!(15)));
        assert_eq!(max_volume(&t, m(9), INSP, dec!(0)), Some(dec!(3)));
    }

    #[test]
    fn iv078_broken_month_gets_full_monthly_volume() {
        // IV078 voorbeeld 2: 15 uur per maand from 14-10-2025: October max 15.
        let t = tw(
            d(2025, 10, 14),
            d(2025, 12, 13),
            15,
            Unit::Hour,
            Frequentie::PerMaand,
        );
        let oct = YearMonth::new(2025, 10).unwrap();
        assert_eq!(max_volume(&t, oct, INSP, dec!(0)), Some(dec!(15)));
    }

    #[test]
    fn iv077_output_sundays_example() {
        // 300 euro per week, 11-10-2022 t/m 31-12-2022: Oct 3, Nov 4, Dec 4+1 weeks.
        let t = tw(
            d(2022, 10, 11),
            d(2022, 12, 31),
            300,
            Unit::Euro,
            Frequentie::PerWeek,
        );
        let ctx = VolumeContext {
            variant: FundingVariant::Outputgericht,
            ..INSP
        };
        let m = |mm| YearMonth::new(2022, mm).unwrap();
        assert_eq!(max_volume(&t, m(10), ctx, dec!(0)), Some(dec!(900)));
        assert_eq!(max_volume(&t, m(11), ctx, dec!(0)), Some(dec!(1200)));
        assert_eq!(max_volume(&t, m(12), ctx, dec!(0)), Some(dec!(1500)));
    }

    #[test]
    fn huishoudelijke_hulp_six_weeks() {
        let t = tw(
            d(2025, 1, 1),
            d(2025, 12, 31),
            3,
            Unit::Hour,
            Frequentie::PerWeek,
        );
        let ctx = VolumeContext {
            huishoudelijke_hulp: true,
            ..INSP
        };
        let feb = YearMonth::new(2025, 2).unwrap();
        assert_eq!(max_volume(&t, feb, ctx, dec!(0)), Some(dec!(18)));
    }

    #[test]
    fn totaal_and_per_day() {
        let t = tw(
            d(2025, 3, 1),
            d(2025, 6, 30),
            20,
            Unit::Etmaal,
            Frequentie::Totaal,
        );
        let mar = YearMonth::new(2025, 3).unwrap();
        assert_eq!(max_volume(&t, mar, INSP, dec!(0)), Some(dec!(20)));
        assert_eq!(max_volume(&t, mar, INSP, dec!(18)), Some(dec!(2)));
        assert_eq!(max_volume(&t, mar, INSP, dec!(25)), Some(dec!(0)));
        let p = tw(
            d(2025, 3, 10),
            d(2025, 6, 30),
            2,
            Unit::Hour,
            Frequentie::PerDag,
        );
        assert_eq!(max_volume(&p, mar, INSP, dec!(0)), Some(dec!(44)));
    }

    #[test]
    fn sunday_counting() {
        let p = Period::new(d(2022, 10, 11), Some(d(2022, 10, 31))).unwrap();
        assert_eq!(sundays(&p), 3);
        let p = Period::new(d(2022, 10, 10), Some(d(2022, 10, 15))).unwrap();
        assert_eq!(sundays(&p), 0);
        assert_eq!(last_sunday_on_or_before(d(2022, 12, 31)), d(2022, 12, 25));
        assert_eq!(last_sunday_on_or_before(d(2022, 12, 25)), d(2022, 12, 25));
    }
}
