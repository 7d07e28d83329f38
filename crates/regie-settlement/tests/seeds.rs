//! Hand-checked settlements per funding variant, built on the seed regions.

mod common;

use common::*;
use regie_domain::{Frequentie, Money, PayerRule, Period, Scope, Unit, YearMonth};
use regie_settlement::{
    explain_line, explain_toewijzing, settle_month, settle_month_with, Item, LineOutcome,
    PartMonthRule, RejectReason, RiskAdjustment, RiskCategory, Rule, SettleInputs, SettlementKey,
};
use rust_decimal_macros::dec;
use std::collections::BTreeMap;

fn march() -> YearMonth {
    YearMonth::new(2025, 3).unwrap()
}

fn key(payer: &str, provider: &str, lot: &str, product: &str) -> SettlementKey {
    SettlementKey {
        payer: g(payer),
        provider: agb(provider),
        lot: lot.into(),
        item: Item::Product(product.into()),
    }
}

/// Amersfoort respijtverblijf: paid per realised stay by the client's
/// municipality; the client moves from Amersfoort to Soest on 16 March.
#[test]
fn respijt_per_stay_with_move_mid_month() {
    let mut b = book();
    let c = bsn(10_000_001);
    client(&mut b, c, AMERSFOORT, &[(SOEST, d(2025, 3, 16))]);
    toewijzing(
        &mut b,
        "R1",
        c,
        PROVIDER_A,
        "07A01",
        volume(4, Unit::StuksInspanning, Frequentie::PerMaand),
        year_2025(),
    );
    let stay = |r: &str, from, to| {
        line(
            r,
            "R1",
            c,
            PROVIDER_A,
            "07A01",
            from,
            to,
            dec!(1),
            Unit::StuksInspanning,
        )
    };
    let lines = vec![
        stay("s1", d(2025, 3, 3), d(2025, 3, 5)),   // Amersfoort
        stay("s2", d(2025, 3, 14), d(2025, 3, 17)), // spans the move: first day → Amersfoort
        stay("s3", d(2025, 3, 20), d(2025, 3, 22)), // Soest
    ];
    let ms = settle_month(march(), &SettleInputs::new(&b), &lines);
    let amounts = ms.amounts();
    assert_eq!(
        amounts[&key(AMERSFOORT, PROVIDER_A, "respijt", "07A01")],
        Money::from_cents(90_000)
    );
    assert_eq!(
        amounts[&key(SOEST, PROVIDER_A, "respijt", "07A01")],
        Money::from_cents(45_000)
    );
    assert_eq!(ms.total(), Money::from_cents(135_000));
    assert!(ms.rejected.is_empty() && ms.caps.is_empty());
    // The spanning stay says why Amersfoort pays it.
    let ex = explain_line(&b, march(), &lines[1]);
    let LineOutcome::Accepted { parts, .. } = &ex.outcome else {
        panic!()
    };
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].payer, g(AMERSFOORT));
    assert!(parts[0].rules.contains(&Rule::CountedUnitOnFirstDay));
    assert!(parts[0].rules.contains(&Rule::PayerWoonplaats));
}

/// Amersfoort beschermd wonen: per arrangement, priced per etmaal, paid by
/// centrumgemeente Amersfoort whatever the client's municipality.
#[test]
fn beschermd_wonen_centrumgemeente_pays_for_baarn_resident() {
    let mut b = book();
    let c = bsn(10_000_101);
    client(&mut b, c, BAARN, &[]);
    toewijzing(
        &mut b,
        "BW1",
        c,
        PROVIDER_B,
        "05A03",
        volume(7, Unit::Etmaal, Frequentie::PerWeek),
        year_2025(),
    );
    // One monthly prestatie of 31 etmalen (1–31 March).
    let l = line(
        "bw-mar",
        "BW1",
        c,
        PROVIDER_B,
        "05A03",
        d(2025, 3, 1),
        d(2025, 3, 31),
        dec!(31),
        Unit::Etmaal,
    );
    let ms = settle_month(march(), &SettleInputs::new(&b), [&l]);
    // 31 × € 168.50 = € 5,223.50, all Amersfoort.
    assert_eq!(
        ms.by_payer(),
        BTreeMap::from([(g(AMERSFOORT), Money::from_cents(522_350))])
    );
    assert!(ms.rows[0]
        .totals
        .rules
        .contains(&Rule::PayerCentrumgemeente));
    assert!(
        ms.caps.is_empty(),
        "7 per week × 6 calendar weeks touched = 42 ≥ 31"
    );
}

