//! Shared fixtures: small versions of the seed regions. Tariffs the seeds do
//! not give are marked as assumptions in the tariff period itself.
#![allow(dead_code)]

use chrono::NaiveDate;
use regie_domain::{
    AgbCode, Bsn, Client, Contract, ContractParty, Frequentie, FundingVariant, Gemeentecode, Lot,
    Money, Omvang, PayerRule, Period, ProcurementForm, Product, ProductRef, Scope,
    TaakgerichtTerms, TariffPeriod, Toewijzing, Unit,
};
use regie_settlement::{DeclarationLine, LumpsumAllocation, PartMonthRule, SettlementBook};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn g(code: &str) -> Gemeentecode {
    code.parse().unwrap()
}

pub fn agb(code: &str) -> AgbCode {
    code.parse().unwrap()
}

pub fn bsn(prefix: u32) -> Bsn {
    (prefix..).find_map(Bsn::complete).unwrap()
}

pub const AMERSFOORT: &str = "0307";
pub const BAARN: &str = "0308";
pub const SOEST: &str = "0342";
pub const LEUSDEN: &str = "0327";
pub const BUNSCHOTEN: &str = "0313";
pub const WOUDENBERG: &str = "0351";
pub const MEIERIJSTAD: &str = "1948";
pub const BOXTEL: &str = "0757";

pub const PROVIDER_A: &str = "41000001";
pub const PROVIDER_B: &str = "41000002";
pub const CONSORTIUM: &str = "41000003";

pub fn tariff(
    from: NaiveDate,
    to: Option<NaiveDate>,
    cents: i64,
    assumption: &str,
) -> TariffPeriod {
    TariffPeriod {
        valid: Period::new(from, to).unwrap(),
        per_unit: Money::from_cents(cents),
        assumption: Some(assumption.to_string()),
    }
}

pub fn product(
    cat: &str,
    code: &str,
    name: &str,
    unit: Unit,
    tariffs: Vec<TariffPeriod>,
) -> Product {
    Product::new(
        cat.parse().unwrap(),
        Some(code.parse().unwrap()),
        name,
        unit,
        None,
        tariffs,
    )
    .unwrap()
}

fn lot(id: &str, funding: FundingVariant, payer: PayerRule, products: Vec<Product>) -> Lot {
    Lot {
        id: id.into(),
        name: id.into(),
        procurement: ProcurementForm::SelectedPartners { max_partners: 5 },
        funding,
        payer,
        products,
        reference_cost: None,
    }
}

/// Amersfoort (seeds 000/001) and Meierij (seed 004) lots in one book:
/// * `respijt`: inspanningsgericht, 84 stuks per realised stay, woonplaatsbeginsel;
/// * `bw`: inspanningsgericht per arrangement, priced per etmaal, centrumgemeente Amersfoort;
/// * `begeleiding-pxq`: an hourly product (for PxQ and volume tests), woonplaatsbeginsel;
/// * `begeleiding`: taakgericht lumpsum, divided by clients per municipality (seed 001 counts);
/// * `meierij-ib`: outputgericht IB Basis, fee per client-month, pro rata by days.
pub fn book() -> SettlementBook {
    book_inner(false)
}

/// [`book`] plus the taakgericht begeleiding contract (lumpsum instalments every month).
pub fn book_with_lumpsum() -> SettlementBook {
    book_inner(true)
}

