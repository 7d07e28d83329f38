//! Properties of month settlement on random scenarios: additivity over
//! municipalities and toewijzingen, month isolation, determinism and order
//! independence, exactness to the cent.

mod common;

use common::*;
use proptest::prelude::*;
use regie_domain::{Bsn, Frequentie, Gemeentecode, Money, Period, Scope, Unit, YearMonth};
use regie_settlement::{
    settle_month, settle_month_with, DeclarationLine, MonthSettlement, RejectReason, SettleInputs,
    SettlementBook, SettlementKey,
};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// splitmix64: a tiny deterministic generator so one proptest seed builds a scenario.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Scenario {
    book: SettlementBook,
    lines: Vec<DeclarationLine>,
    /// Client → home municipality on 1 February.
    home: BTreeMap<Bsn, Gemeentecode>,
}

const GEMS: [&str; 3] = [AMERSFOORT, SOEST, BAARN];

fn scenario(seed: u64, clients: usize, lines: usize) -> Scenario {
    let mut r = Rng(seed);
    let mut b = book();
    let mut home = BTreeMap::new();
    let mut tws: Vec<(String, Bsn, &str, &str, Unit, bool)> = Vec::new();
    for i in 0..clients {
        let c = bsn(20_000_000 + i as u32 * 13);
        let h = GEMS[r.below(3) as usize];
        let moves: Vec<(&str, chrono::NaiveDate)> = if r.below(3) == 0 {
            let to =
                GEMS[(GEMS.iter().position(|x| *x == h).unwrap() + 1 + r.below(2) as usize) % 3];
            vec![(to, d(2025, 2 + r.below(2) as u32, 1 + r.below(28) as u32))]
        } else {
            vec![]
        };
        client(&mut b, c, h, &moves);
        home.insert(c, g(h));
        for (k, (code, provider, unit, scope)) in [
            (
                "02N03",
                PROVIDER_A,
                Unit::Hour,
                volume(1 + r.below(5) as u32, Unit::Hour, Frequentie::PerWeek),
            ),
            (
                "07A01",
                PROVIDER_A,
                Unit::StuksInspanning,
                volume(
                    1 + r.below(3) as u32,
                    Unit::StuksInspanning,
                    if r.below(2) == 0 {
                        Frequentie::PerMaand
                    } else {
                        Frequentie::Totaal
                    },
                ),
            ),
            (
                "02M02",
                PROVIDER_A,
                Unit::StuksOutput,
                if r.below(2) == 0 {
                    Scope::Unspecified
                } else {
                    volume(1, Unit::StuksOutput, Frequentie::PerMaand)
                },
            ),
            (
                "05A03",
                PROVIDER_B,
                Unit::Etmaal,
                volume(7, Unit::Etmaal, Frequentie::PerWeek),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            if r.below(2) == 0 {
                continue;
            }
            let start = d(2025, 1 + r.below(3) as u32, 1 + r.below(28) as u32);
            let end = (r.below(2) == 0)
                .then(|| d(2025, 2 + r.below(3) as u32, 1 + r.below(28) as u32))
                .filter(|e| *e >= start);
            let id = format!("T{i}-{k}");
            toewijzing(
                &mut b,
                &id,
                c,
                provider,
                code,
                scope,
                Period::new(start, end).unwrap(),
            );
            tws.push((id, c, code, provider, unit, code == "02M02"));
        }
    }
    let mut out = Vec::with_capacity(lines);
    for n in 0..lines {
        if tws.is_empty() {
            break;
        }
        let (id, c, code, provider, unit, output) = &tws[r.below(tws.len() as u64) as usize];
        let m = 2 + r.below(2) as u32;
        let month = YearMonth::new(2025, m).unwrap();
        let day = 1 + r.below(u64::from(month.days())) as u32;
        let (from, to, units) = if *output {
            (d(2025, m, day), month.last_day(), Decimal::ONE)
        } else if *unit == Unit::Etmaal {
            let to = (day + r.below(10) as u32).min(month.days());
            (d(2025, m, day), d(2025, m, to), Decimal::from(to - day + 1))
        } else {
            (
                d(2025, m, day),
                d(2025, m, day),
                Decimal::from(1 + r.below(4)),
            )
        };
        let toew = if r.below(25) == 0 {
            "UNKNOWN".to_string()
        } else {
            id.clone()
        };
        out.push(line(
            &format!("L{n}"),
            &toew,
            *c,
            provider,
            code,
            from,
            to,
            units,
            *unit,
        ));
    }
    Scenario {
        book: b,
        lines: out,
        home,
    }
}

fn march() -> YearMonth {
    YearMonth::new(2025, 3).unwrap()
}

fn add(into: &mut BTreeMap<SettlementKey, Money>, from: &MonthSettlement) {
    for (k, v) in from.amounts() {
        *into.entry(k).or_insert(Money::ZERO) += v;
    }
}

fn sorted_rejects(ms: &MonthSettlement) -> Vec<regie_settlement::RejectedLine> {
    let mut v = ms.rejected.clone();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Settling the clients of each municipality separately and adding up
    /// equals settling them together (per key, caps and rejects included).
    #[test]
    fn additive_over_municipalities(seed in any::<u64>(), clients in 1usize..25, n in 0usize..300) {
        let s = scenario(seed, clients, n);
        let inputs = SettleInputs::new(&s.book);
        let whole = settle_month(march(), &inputs, &s.lines);
        let mut sum = BTreeMap::new();
        let mut caps = Vec::new();
        let mut rejected = Vec::new();
        for gem in GEMS {
            let part: Vec<_> = s.lines.iter().filter(|l| s.home[&l.client] == g(gem)).collect();
            let ms = settle_month(march(), &inputs, part);
            add(&mut sum, &ms);
            caps.extend(ms.caps.clone());
            rejected.extend(ms.rejected.clone());
        }
        prop_assert_eq!(&sum, &whole.amounts());
        caps.sort_by(|a, b| a.toewijzing.cmp(&b.toewijzing));
        prop_assert_eq!(&caps, &whole.caps);
        rejected.sort();
        prop_assert_eq!(rejected, sorted_rejects(&whole));
    }

    /// Any split of the toewijzingen in two parts is additive too.
    #[test]
    fn additive_over_toewijzing_partitions(seed in any::<u64>(), mask in any::<u64>()) {
        let s = scenario(seed, 15, 250);
        let inputs = SettleInputs::new(&s.book);
        let whole = settle_month(march(), &inputs, &s.lines);
        let side = |l: &DeclarationLine| {
            let h = l.toewijzing.bytes().fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)));
            (mask >> (h % 64)) & 1 == 1
        };
        let a = settle_month(march(), &inputs, s.lines.iter().filter(|l| side(l)));
        let b = settle_month(march(), &inputs, s.lines.iter().filter(|l| !side(l)));
        let mut sum = BTreeMap::new();
        add(&mut sum, &a);
        add(&mut sum, &b);
        prop_assert_eq!(sum, whole.amounts());
        prop_assert_eq!(a.total() + b.total(), whole.total());
    }

    /// Months are independent: lines of other months are refused, never
    /// change this month's amounts; the year is the sum of its months.
    #[test]
    fn additive_over_months(seed in any::<u64>()) {
        let s = scenario(seed, 12, 200);
        let inputs = SettleInputs::new(&s.book);
        let feb = YearMonth::new(2025, 2).unwrap();
        for m in [feb, march()] {
            let all = settle_month(m, &inputs, &s.lines);
            let own: Vec<_> = s.lines.iter().filter(|l| YearMonth::of(l.period.start()) == m).collect();
            let only = settle_month(m, &inputs, own);
            prop_assert_eq!(all.amounts(), only.amounts());
            let others = all.rejected.iter().filter(|r| r.reason == RejectReason::OutsideSettlementMonth).count();
            prop_assert_eq!(others as u64 + only.stats.lines_read, all.stats.lines_read);
        }
        // Total over Feb + Mar equals settling each month's own lines.
        let both: Money = [feb, march()].iter().map(|m| settle_month(*m, &inputs, &s.lines).total()).sum();
        let split: Money = [feb, march()].iter().map(|m| {
            settle_month(*m, &inputs, s.lines.iter().filter(|l| YearMonth::of(l.period.start()) == *m)).total()
        }).sum();
        prop_assert_eq!(both, split);
    }

    /// Settling twice gives the same result; reversing the stream changes
    /// nothing but the order of rejected lines.
    #[test]
    fn deterministic_and_order_independent(seed in any::<u64>()) {
        let s = scenario(seed, 15, 250);
        let inputs = SettleInputs::new(&s.book);
        let a = settle_month(march(), &inputs, &s.lines);
        let b = settle_month(march(), &inputs, &s.lines);
        prop_assert_eq!(&a, &b);
        let rev = settle_month(march(), &inputs, s.lines.iter().rev());
        prop_assert_eq!(&a.rows, &rev.rows);
        prop_assert_eq!(&a.caps, &rev.caps);
        prop_assert_eq!(sorted_rejects(&a), sorted_rejects(&rev));
    }

    /// Exact to the cent: line amounts sum to the priced amount, priced −
    /// capped is the total, rows sum to the per-payer totals.
    #[test]
    fn exact_to_the_cent(seed in any::<u64>()) {
        let s = scenario(seed, 15, 250);
        let inputs = SettleInputs::new(&s.book);
        let mut line_sum = Money::ZERO;
        let mut parts_ok = true;
        let ms = settle_month_with(march(), &inputs, &s.lines, |l| {
            line_sum += l.amount();
            if let regie_settlement::LineOutcome::Accepted { parts, amount } = &l.outcome {
                parts_ok &= parts.iter().map(|p| p.amount).sum::<Money>() == *amount;
                parts_ok &= parts.iter().all(|p| p.amount.euros().scale() <= 2);
            }
        });
        prop_assert!(parts_ok);
        prop_assert_eq!(line_sum, ms.stats.priced_amount);
        prop_assert_eq!(ms.stats.priced_amount - ms.stats.capped_amount, ms.total());
        prop_assert_eq!(ms.stats.declared_settled, ms.total());
        prop_assert_eq!(ms.by_payer().values().copied().sum::<Money>(), ms.total());
        let caps: Money = ms.caps.iter().map(|c| c.capped_amount).sum();
        prop_assert_eq!(caps, ms.stats.capped_amount);
        for c in &ms.caps {
            prop_assert_eq!(c.parts.iter().map(|p| p.amount).sum::<Money>(), c.capped_amount);
            prop_assert_eq!(c.parts.iter().map(|p| p.units).sum::<Decimal>(), c.capped_units);
        }
        prop_assert!(ms.rows.iter().all(|r| !r.totals.amount.is_negative()));
    }
}

/// Guards against vacuous properties: the generated scenarios do contain
/// caps, moves that split lines, rejections and every funding variant.
#[test]
fn scenarios_exercise_caps_moves_and_rejects() {
    let (mut caps, mut rejects, mut splits, mut lots) =
        (0, 0, 0, std::collections::BTreeSet::new());
    for seed in 0..20 {
        let s = scenario(seed, 15, 250);
        let ms = settle_month_with(march(), &SettleInputs::new(&s.book), &s.lines, |l| {
            if let regie_settlement::LineOutcome::Accepted { parts, .. } = &l.outcome {
                if parts.len() > 1 {
                    splits += 1;
                }
            }
        });
        caps += ms.caps.len();
        rejects += ms.rejected.len();
        lots.extend(ms.rows.iter().map(|r| r.key.lot.clone()));
    }
    assert!(caps > 20, "caps {caps}");
    assert!(rejects > 20, "rejects {rejects}");
    assert!(splits > 5, "splits {splits}");
    assert_eq!(lots.len(), 4, "{lots:?}");
}