/// PxQ per hour: a tariff change on 15 March and a move on 20 March split a
/// monthly prestatie by days; volume above 3 h/week is capped.
#[test]
fn pxq_split_by_tariff_and_move_and_capped() {
    let mut b = book();
    let c = bsn(10_000_201);
    client(&mut b, c, LEUSDEN, &[(SOEST, d(2025, 3, 20))]);
    toewijzing(
        &mut b,
        "H1",
        c,
        PROVIDER_A,
        "02N03",
        volume(3, Unit::Hour, Frequentie::PerWeek),
        year_2025(),
    );
    // March 2025 touches ISO weeks 9–14: maximum 6 × 3 = 18 hours.
    let lines = vec![
        line(
            "h1",
            "H1",
            c,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 4),
            d(2025, 3, 4),
            dec!(3),
            Unit::Hour,
        ),
        line(
            "h2",
            "H1",
            c,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 11),
            d(2025, 3, 11),
            dec!(3),
            Unit::Hour,
        ),
        line(
            "h3",
            "H1",
            c,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 18),
            d(2025, 3, 18),
            dec!(6),
            Unit::Hour,
        ),
        line(
            "h4",
            "H1",
            c,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 25),
            d(2025, 3, 25),
            dec!(8),
            Unit::Hour,
        ),
        // 90 minutes against the hourly tariff: 71.50 × 90 / 60 = 107.25.
        line(
            "h5",
            "H1",
            c,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 12),
            d(2025, 3, 12),
            dec!(90),
            Unit::Minute,
        ),
    ];
    let ms = settle_month(march(), &SettleInputs::new(&b), &lines);
    // h5 is in minutes while the toewijzing is in hours: IV081 rejects it.
    assert_eq!(ms.rejected.len(), 1);
    assert_eq!(ms.rejected[0].reason, RejectReason::UnitMismatch);
    // Leusden: 3 + 3 h at 68.90 = 413.40; 6 h at 71.50 on the 18th = 429.00 → 842.40.
    // Soest: 8 h at 71.50 = 572.00 declared; 20 > 18 so 2 h capped from the
    // latest delivery (25 March, Soest): 6 h × 71.50 = 429.00.
    let a = ms.amounts();
    assert_eq!(
        a[&key(LEUSDEN, PROVIDER_A, "begeleiding-pxq", "02N03")],
        Money::from_cents(84_240)
    );
    assert_eq!(
        a[&key(SOEST, PROVIDER_A, "begeleiding-pxq", "02N03")],
        Money::from_cents(42_900)
    );
    assert_eq!(ms.caps.len(), 1);
    let cap = &ms.caps[0];
    assert_eq!(
        (cap.allowed, cap.declared, cap.capped_units),
        (dec!(18), dec!(20), dec!(2))
    );
    assert_eq!(cap.capped_amount, Money::from_cents(14_300));
    assert_eq!(cap.parts[0].payer, g(SOEST));
    assert_eq!(ms.stats.priced_amount - ms.stats.capped_amount, ms.total());

    // A single prestatie over 10–24 March spanning both the tariff change and the move.
    let mut b2 = book();
    client(&mut b2, c, LEUSDEN, &[(SOEST, d(2025, 3, 20))]);
    toewijzing(
        &mut b2,
        "H2",
        c,
        PROVIDER_A,
        "02N03",
        volume(20, Unit::Hour, Frequentie::PerMaand),
        year_2025(),
    );
    let l = line(
        "m",
        "H2",
        c,
        PROVIDER_A,
        "02N03",
        d(2025, 3, 10),
        d(2025, 3, 24),
        dec!(15),
        Unit::Hour,
    );
    let ex = explain_line(&b2, march(), &l);
    let LineOutcome::Accepted { parts, amount } = &ex.outcome else {
        panic!("{ex:?}")
    };
    // 15 days: 10–14 (5 d, 68.90, Leusden), 15–19 (5 d, 71.50, Leusden), 20–24 (5 d, 71.50, Soest).
    let got: Vec<_> = parts.iter().map(|p| (p.payer, p.units, p.amount)).collect();
    assert_eq!(
        got,
        vec![
            (g(LEUSDEN), dec!(5), Money::from_cents(34_450)),
            (g(LEUSDEN), dec!(5), Money::from_cents(35_750)),
            (g(SOEST), dec!(5), Money::from_cents(35_750)),
        ]
    );
    assert_eq!(*amount, Money::from_cents(105_950));
    assert!(parts[0].rules.contains(&Rule::SplitByDays));
}

