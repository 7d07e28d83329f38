//! Snapshots of what users read: a month settlement report, explanations of a
//! line and of a capped toewijzing, and the example tariff calculation.

mod common;

use common::*;
use regie_domain::{Frequentie, Money, Period, Scope, Unit, YearMonth};
use regie_settlement::{
    explain_line, explain_toewijzing, settle_month, RiskAdjustment, RiskCategory, SettleInputs,
    TariffInput,
};
use rust_decimal_macros::dec;

fn march() -> YearMonth {
    YearMonth::new(2025, 3).unwrap()
}

fn scenario() -> (
    regie_settlement::SettlementBook,
    Vec<regie_settlement::DeclarationLine>,
) {
    let mut b = book_with_lumpsum();
    let r = bsn(30_000_001);
    let h = bsn(30_000_101);
    let o = bsn(30_000_201);
    let w = bsn(30_000_301);
    client(&mut b, r, AMERSFOORT, &[(SOEST, d(2025, 3, 16))]);
    client(&mut b, h, LEUSDEN, &[]);
    client(&mut b, o, MEIERIJSTAD, &[(BOXTEL, d(2025, 3, 20))]);
    client(&mut b, w, BAARN, &[]);
    toewijzing(
        &mut b,
        "RSP-1",
        r,
        PROVIDER_A,
        "07A01",
        volume(4, Unit::StuksInspanning, Frequentie::PerMaand),
        year_2025(),
    );
    toewijzing(
        &mut b,
        "HRS-1",
        h,
        PROVIDER_A,
        "02N03",
        volume(3, Unit::Hour, Frequentie::PerWeek),
        year_2025(),
    );
    toewijzing(
        &mut b,
        "IB-1",
        o,
        PROVIDER_A,
        "02M02",
        Scope::Unspecified,
        Period::new(d(2025, 3, 10), None).unwrap(),
    );
    toewijzing(
        &mut b,
        "BW-1",
        w,
        PROVIDER_B,
        "05A03",
        volume(7, Unit::Etmaal, Frequentie::PerWeek),
        year_2025(),
    );
    let lines = vec![
        line(
            "R-01",
            "RSP-1",
            r,
            PROVIDER_A,
            "07A01",
            d(2025, 3, 3),
            d(2025, 3, 5),
            dec!(1),
            Unit::StuksInspanning,
        ),
        line(
            "R-02",
            "RSP-1",
            r,
            PROVIDER_A,
            "07A01",
            d(2025, 3, 20),
            d(2025, 3, 22),
            dec!(1),
            Unit::StuksInspanning,
        ),
        line(
            "H-01",
            "HRS-1",
            h,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 4),
            d(2025, 3, 4),
            dec!(8),
            Unit::Hour,
        ),
        line(
            "H-02",
            "HRS-1",
            h,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 18),
            d(2025, 3, 18),
            dec!(8),
            Unit::Hour,
        ),
        line(
            "H-03",
            "HRS-1",
            h,
            PROVIDER_A,
            "02N03",
            d(2025, 3, 25),
            d(2025, 3, 25),
            dec!(6),
            Unit::Hour,
        ),
        line(
            "O-01",
            "IB-1",
            o,
            PROVIDER_A,
            "02M02",
            d(2025, 3, 10),
            d(2025, 3, 31),
            dec!(1),
            Unit::StuksOutput,
        ),
        line(
            "B-01",
            "BW-1",
            w,
            PROVIDER_B,
            "05A03",
            d(2025, 3, 1),
            d(2025, 3, 31),
            dec!(31),
            Unit::Etmaal,
        ),
        line(
            "X-01",
            "HRS-1",
            h,
            PROVIDER_A,
            "02N03",
            d(2025, 4, 1),
            d(2025, 4, 1),
            dec!(1),
            Unit::Hour,
        ),
    ];
    (b, lines)
}

#[test]
fn month_settlement_report() {
    let (b, lines) = scenario();
    let adj = [RiskAdjustment {
        id: "RD-1".into(),
        contract_id: "begeleiding-consortium".into(),
        month: march(),
        amount: Money::from_cents(-600_000),
        category: RiskCategory::Legislation,
        reason: "agreed reduction after change in national policy".into(),
    }];
    let inputs = SettleInputs {
        adjustments: &adj,
        ..SettleInputs::new(&b)
    };
    let ms = settle_month(march(), &inputs, &lines);
    insta::assert_snapshot!("report_2025_03", ms.render());
    insta::assert_snapshot!(
        "row_json",
        serde_json::to_string_pretty(&ms.rows[0]).unwrap()
    );
}

#[test]
fn explanations() {
    let (b, lines) = scenario();
    let inputs = SettleInputs::new(&b);
    insta::assert_snapshot!(
        "explain_output_line_with_move",
        explain_line(&b, march(), &lines[5]).explain()
    );
    insta::assert_snapshot!(
        "explain_capped_toewijzing",
        explain_toewijzing(march(), &inputs, &lines, "HRS-1").render()
    );
}

#[test]
fn example_tariff_file() {
    let src = include_str!("../examples/tariff-begeleiding.toml");
    let calc = TariffInput::from_toml(src).unwrap().calculate().unwrap();
    insta::assert_snapshot!("tariff_begeleiding", calc.explain());
    // The calculation round-trips through JSON (the store keeps it with the tariff).
    let json = serde_json::to_string(&calc).unwrap();
    let back: regie_settlement::TariffCalculation = serde_json::from_str(&json).unwrap();
    assert_eq!(back, calc);
}
