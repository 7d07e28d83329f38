//! Settlement in the store, on every available backend: synthetic
//! declarations, settle from the store, persist + reload, settle twice
//! identically, explain from the store, budgets and risk adjustments.

mod common;

use common::{amersfoort, backends};
use regie_domain::{AgbCode, Money, YearMonth};
use regie_settlement::{
    explain_line, settle_month, BudgetKey, RejectReason, RiskAdjustment, RiskCategory, SettleInputs,
};
use regie_sim::{Generator, SimConfig};
use regie_store::settlement::simulate::SimulateSettings;
use regie_store::{
    BookSettings, LineFilter, RegionInput, SimBatch, Store, StoredBudget, ToewijzingRow,
};
use std::collections::BTreeMap;
use std::sync::Arc;

const REGION: &str = "meierij";

/// Book settings from the region file: tacit yearly contract renewals.
fn book_settings() -> BookSettings {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../regions/meierij.toml");
    let rf = regie_regions::parse_region(&std::fs::read_to_string(path).unwrap(), path).unwrap();
    BookSettings {
        tacit_extensions: rf
            .contract_info
            .iter()
            .map(|c| (c.id.clone(), c.tacit_yearly_extensions))
            .collect(),
        ..BookSettings::default()
    }
}

async fn load_population(store: &Store, clients: u64) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../regions/meierij.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let rf = regie_regions::parse_region(&text, path).unwrap();
    store
        .save_region(
            RegionInput {
                region: &rf.region,
                source_file: "regions/meierij.toml",
                document: &text,
                providers: &rf.providers,
                lots: &rf.lots,
                contracts: &rf.contracts,
            },
            "test",
        )
        .await
        .unwrap();
    assert_eq!(rf.region.id(), REGION);
    let mut contracts: BTreeMap<String, Vec<AgbCode>> = BTreeMap::new();
    for c in &rf.contracts {
        contracts
            .entry(c.lot_id.clone())
            .or_default()
            .push(c.party.addressee());
    }
    let gen = Generator::new(
        &rf.region,
        &rf.lots,
        &contracts,
        rf.population.as_ref(),
        SimConfig {
            clients,
            start: YearMonth::new(2024, 1).unwrap(),
            months: 12,
            seed: 11,
        },
    )
    .unwrap();
    let mut batch = SimBatch::default();
    for gc in gen {
        batch.clients.push(gc.client);
        batch.beschikkingen.extend(gc.beschikkingen);
        batch.toewijzingen.extend(gc.toewijzingen.into_iter().map(
            |(toewijzing, lot_id, gemeente)| ToewijzingRow {
                toewijzing,
                lot_id,
                gemeente,
            },
        ));
    }
    store.insert_batch(REGION, &batch).await.unwrap();
}

fn settings() -> SimulateSettings {
    // Raised reject rates so a few hundred clients surely exercise them.
    SimulateSettings {
        seed: 7,
        over_volume_pct: 10,
        orphan_per_mille: 40,
        unknown_product_per_mille: 40,
    }
}