/// Minutes declared on a toewijzing in minutes against an hourly contract tariff.
#[test]
fn minutes_against_hourly_tariff() {
    let mut b = book();
    let c = bsn(10_000_301);
    client(&mut b, c, AMERSFOORT, &[]);
    toewijzing(
        &mut b,
        "M1",
        c,
        PROVIDER_A,
        "02N03",
        volume(600, Unit::Minute, Frequentie::PerMaand),
        year_2025(),
    );
    let l = line(
        "m1",
        "M1",
        c,
        PROVIDER_A,
        "02N03",
        d(2025, 3, 20),
        d(2025, 3, 20),
        dec!(95),
        Unit::Minute,
    );
    let ms = settle_month(march(), &SettleInputs::new(&b), [&l]);
    // 71.50 × 95 / 60 = 113.2083 → 113.21 (TR346: rate not rounded first).
    assert_eq!(ms.total(), Money::from_cents(11_321));
    assert!(ms.rows[0]
        .totals
        .rules
        .contains(&Rule::MinutesAgainstHourTariff));
}

/// Meierij outputgericht: IB Basis € 1,000 per client-month (assumed), start on
/// 10 March (22 of 31 days) and a move from Meierijstad to Boxtel on 20 March.
#[test]
fn output_part_month_pro_rata_and_move() {
    let mut b = book();
    let c = bsn(10_000_401);
    client(&mut b, c, MEIERIJSTAD, &[(BOXTEL, d(2025, 3, 20))]);
    let p = Period::new(d(2025, 3, 10), Some(d(2025, 12, 31))).unwrap();
    toewijzing(
        &mut b,
        "O1",
        c,
        PROVIDER_A,
        "02M02",
        volume(1, Unit::StuksOutput, Frequentie::PerMaand),
        p,
    );
    let l = line(
        "o-mar",
        "O1",
        c,
        PROVIDER_A,
        "02M02",
        d(2025, 3, 10),
        d(2025, 3, 31),
        dec!(1),
        Unit::StuksOutput,
    );
    let ms = settle_month(march(), &SettleInputs::new(&b), [&l]);
    // 1000 × 22/31 = 709.677… → 709.68; 10 of 22 days Meierijstad:
    // 709.68 × 10/22 = 322.58 (truncated), Boxtel the rest 387.10.
    let a = ms.amounts();
    assert_eq!(
        a[&key(MEIERIJSTAD, PROVIDER_A, "meierij-ib", "02M02")],
        Money::from_cents(32_258)
    );
    assert_eq!(
        a[&key(BOXTEL, PROVIDER_A, "meierij-ib", "02M02")],
        Money::from_cents(38_710)
    );
    assert_eq!(ms.total(), Money::from_cents(70_968));
    let row = &ms
        .rows
        .iter()
        .find(|r| r.key.payer == g(BOXTEL))
        .unwrap()
        .totals;
    assert_eq!(row.measure, "client-months");
    assert_eq!(row.units, dec!(0.3871)); // 12 days of 31

    // Full month: April, whole month in care → 1,000.00 to Boxtel.
    let apr = YearMonth::new(2025, 4).unwrap();
    let l = line(
        "o-apr",
        "O1",
        c,
        PROVIDER_A,
        "02M02",
        d(2025, 4, 1),
        d(2025, 4, 30),
        dec!(1),
        Unit::StuksOutput,
    );
    assert_eq!(
        settle_month(apr, &SettleInputs::new(&b), [&l]).by_payer(),
        BTreeMap::from([(g(BOXTEL), Money::from_cents(100_000))])
    );

    // Switch of provider on 20 April (A until 19th, B from 20th): pro rata pays
    // exactly one fee in total; no double payment.
    let mut b2 = book();
    client(&mut b2, c, BOXTEL, &[]);
    toewijzing(
        &mut b2,
        "OA",
        c,
        PROVIDER_A,
        "02M02",
        Scope::Unspecified,
        Period::new(d(2025, 1, 1), Some(d(2025, 4, 19))).unwrap(),
    );
    toewijzing(
        &mut b2,
        "OB",
        c,
        PROVIDER_B,
        "02M02",
        Scope::Unspecified,
        Period::new(d(2025, 4, 20), None).unwrap(),
    );
    let lines = [
        line(
            "a",
            "OA",
            c,
            PROVIDER_A,
            "02M02",
            d(2025, 4, 1),
            d(2025, 4, 19),
            dec!(1),
            Unit::StuksOutput,
        ),
        line(
            "b",
            "OB",
            c,
            PROVIDER_B,
            "02M02",
            d(2025, 4, 20),
            d(2025, 4, 30),
            dec!(1),
            Unit::StuksOutput,
        ),
    ];
    let ms = settle_month(apr, &SettleInputs::new(&b2), &lines);
    // 1000 × 19/30 = 633.33 and 1000 × 11/30 = 366.67.
    assert_eq!(
        ms.by_provider()[&agb(PROVIDER_A)],
        Money::from_cents(63_333)
    );
    assert_eq!(
        ms.by_provider()[&agb(PROVIDER_B)],
        Money::from_cents(36_667)
    );
    assert_eq!(ms.total(), Money::from_cents(100_000));
    // A second, overlapping declaration for the same days is capped away.
    let dup = line(
        "a2",
        "OA",
        c,
        PROVIDER_A,
        "02M02",
        d(2025, 4, 10),
        d(2025, 4, 19),
        dec!(1),
        Unit::StuksOutput,
    );
    let ms = settle_month(apr, &SettleInputs::new(&b2), lines.iter().chain([&dup]));
    assert_eq!(ms.total(), Money::from_cents(100_000));
    assert_eq!(ms.caps[0].capped_units, dec!(10));
}

