//! Benchmark: settle one month of 10,000,000 declaration lines for 1,000,000
//! clients, streamed from a deterministic generator (never materialised).
//!
//! `cargo run --release -p regie-settlement --bin settle-bench [clients] [lines_per_client]`
//!
//! Prints build time, settlement time, lines/s and peak memory (VmHWM).

use chrono::NaiveDate;
use regie_domain::{
    AgbCode, Bsn, Client, Contract, ContractParty, Frequentie, FundingVariant, Gemeentecode, Lot,
    Money, Omvang, PayerRule, Period, ProcurementForm, Product, ProductRef, Scope,
    TaakgerichtTerms, TariffPeriod, Toewijzing, Unit, YearMonth,
};
use regie_settlement::{
    settle_month, DeclarationLine, LumpsumAllocation, PartMonthRule, SettleInputs, SettlementBook,
};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::time::Instant;

const GEMEENTEN: [&str; 7] = ["0307", "0308", "0313", "0327", "0342", "0351", "0203"];
const PROVIDERS: [&str; 4] = ["41000001", "41000002", "41000003", "41000004"];

/// (lot id, funding, payer, product code, unit, tariff cents, scope)
struct Kind {
    code: &'static str,
    unit: Unit,
    scope: Scope,
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn kinds() -> [Kind; 4] {
    let v = |volume, unit, frequentie| {
        Scope::Volume(Omvang {
            volume,
            unit,
            frequentie,
        })
    };
    [
        Kind {
            code: "02N03",
            unit: Unit::Hour,
            scope: v(3, Unit::Hour, Frequentie::PerWeek),
        },
        Kind {
            code: "07A01",
            unit: Unit::StuksInspanning,
            scope: v(8, Unit::StuksInspanning, Frequentie::PerMaand),
        },
        Kind {
            code: "05A03",
            unit: Unit::Etmaal,
            scope: v(7, Unit::Etmaal, Frequentie::PerWeek),
        },
        Kind {
            code: "02M02",
            unit: Unit::StuksOutput,
            scope: Scope::Unspecified,
        },
    ]
}

fn product(code: &str, unit: Unit, cents: i64) -> Product {
    Product::new(
        code[..2].parse().expect("cat"),
        Some(code.parse().expect("code")),
        code,
        unit,
        None,
        vec![TariffPeriod {
            valid: Period::open(d(2024, 1, 1)),
            per_unit: Money::from_cents(cents),
            assumption: Some("benchmark figure".into()),
        }],
    )
    .expect("product")
}

fn lot(id: &str, funding: FundingVariant, payer: PayerRule, products: Vec<Product>) -> Lot {
    Lot {
        id: id.into(),
        name: id.into(),
        procurement: ProcurementForm::OpenHouse {
            entry_every_months: 6,
        },
        funding,
        payer,
        products,
        reference_cost: None,
    }
}

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let per_client: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let month = YearMonth::new(2025, 3).expect("month");
    let amf: Gemeentecode = "0307".parse().expect("g");
    let gems: Vec<Gemeentecode> = GEMEENTEN.iter().map(|g| g.parse().expect("g")).collect();
    let agbs: Vec<AgbCode> = PROVIDERS.iter().map(|a| a.parse().expect("agb")).collect();

    let t0 = Instant::now();
    let mut book = SettlementBook::new();
    let lots = [
        lot(
            "begeleiding-pxq",
            FundingVariant::Inspanningsgericht,
            PayerRule::Woonplaatsbeginsel,
            vec![product("02N03", Unit::Hour, 7150)],
        ),
        lot(
            "respijt",
            FundingVariant::Inspanningsgericht,
            PayerRule::Woonplaatsbeginsel,
            vec![product("07A01", Unit::StuksInspanning, 45_000)],
        ),
        lot(
            "bw",
            FundingVariant::Inspanningsgericht,
            PayerRule::Centrumgemeente { gemeente: amf },
            vec![product("05A03", Unit::Etmaal, 16_850)],
        ),
        lot(
            "ib",
            FundingVariant::Outputgericht,
            PayerRule::Woonplaatsbeginsel,
            vec![product("02M02", Unit::StuksOutput, 100_000)],
        ),
        lot(
            "begeleiding",
            FundingVariant::Taakgericht,
            PayerRule::Woonplaatsbeginsel,
            vec![product("02L01", Unit::Euro, 0)],
        ),
    ];
    for l in &lots {
        book.add_lot(l, PartMonthRule::ProRataDays).expect("lot");
    }
    for l in &lots[..4] {
        for a in &agbs {
            let c = Contract::new(
                format!("{}-{a}", l.id),
                l,
                ContractParty::Provider(*a),
                d(2024, 1, 1),
                4,
                vec![],
                None,
                None,
            )
            .expect("contract");
            book.add_contract(&c, None).expect("contract");
        }
    }
    let shares: BTreeMap<Gemeentecode, u64> = gems.iter().map(|g| (*g, 100)).collect();
    let lumpsum = Contract::new(
        "begeleiding-consortium",
        &lots[4],
        ContractParty::Provider(agbs[0]),
        d(2025, 1, 1),
        5,
        vec![2, 2],
        Some(9),
        Some(TaakgerichtTerms {
            annual_budget: vec![(2025, Money::from_cents(1_800_000_000))],
            client_bandwidth: (2000, 2400),
        }),
    )
    .expect("lumpsum");
    book.add_contract(&lumpsum, Some(LumpsumAllocation::Shares(shares)))
        .expect("lumpsum");