fn book_inner(with_lumpsum: bool) -> SettlementBook {
    let y25 = d(2025, 1, 1);
    let respijt = lot(
        "respijt",
        FundingVariant::Inspanningsgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product(
            "07",
            "07A01",
            "Respijtverblijf per verblijf",
            Unit::StuksInspanning,
            vec![tariff(
                y25,
                None,
                45_000,
                "per-stay price not in seed 000; assumed",
            )],
        )],
    );
    let bw = lot(
        "bw",
        FundingVariant::Inspanningsgericht,
        PayerRule::Centrumgemeente {
            gemeente: g(AMERSFOORT),
        },
        vec![product(
            "05",
            "05A03",
            "Beschermd wonen arrangement 3",
            Unit::Etmaal,
            vec![tariff(y25, None, 16_850, "arrangement day price assumed")],
        )],
    );
    let pxq = lot(
        "begeleiding-pxq",
        FundingVariant::Inspanningsgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product(
            "02",
            "02N03",
            "Ambulante begeleiding IN3",
            Unit::Hour,
            vec![
                tariff(d(2024, 1, 1), Some(d(2025, 3, 14)), 6_890, "assumed"),
                tariff(
                    d(2025, 3, 15),
                    None,
                    7_150,
                    "assumed (mid-month indexation for the test)",
                ),
            ],
        )],
    );
    let lumpsum = lot(
        "begeleiding",
        FundingVariant::Taakgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product(
            "02",
            "02L01",
            "Begeleiding taakgericht",
            Unit::Euro,
            vec![],
        )],
    );
    let ib = lot(
        "meierij-ib",
        FundingVariant::Outputgericht,
        PayerRule::Woonplaatsbeginsel,
        vec![product(
            "02",
            "02M02",
            "IB Basis",
            Unit::StuksOutput,
            vec![tariff(
                y25,
                None,
                100_000,
                "Meierij monthly fee not in seed 004; assumed",
            )],
        )],
    );
    let mut b = SettlementBook::new();
    b.add_lot(&respijt, PartMonthRule::ProRataDays).unwrap();
    b.add_lot(&bw, PartMonthRule::ProRataDays).unwrap();
    b.add_lot(&pxq, PartMonthRule::ProRataDays).unwrap();
    b.add_lot(&lumpsum, PartMonthRule::ProRataDays).unwrap();
    b.add_lot(&ib, PartMonthRule::ProRataDays).unwrap();
    for (l, who) in [
        (&respijt, PROVIDER_A),
        (&bw, PROVIDER_B),
        (&pxq, PROVIDER_A),
        (&ib, PROVIDER_A),
        (&ib, PROVIDER_B),
    ] {
        let c = Contract::new(
            format!("{}-{who}", l.id),
            l,
            ContractParty::Provider(agb(who)),
            d(2024, 1, 1),
            5,
            vec![],
            None,
            None,
        )
        .unwrap();
        b.add_contract(&c, None).unwrap();
    }
    if !with_lumpsum {
        return b;
    }
    // Seed 001: unique clients begeleiding per municipality (2024); € 18 million
    // a year is the seed's 2024 realisation, used as an ASSUMED 2025 lumpsum.
    let shares: BTreeMap<Gemeentecode, u64> = [
        (AMERSFOORT, 1202),
        (BAARN, 212),
        (BUNSCHOTEN, 134),
        (LEUSDEN, 232),
        (SOEST, 345),
        (WOUDENBERG, 60),
    ]
    .into_iter()
    .map(|(c, n)| (g(c), n))
    .collect();
    let terms = TaakgerichtTerms {
        annual_budget: vec![(2025, Money::from_cents(1_800_000_000))],
        client_bandwidth: (2000, 2400),
    };
    let c = Contract::new(
        "begeleiding-consortium",
        &lumpsum,
        ContractParty::Provider(agb(CONSORTIUM)),
        d(2025, 1, 1),
        5,
        vec![2, 2],
        Some(9),
        Some(terms),
    )
    .unwrap();
    b.add_contract(&c, Some(LumpsumAllocation::Shares(shares)))
        .unwrap();
    b
}

pub fn client(b: &mut SettlementBook, who: Bsn, home: &str, moves: &[(&str, NaiveDate)]) {
    let mut c = Client::new(who, d(1980, 1, 1), g(home), d(2000, 1, 1));
    for (to, on) in moves {
        c.move_to(g(to), *on).unwrap();
    }
    b.add_client(&c);
}

pub fn toewijzing(
    b: &mut SettlementBook,
    id: &str,
    who: Bsn,
    provider: &str,
    code: &str,
    scope: Scope,
    period: Period,
) {
    b.add_toewijzing(Toewijzing {
        id: id.into(),
        beschikking_id: format!("B-{id}"),
        client: who,
        provider: agb(provider),
        product: ProductRef {
            categorie: code[..2].parse().unwrap(),
            code: Some(code.parse().unwrap()),
        },
        scope,
        period,
        reden_wijziging: None,
    })
    .unwrap();
}

pub fn volume(v: u32, unit: Unit, f: Frequentie) -> Scope {
    Scope::Volume(Omvang {
        volume: v,
        unit,
        frequentie: f,
    })
}

pub fn year_2025() -> Period {
    Period::new(d(2025, 1, 1), Some(d(2025, 12, 31))).unwrap()
}

#[allow(clippy::too_many_arguments)]
pub fn line(
    reference: &str,
    toewijzing: &str,
    who: Bsn,
    provider: &str,
    code: &str,
    from: NaiveDate,
    to: NaiveDate,
    units: Decimal,
    unit: Unit,
) -> DeclarationLine {
    DeclarationLine {
        reference: reference.into(),
        provider: agb(provider),
        toewijzing: toewijzing.into(),
        client: who,
        product: ProductRef {
            categorie: code[..2].parse().unwrap(),
            code: Some(code.parse().unwrap()),
        },
        period: Period::new(from, Some(to)).unwrap(),
        units,
        unit,
    }
}