/// The other part-month rules on the same facts.
#[test]
fn output_part_month_rules_compared() {
    let c = bsn(10_000_501);
    let settle_with = |rule: PartMonthRule, from: u32| {
        let ib = regie_domain::Lot {
            id: "ib".into(),
            name: "IB".into(),
            procurement: regie_domain::ProcurementForm::OpenHouse {
                entry_every_months: 6,
            },
            funding: regie_domain::FundingVariant::Outputgericht,
            payer: PayerRule::Woonplaatsbeginsel,
            products: vec![product(
                "02",
                "02M03",
                "IB Extra",
                Unit::StuksOutput,
                vec![tariff(d(2025, 1, 1), None, 150_000, "assumed")],
            )],
            reference_cost: None,
        };
        let mut bk = regie_settlement::SettlementBook::new();
        bk.add_lot(&ib, rule).unwrap();
        bk.add_contract(
            &regie_domain::Contract::new(
                "c",
                &ib,
                regie_domain::ContractParty::Provider(agb(PROVIDER_A)),
                d(2025, 1, 1),
                2,
                vec![],
                None,
                None,
            )
            .unwrap(),
            None,
        )
        .unwrap();
        client(&mut bk, c, MEIERIJSTAD, &[]);
        toewijzing(
            &mut bk,
            "X",
            c,
            PROVIDER_A,
            "02M03",
            Scope::Unspecified,
            year_2025(),
        );
        let l = line(
            "x",
            "X",
            c,
            PROVIDER_A,
            "02M03",
            d(2025, 2, from),
            d(2025, 2, 28),
            dec!(1),
            Unit::StuksOutput,
        );
        settle_month(
            YearMonth::new(2025, 2).unwrap(),
            &SettleInputs::new(&bk),
            [&l],
        )
        .total()
    };
    // 14 of 28 days in care.
    assert_eq!(
        settle_with(PartMonthRule::ProRataDays, 15),
        Money::from_cents(75_000)
    );
    assert_eq!(
        settle_with(PartMonthRule::FullMonth, 15),
        Money::from_cents(150_000)
    );
    assert_eq!(
        settle_with(PartMonthRule::FullFromDays { min_days: 14 }, 15),
        Money::from_cents(150_000)
    );
    assert_eq!(
        settle_with(PartMonthRule::FullFromDays { min_days: 15 }, 15),
        Money::from_cents(75_000)
    );
    // 1 day: 1500 / 28 = 53.571… → 53.57.
    assert_eq!(
        settle_with(PartMonthRule::ProRataDays, 28),
        Money::from_cents(5_357)
    );
}