    // Clients: valid BSNs, 10 % move on 16 March.
    book.reserve(clients, clients);
    let mut bsns: Vec<Bsn> = Vec::with_capacity(clients);
    let mut prefix = 10_000_000u32;
    while bsns.len() < clients {
        if let Some(b) = Bsn::complete(prefix) {
            bsns.push(b);
        }
        prefix += 1;
    }
    let kinds = kinds();
    let year = Period::new(d(2025, 1, 1), Some(d(2025, 12, 31))).expect("p");
    for (i, b) in bsns.iter().enumerate() {
        let home = gems[i % gems.len()];
        let mut c = Client::new(*b, d(1970, 1, 1), home, d(2000, 1, 1));
        if i % 10 == 3 {
            c.move_to(gems[(i + 1) % gems.len()], d(2025, 3, 16))
                .expect("move");
        }
        book.add_client(&c);
        let k = &kinds[i % kinds.len()];
        book.add_toewijzing(Toewijzing {
            id: format!("T{i}"),
            beschikking_id: format!("B{i}"),
            client: *b,
            provider: agbs[i % agbs.len()],
            product: ProductRef {
                categorie: k.code[..2].parse().expect("cat"),
                code: Some(k.code.parse().expect("code")),
            },
            scope: k.scope,
            period: year,
            reden_wijziging: None,
        })
        .expect("toewijzing");
    }
    let build = t0.elapsed();
    let hwm_build = vm_hwm_kib();

    let total_lines = clients * per_client;
    let products: Vec<ProductRef> = kinds
        .iter()
        .map(|k| ProductRef {
            categorie: k.code[..2].parse().expect("cat"),
            code: Some(k.code.parse().expect("code")),
        })
        .collect();
    // Line n: client n % clients, k = n / clients-th delivery of that client.
    // Deliveries every 3 days (days 1–3, 4–6, …); 1 % point at an unknown toewijzing.
    let generate = |n: usize| -> DeclarationLine {
        let i = n % clients;
        let k = (n / clients) as u32;
        let kind = &kinds[i % kinds.len()];
        let first = 1 + (3 * k) % 30;
        let (from, to, units) = match kind.unit {
            Unit::Hour => (first, first, Decimal::from(1 + (n % 2) as i64)),
            Unit::StuksInspanning => (first, first + 1, Decimal::ONE),
            Unit::Etmaal => (first, first + 2, Decimal::from(3)),
            _ => (first, first + 2, Decimal::ONE),
        };
        DeclarationLine {
            reference: format!("L{n}"),
            provider: agbs[i % agbs.len()],
            toewijzing: if n % 100 == 99 {
                "UNKNOWN".to_string()
            } else {
                format!("T{i}")
            },
            client: bsns[i],
            product: products[i % kinds.len()],
            period: Period::new(d(2025, 3, from), Some(d(2025, 3, to))).expect("p"),
            units,
            unit: kind.unit,
        }
    };

    // Generation alone, to separate its cost from settlement.
    let tg = Instant::now();
    let mut check = 0u64;
    for n in 0..total_lines {
        check = check.wrapping_add(generate(n).units.mantissa() as u64);
    }
    let gen_only = tg.elapsed();

    let inputs = SettleInputs::new(&book);
    let ts = Instant::now();
    let ms = settle_month(month, &inputs, (0..total_lines).map(generate));
    let settle = ts.elapsed();
    let hwm = vm_hwm_kib();

    let secs = settle.as_secs_f64();
    println!("clients               {clients}");
    println!("toewijzingen          {}", book.toewijzing_count());
    println!("declaration lines     {total_lines} (streamed, {per_client} per client)");
    println!("book build            {:.2} s", build.as_secs_f64());
    println!(
        "line generation only  {:.2} s (checksum {check})",
        gen_only.as_secs_f64()
    );
    println!("settle_month          {:.2} s (incl. generation)", secs);
    println!(
        "throughput            {:.0} lines/s",
        total_lines as f64 / secs
    );
    println!(
        "settlement only       {:.2} s, {:.0} lines/s",
        (settle - gen_only.min(settle)).as_secs_f64(),
        total_lines as f64 / (settle - gen_only.min(settle)).as_secs_f64().max(1e-9)
    );
    println!("rows                  {}", ms.rows.len());
    println!(
        "caps                  {} ({})",
        ms.caps.len(),
        ms.stats.capped_amount
    );
    println!("rejected lines        {}", ms.rejected.len());
    println!("priced                {}", ms.stats.priced_amount);
    println!("declared settled      {}", ms.stats.declared_settled);
    println!("lumpsum               {}", ms.stats.lumpsum_settled);
    println!("total                 {}", ms.total());
    if let (Some(b), Some(h)) = (hwm_build, hwm) {
        println!(
            "peak memory (VmHWM)   {:.0} MiB after build, {:.0} MiB after settlement",
            b as f64 / 1024.0,
            h as f64 / 1024.0
        );
    }
}