async fn count(store: &Store, table: &str, month: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE region_id = $1 AND month = $2"
    ))
    .bind(REGION)
    .bind(month)
    .fetch_one(store.pool())
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn settle_from_store_persists_reloads_and_repeats_identically() {
    let month = YearMonth::new(2024, 3).unwrap();
    let mut per_backend = Vec::new();
    for db in backends().await {
        let store = &db.store;
        load_population(store, 400).await;

        // Synthetic declarations: deterministic, stored, with rejects mixed in.
        let tally = store
            .simulate_declarations(REGION, month, &settings())
            .await
            .unwrap();
        assert!(tally.toewijzingen > 30, "{}: {tally:?}", db.name);
        assert!(tally.lines >= tally.toewijzingen, "{}", db.name);
        assert!(
            tally.orphan_lines > 0 && tally.unknown_product_lines > 0,
            "{tally:?}"
        );
        assert!(tally.over_volume > 0, "{tally:?}");
        let lines = store.declarations(REGION, month).await.unwrap();
        assert_eq!(lines.len() as u64, tally.lines, "{}", db.name);
        let again = store
            .simulate_declarations(REGION, month, &settings())
            .await
            .unwrap();
        assert_eq!(again, tally);
        assert_eq!(store.declarations(REGION, month).await.unwrap(), lines);

        // The seed gives no Meierij fees: set placeholder fees (client-month).
        for (i, code) in [
            "02X01", "02X02", "02X03", "07X01", "07X02", "04X01", "04X02",
        ]
        .iter()
        .enumerate()
        {
            store
                .set_tariff(
                    REGION,
                    code,
                    chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                    Money::from_cents(50_000 + 12_345 * i as i64),
                    Some("test fee"),
                )
                .await
                .unwrap();
        }

        assert!(store
            .set_tariff(
                REGION,
                "99X99",
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                Money::from_cents(1),
                None
            )
            .await
            .is_err());

        // Settle from the store.
        let book = Arc::new(
            store
                .settlement_book(REGION, month, &book_settings())
                .await
                .unwrap(),
        );
        let mut seen = 0;
        let first = store
            .settle_month(REGION, month, Arc::clone(&book), |n| seen = n)
            .await
            .unwrap();
        assert_eq!(seen, tally.lines);
        let ms = &first.settlement;
        assert_eq!(ms.stats.lines_read, tally.lines, "{}", db.name);
        assert!(ms.total() > Money::ZERO);
        let rejected = ms.rejected_by_reason();
        assert_eq!(
            rejected.get(&RejectReason::UnknownToewijzing).copied(),
            Some(tally.orphan_lines),
            "{}: {rejected:?}",
            db.name
        );
        let bad_product = rejected
            .get(&RejectReason::UnknownProduct)
            .copied()
            .unwrap_or(0)
            + rejected
                .get(&RejectReason::ProductMismatch)
                .copied()
                .unwrap_or(0);
        assert_eq!(bad_product, tally.unknown_product_lines, "{rejected:?}");
        // One fee too many per month is capped, not rejected (S40).
        assert!(!ms.caps.is_empty(), "over-volume toewijzingen are capped");
        assert!(ms
            .caps
            .iter()
            .all(|c| c.capped_units > rust_decimal::Decimal::ZERO));

        // The streamed settlement equals the pure engine on the same lines.
        let prior = std::collections::HashMap::new();
        let pure = settle_month(
            month,
            &SettleInputs {
                book: &book,
                prior: &prior,
                adjustments: &[],
                record_usage: true,
            },
            &lines,
        );
        assert_eq!(pure.rows, ms.rows);
        assert_eq!(pure.total(), ms.total());
        assert_eq!(pure.caps, ms.caps);

        // Persisted: reload equals what was returned; tables agree with the report.
        let stored = store.settlement(REGION, month).await.unwrap().unwrap();
        assert_eq!(stored.settlement, first.settlement, "{}", db.name);
        assert_eq!(stored.input_hash, first.input_hash);
        let m = month.to_string();
        assert_eq!(
            count(store, "settlement_lines", &m).await as u64,
            tally.lines
        );
        assert_eq!(
            count(store, "settlement_rows", &m).await as usize,
            ms.rows.len()
        );
        assert_eq!(
            count(store, "settlement_rejected", &m).await as usize,
            ms.rejected.len()
        );
        assert_eq!(
            count(store, "settlement_caps", &m).await as usize,
            ms.caps.len()
        );
        let (sum,): (i64,) = sqlx::query_as(
            "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM settlement_rows WHERE region_id = $1 AND month = $2",
        )
        .bind(REGION)
        .bind(&m)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(sum, ms.total().cents());

        // Settling the same month again replaces it with the identical result.
        let second = store
            .settle_month(REGION, month, Arc::clone(&book), |_| {})
            .await
            .unwrap();
        assert_eq!(second.settlement, first.settlement);
        assert_eq!(second.input_hash, first.input_hash);
        assert_eq!(
            count(store, "settlement_lines", &m).await as u64,
            tally.lines
        );
        assert_eq!(count(store, "settlement_runs", &m).await, 1);
        assert_eq!(
            store
                .settlement(REGION, month)
                .await
                .unwrap()
                .unwrap()
                .settlement,
            first.settlement
        );

        // Explain from the store: the stored trace is the engine's trace.
        let accepted = lines
            .iter()
            .find(|l| ms.rejected.iter().all(|r| r.reference != l.reference))
            .unwrap();
        let traced = store
            .settled_lines(
                REGION,
                month,
                &LineFilter::Reference(accepted.reference.clone()),
            )
            .await
            .unwrap();
        assert_eq!(traced.len(), 1);
        assert_eq!(traced[0], explain_line(&book, month, accepted));
        let by_tw = store
            .settled_lines(
                REGION,
                month,
                &LineFilter::Toewijzing(accepted.toewijzing.clone()),
            )
            .await
            .unwrap();
        assert!(by_tw.iter().any(|l| l.line.reference == accepted.reference));
        // Caps read back whole.
        for cap in &ms.caps {
            assert_eq!(
                store
                    .settlement_cap(REGION, month, &cap.toewijzing)
                    .await
                    .unwrap()
                    .as_ref(),
                Some(cap)
            );
        }
        assert_eq!(
            store.settlement_cap(REGION, month, "nope").await.unwrap(),
            None
        );

        // The next month sees this month's usage as prior usage.
        let prior = store.prior_usage(REGION, month.next()).await.unwrap();
        assert_eq!(prior.len(), ms.usage.len());
        assert!(!prior.is_empty());

        // Budgets: set, read back, actuals from settled rows, paid once marked.
        let key = BudgetKey {
            gemeente: "1948".parse().unwrap(),
            lot: "1a-individuele-begeleiding".into(),
        };
        let budget = StoredBudget {
            key: key.clone(),
            year: 2024,
            amount: Money::from_cents(123_456_789),
            source: "test".into(),
        };
        store.set_budget(REGION, &budget).await.unwrap();
        assert_eq!(
            store.budgets(REGION, 2024).await.unwrap(),
            vec![budget.clone()]
        );
        let derived = StoredBudget {
            amount: Money::from_cents(1),
            source: "derived".into(),
            ..budget.clone()
        };
        assert_eq!(
            store.seed_budgets(REGION, &[derived], false).await.unwrap(),
            0
        );
        assert_eq!(store.budgets(REGION, 2024).await.unwrap(), vec![budget]);
        let amounts = store.month_amounts(REGION, 2024).await.unwrap();
        let declared: Money = amounts.iter().map(|a| a.declared).sum();
        assert_eq!(declared, ms.total());
        assert!(amounts.iter().all(|a| a.paid == Money::ZERO));
        store
            .mark_paid(REGION, month, month.last_day())
            .await
            .unwrap();
        let paid: Money = store
            .month_amounts(REGION, 2024)
            .await
            .unwrap()
            .iter()
            .map(|a| a.paid)
            .sum();
        assert_eq!(paid, ms.total());
        assert!(store
            .mark_paid(REGION, YearMonth::new(2030, 1).unwrap(), month.last_day())
            .await
            .is_err());

        // Risk adjustments: validated against the risk split, stored per month.
        let bad = RiskAdjustment {
            id: "RA-1".into(),
            contract_id: "c".into(),
            month,
            amount: Money::from_cents(10_000),
            category: RiskCategory::Intensity,
            reason: "more hours".into(),
        };
        assert!(store.add_risk_adjustment(REGION, &bad).await.is_err());
        let good = RiskAdjustment {
            category: RiskCategory::Inflow,
            reason: "inflow above bandwidth".into(),
            ..bad
        };
        store.add_risk_adjustment(REGION, &good).await.unwrap();
        assert_eq!(
            store.risk_adjustments(REGION, month).await.unwrap(),
            vec![good]
        );

        per_backend.push((db.name, first.settlement, first.input_hash));
    }
    // Same population, same seed: every backend settles to the same cent.
    for w in per_backend.windows(2) {
        assert_eq!(w[0].1, w[1].1, "{} vs {}", w[0].0, w[1].0);
        assert_eq!(w[0].2, w[1].2);
    }
}