/// Taakgericht begeleiding: the € 18 M lumpsum (assumed from the 2024
/// realisation, seed 000) in 12 instalments, divided by clients per
/// municipality (seed 001: Amersfoort 1202 of 2185), plus a risk adjustment.
#[test]
fn lumpsum_instalment_divided_by_client_shares() {
    let b = book_with_lumpsum();
    let adj = [
        RiskAdjustment {
            id: "RD-1".into(),
            contract_id: "begeleiding-consortium".into(),
            month: march(),
            amount: Money::from_cents(2_185_000),
            category: RiskCategory::Inflow,
            reason: "inflow above expectation Q1, agreed in consultation".into(),
        },
        RiskAdjustment {
            id: "RD-2".into(),
            contract_id: "begeleiding-consortium".into(),
            month: march(),
            amount: Money::from_cents(100),
            category: RiskCategory::Intensity,
            reason: "provider asks for more hours".into(),
        },
    ];
    let inputs = SettleInputs {
        adjustments: &adj,
        ..SettleInputs::new(&b)
    };
    let ms = settle_month(
        march(),
        &inputs,
        std::iter::empty::<regie_settlement::DeclarationLine>(),
    );
    let lumpsum: BTreeMap<_, _> = ms
        .rows
        .iter()
        .filter(|r| r.key.item == Item::Lumpsum)
        .map(|r| (r.key.payer, r.totals.amount))
        .collect();
    // € 1,500,000 a month; Amersfoort 1202/2185 = € 825,171.62 (largest remainder).
    assert_eq!(
        lumpsum.values().copied().sum::<Money>(),
        Money::from_cents(150_000_000)
    );
    assert_eq!(lumpsum[&g(AMERSFOORT)], Money::from_cents(82_517_162));
    assert_eq!(lumpsum[&g(WOUDENBERG)], Money::from_cents(4_118_993));
    // The inflow adjustment of € 21,850 is divided the same way; the intensity
    // one is refused (provider risk) and reported.
    let adj_total: Money = ms
        .rows
        .iter()
        .filter(|r| matches!(r.key.item, Item::Adjustment(_)))
        .map(|r| r.totals.amount)
        .sum();
    assert_eq!(adj_total, Money::from_cents(2_185_000));
    assert_eq!(ms.lumpsum_issues.len(), 1);
    assert_eq!(ms.lumpsum_issues[0].adjustment.as_deref(), Some("RD-2"));
    assert_eq!(ms.stats.lumpsum_settled, Money::from_cents(152_185_000));
    // Declaring against a taakgericht product is refused.
    let mut b2 = book_with_lumpsum();
    let c = bsn(10_000_601);
    client(&mut b2, c, SOEST, &[]);
    toewijzing(
        &mut b2,
        "L1",
        c,
        CONSORTIUM,
        "02L01",
        Scope::Unspecified,
        year_2025(),
    );
    let l = line(
        "l",
        "L1",
        c,
        CONSORTIUM,
        "02L01",
        d(2025, 3, 3),
        d(2025, 3, 3),
        dec!(10),
        Unit::Euro,
    );
    let ms = settle_month(march(), &SettleInputs::new(&b2), [&l]);
    assert_eq!(ms.rejected[0].reason, RejectReason::LumpsumFunded);
}