/// Amersfoort begeleiding is taakgericht: a month with no declarations
/// settles to the lumpsum instalment (€ 18 mln / 12), divided over the member
/// municipalities (equal shares when no client has a toewijzing on the lot).
#[tokio::test]
async fn lumpsum_month_from_the_store() {
    let month = YearMonth::new(2027, 3).unwrap();
    for db in backends().await {
        let store = &db.store;
        let (rf, text) = amersfoort();
        store
            .save_region(
                RegionInput {
                    region: &rf.region,
                    source_file: "regions/amersfoort.toml",
                    document: &text,
                    providers: &rf.providers,
                    lots: &rf.lots,
                    contracts: &rf.contracts,
                },
                "test",
            )
            .await
            .unwrap();
        let book = Arc::new(
            store
                .settlement_book("amersfoort", month, &BookSettings::default())
                .await
                .unwrap(),
        );
        let s = store
            .settle_month("amersfoort", month, book, |_| {})
            .await
            .unwrap()
            .settlement;
        assert_eq!(s.stats.lines_read, 0);
        assert_eq!(s.total(), Money::from_cents(150_000_000), "{}", db.name);
        let begeleiding: Vec<_> = s
            .rows
            .iter()
            .filter(|r| r.key.lot == "begeleiding")
            .collect();
        assert_eq!(begeleiding.len(), rf.region.municipalities().len());
        assert!(begeleiding
            .iter()
            .all(|r| r.key.item == regie_settlement::Item::Lumpsum));
        let stored = store
            .settlement("amersfoort", month)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.settlement, s);
    }
}

/// WMO323 lines ingested by the iWmo chain become settlement declarations:
/// only accepted, uncredited, non-credit lines of the region's month, with the
/// ToewijzingNummer mapped back to the stored toewijzing.
#[tokio::test]
async fn iwmo_323_lines_are_imported_for_settlement() {
    let month = YearMonth::new(2025, 3).unwrap();
    for db in backends().await {
        let store = &db.store;
        load_population(store, 5).await;
        sqlx::query("INSERT INTO iwmo_toewijzingen (gemeente, nummer, aanbieder, bsn, toewijzing_id, ingangsdatum, fingerprint, message_id) VALUES ('0796', 4711, '99040101', '123456782', 'T-4711', '2025-01-01', 'f', 1)")
            .execute(store.pool())
            .await
            .unwrap();
        // (reference, gemeente, nummer, begin, eind, volume, bedrag, status, gecrediteerd)
        let rows = [
            (
                "R1",
                "0796",
                4711,
                "2025-03-01",
                "2025-03-31",
                1,
                81_250,
                "accepted",
                0,
            ),
            (
                "R2",
                "0796",
                4711,
                "2025-03-01",
                "2025-03-31",
                1,
                81_250,
                "accepted",
                1,
            ),
            (
                "R3",
                "0796",
                4711,
                "2025-03-01",
                "2025-03-31",
                1,
                -81_250,
                "accepted",
                0,
            ),
            (
                "R4",
                "0796",
                4711,
                "2025-03-01",
                "2025-03-31",
                1,
                81_250,
                "rejected",
                0,
            ),
            (
                "R5",
                "0307",
                4711,
                "2025-03-01",
                "2025-03-31",
                1,
                81_250,
                "accepted",
                0,
            ),
            (
                "R6",
                "0796",
                4711,
                "2025-04-01",
                "2025-04-30",
                1,
                81_250,
                "accepted",
                0,
            ),
            (
                "R7",
                "1948",
                9999,
                "2025-03-10",
                "2025-03-20",
                11,
                29_000,
                "accepted",
                0,
            ),
        ];
        for (i, (r, g, n, b, e, v, amount, status, cred)) in rows.iter().enumerate() {
            sqlx::query("INSERT INTO iwmo_declaratie_regels (message_id, client_index, prestatie_index, aanbieder, gemeente, declaratie_nummer, bsn, referentie_nummer, vorig_referentie, toewijzing_nummer, categorie, productcode, periode_begin, periode_eind, volume, eenheid, tarief_cents, bedrag_cents, status, retourcodes, gecrediteerd) VALUES ($1, 0, $2, '99040101', $3, 'D1', '123456782', $4, NULL, $5, '02', '02X02', $6, $7, $8, '82', NULL, $9, $10, '0200', $11)")
                .bind(7i64)
                .bind(i as i64)
                .bind(*g)
                .bind(*r)
                .bind(*n as i64)
                .bind(*b)
                .bind(*e)
                .bind(*v as i64)
                .bind(*amount as i64)
                .bind(*status)
                .bind(*cred as i64)
                .execute(store.pool())
                .await
                .unwrap();
        }
        let n = store.import_iwmo_declarations(REGION, month).await.unwrap();
        assert_eq!(n, 2, "{}", db.name);
        let lines = store.declarations(REGION, month).await.unwrap();
        let refs: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.reference.as_str(), l.toewijzing.as_str()))
            .collect();
        assert_eq!(refs, vec![("R1", "T-4711"), ("R7", "9999")], "{}", db.name);
        assert_eq!(lines[1].units, rust_decimal::Decimal::from(11));
        let (src,): (String,) = sqlx::query_as(
            "SELECT DISTINCT source FROM settlement_declarations WHERE region_id = $1",
        )
        .bind(REGION)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(src, "iwmo323");
        // Importing again replaces, synthetic lines of the month are kept.
        store
            .simulate_declarations(REGION, month, &settings())
            .await
            .unwrap();
        let synthetic = store.declaration_count(REGION, month).await.unwrap() - 2;
        assert_eq!(
            store.import_iwmo_declarations(REGION, month).await.unwrap(),
            2
        );
        assert_eq!(
            store.declaration_count(REGION, month).await.unwrap(),
            synthetic + 2
        );
    }
}