/// Hart van Brabant beschermd wonen: centrumgemeente Tilburg until 2022, the
/// municipality of origin from 1-1-2023 (woonplaatsbeginsel).
#[test]
fn payer_rule_changes_over_time() {
    let tilburg = g("0855");
    let dongen = g("0766");
    let bw = regie_domain::Lot {
        id: "hvb-bw".into(),
        name: "Beschermd wonen".into(),
        procurement: regie_domain::ProcurementForm::SingleConsortium,
        funding: regie_domain::FundingVariant::Inspanningsgericht,
        payer: PayerRule::Centrumgemeente { gemeente: tilburg },
        products: vec![product(
            "05",
            "05B01",
            "BW etmaal",
            Unit::Etmaal,
            vec![tariff(d(2022, 1, 1), None, 15_000, "assumed")],
        )],
        reference_cost: None,
    };
    let mut b = regie_settlement::SettlementBook::new();
    b.add_lot(&bw, PartMonthRule::ProRataDays).unwrap();
    b.change_payer("hvb-bw", d(2023, 1, 1), PayerRule::Woonplaatsbeginsel)
        .unwrap();
    b.add_contract(
        &regie_domain::Contract::new(
            "hvb",
            &bw,
            regie_domain::ContractParty::Provider(agb(PROVIDER_B)),
            d(2022, 7, 1),
            4,
            vec![2, 2],
            None,
            None,
        )
        .unwrap(),
        None,
    )
    .unwrap();
    let c = bsn(10_000_701);
    client(&mut b, c, "0766", &[]);
    toewijzing(
        &mut b,
        "T",
        c,
        PROVIDER_B,
        "05B01",
        volume(1, Unit::Etmaal, Frequentie::PerDag),
        Period::new(d(2022, 7, 1), None).unwrap(),
    );
    let dec22 = YearMonth::new(2022, 12).unwrap();
    let jan23 = YearMonth::new(2023, 1).unwrap();
    let l22 = line(
        "a",
        "T",
        c,
        PROVIDER_B,
        "05B01",
        d(2022, 12, 1),
        d(2022, 12, 31),
        dec!(31),
        Unit::Etmaal,
    );
    let l23 = line(
        "b",
        "T",
        c,
        PROVIDER_B,
        "05B01",
        d(2023, 1, 1),
        d(2023, 1, 31),
        dec!(31),
        Unit::Etmaal,
    );
    assert_eq!(
        settle_month(dec22, &SettleInputs::new(&b), [&l22]).by_payer(),
        BTreeMap::from([(tilburg, Money::from_cents(465_000))])
    );
    assert_eq!(
        settle_month(jan23, &SettleInputs::new(&b), [&l23]).by_payer(),
        BTreeMap::from([(dongen, Money::from_cents(465_000))])
    );
}

/// Every reject reason a line can get, one line each.
#[test]
fn rejections_with_reasons() {
    let mut b = book();
    let c = bsn(10_000_801);
    let other = bsn(10_000_901);
    client(&mut b, c, AMERSFOORT, &[]);
    toewijzing(
        &mut b,
        "T",
        c,
        PROVIDER_A,
        "02N03",
        volume(10, Unit::Hour, Frequentie::PerMaand),
        Period::new(d(2025, 3, 10), Some(d(2025, 12, 31))).unwrap(),
    );
    toewijzing(
        &mut b,
        "NOC",
        c,
        PROVIDER_B,
        "02N03",
        volume(10, Unit::Hour, Frequentie::PerMaand),
        year_2025(),
    );
    toewijzing(
        &mut b,
        "U",
        other,
        PROVIDER_A,
        "02N03",
        volume(10, Unit::Hour, Frequentie::PerMaand),
        year_2025(),
    );
    let ok = |r: &str, t: &str, who, p: &str, code: &str, day: u32, units, unit| {
        line(
            r,
            t,
            who,
            p,
            code,
            d(2025, 3, day),
            d(2025, 3, day),
            units,
            unit,
        )
    };
    let lines = vec![
        ok("q0", "T", c, PROVIDER_A, "02N03", 12, dec!(0), Unit::Hour),
        line(
            "m",
            "T",
            c,
            PROVIDER_A,
            "02N03",
            d(2025, 4, 1),
            d(2025, 4, 1),
            dec!(1),
            Unit::Hour,
        ),
        ok(
            "unk",
            "NOPE",
            c,
            PROVIDER_A,
            "02N03",
            12,
            dec!(1),
            Unit::Hour,
        ),
        ok(
            "cli",
            "T",
            other,
            PROVIDER_A,
            "02N03",
            12,
            dec!(1),
            Unit::Hour,
        ),
        ok("prov", "T", c, PROVIDER_B, "02N03", 12, dec!(1), Unit::Hour),
        ok("prod", "T", c, PROVIDER_A, "02N04", 12, dec!(1), Unit::Hour),
        ok(
            "before",
            "T",
            c,
            PROVIDER_A,
            "02N03",
            5,
            dec!(1),
            Unit::Hour,
        ),
        ok(
            "noc",
            "NOC",
            c,
            PROVIDER_B,
            "02N03",
            12,
            dec!(1),
            Unit::Hour,
        ),
        ok(
            "unit",
            "T",
            c,
            PROVIDER_A,
            "02N03",
            12,
            dec!(1),
            Unit::Dagdeel,
        ),
        ok(
            "client",
            "U",
            other,
            PROVIDER_A,
            "02N03",
            12,
            dec!(1),
            Unit::Hour,
        ),
        ok("good", "T", c, PROVIDER_A, "02N03", 12, dec!(2), Unit::Hour),
    ];
    let ms = settle_month(march(), &SettleInputs::new(&b), &lines);
    let reasons: Vec<_> = ms
        .rejected
        .iter()
        .map(|r| (r.reference.as_str(), r.reason))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("q0", RejectReason::InvalidQuantity),
            ("m", RejectReason::OutsideSettlementMonth),
            ("unk", RejectReason::UnknownToewijzing),
            ("cli", RejectReason::ClientMismatch),
            ("prov", RejectReason::ProviderMismatch),
            ("prod", RejectReason::ProductMismatch),
            ("before", RejectReason::OutsideToewijzing),
            ("noc", RejectReason::NoContract),
            ("unit", RejectReason::UnitMismatch),
            ("client", RejectReason::UnknownClient),
        ]
    );
    assert_eq!(ms.total(), Money::from_cents(13_780)); // 2 h × 68.90 (before the 15 March tariff)
    assert_eq!(ms.stats.lines_read, 11);
    assert_eq!(ms.stats.lines_rejected, 10);
}

/// Frequentie totaal: prior usage from earlier months limits this month.
#[test]
fn totaal_uses_prior_months() {
    let mut b = book();
    let c = bsn(10_001_001);
    client(&mut b, c, BAARN, &[]);
    toewijzing(
        &mut b,
        "TOT",
        c,
        PROVIDER_A,
        "07A01",
        volume(3, Unit::StuksInspanning, Frequentie::Totaal),
        year_2025(),
    );
    let stays: Vec<_> = (0..2)
        .map(|i| {
            line(
                &format!("s{i}"),
                "TOT",
                c,
                PROVIDER_A,
                "07A01",
                d(2025, 3, 3 + 7 * i),
                d(2025, 3, 5 + 7 * i),
                dec!(1),
                Unit::StuksInspanning,
            )
        })
        .collect();
    let prior: BTreeMap<String, rust_decimal::Decimal> = [("TOT".to_string(), dec!(2))].into();
    let inputs = SettleInputs {
        prior: &prior,
        record_usage: true,
        ..SettleInputs::new(&b)
    };
    let ms = settle_month(march(), &inputs, &stays);
    // 3 in total, 2 used before: one stay paid, the later one capped.
    assert_eq!(ms.total(), Money::from_cents(45_000));
    assert_eq!(ms.caps[0].capped_units, dec!(1));
    assert_eq!(ms.usage[0].units, dec!(1));
}

/// The sink sees every line with its trace; line amounts add up to the total
/// before caps.
#[test]
fn sink_receives_traced_lines() {
    let mut b = book();
    let c = bsn(10_001_101);
    client(&mut b, c, SOEST, &[]);
    toewijzing(
        &mut b,
        "S",
        c,
        PROVIDER_A,
        "02N03",
        volume(2, Unit::Hour, Frequentie::PerWeek),
        year_2025(),
    );
    let lines: Vec<_> = (1..=31)
        .map(|day| {
            line(
                &format!("l{day}"),
                "S",
                c,
                PROVIDER_A,
                "02N03",
                d(2025, 3, day),
                d(2025, 3, day),
                dec!(1),
                Unit::Hour,
            )
        })
        .collect();
    let mut seen = Vec::new();
    let ms = settle_month_with(march(), &SettleInputs::new(&b), &lines, |l| {
        seen.push(l.clone())
    });
    assert_eq!(seen.len(), 31);
    let sum: Money = seen.iter().map(|l| l.amount()).sum();
    assert_eq!(sum, ms.stats.priced_amount);
    assert_eq!(sum - ms.stats.capped_amount, ms.total());
    // 2 h/week × 6 weeks = 12 allowed of 31 declared.
    assert_eq!(ms.caps[0].allowed, dec!(12));
    let ex = explain_toewijzing(march(), &SettleInputs::new(&b), &lines, "S");
    assert_eq!(ex.allowed, Some(dec!(12)));
    assert_eq!(ex.settled, ms.total());
    assert_eq!(ex.lines.len(), 31);
}
