//! Every kind of bad region file yields an error naming file, line, column and field.

use regie_regions::{load_file, parse_region, ErrorKind, RegionFileError};

const BASE: &str = r#"format = 1

[[sources]]
id = "s"
file = "f.txt"
title = "T"

[region]
id = "x"
name = "X"
centrumgemeente = "0307"
source = "s"

[[region.municipalities]]
code = "0307"
name = "Amersfoort"

[[region.municipalities]]
code = "0308"
name = "Baarn"

[[providers]]
agb = "99000001"
name = "P"
placeholder = true

[[lots]]
id = "bw"
name = "BW"
source = "s"
procurement = { kind = "selected_partners", max_partners = 1 }
funding = "inspanningsgericht"
payer = { kind = "centrumgemeente", gemeente = "0307" }

[[lots.products]]
name = "BW"
categorie = "15"
unit = "14"
source = "s"

[[lots.products.tariffs]]
start = 2025-01-01
end = 2025-12-31
per_unit = "100.00"
source = "s"

[[contracts]]
id = "c"
lot = "bw"
provider = "99000001"
start = 2025-01-01
initial_years = 4
source = "s"
"#;

/// BASE with the first occurrence of `from` replaced; panics if absent so a
/// test cannot silently check the unmodified file.
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "fixture lacks {from:?}");
    BASE.replacen(from, to, 1)
}

fn fail(text: &str) -> (String, ErrorKind) {
    match parse_region(text, "regions/x.toml") {
        Ok(_) => panic!("expected an error"),
        Err(e) => (e.to_string(), e.kind().unwrap().clone()),
    }
}

#[test]
fn base_is_valid() {
    let r = parse_region(BASE, "regions/x.toml").unwrap();
    assert_eq!(r.lots[0].products[0].tariffs().len(), 1);
    assert!(r.assumptions().is_empty());
}

#[test]
fn syntax_error() {
    let (msg, kind) = fail(&with("name = \"X\"", "name = \"X"));
    assert!(matches!(kind, ErrorKind::Syntax(_)));
    assert!(msg.starts_with("regions/x.toml:10:"), "{msg}");
}

#[test]
fn unknown_field_names_the_key() {
    let (msg, kind) = fail(&with("funding = ", "colour = \"red\"\nfunding = "));
    assert!(matches!(kind, ErrorKind::UnknownField(_)));
    assert!(
        msg.starts_with("regions/x.toml:32:1: lots[0].colour: unknown field `colour`"),
        "{msg}"
    );
}

#[test]
fn missing_field() {
    let (msg, kind) = fail(&with("initial_years = 4\n", ""));
    assert!(matches!(kind, ErrorKind::MissingField(_)));
    assert!(
        msg.contains("contracts[0]: missing field `initial_years`"),
        "{msg}"
    );
}

#[test]
fn bad_gemeentecode() {
    let (msg, kind) = fail(&with("code = \"0308\"", "code = \"308\""));
    assert!(matches!(kind, ErrorKind::InvalidValue(_)));
    assert_eq!(
        msg,
        "regions/x.toml:19:8: region.municipalities[1].code: gemeentecode must be 4 digits, got \"308\""
    );
}

#[test]
fn bad_categorie() {
    let (msg, _) = fail(&with("categorie = \"15\"", "categorie = \"2\""));
    assert_eq!(
        msg,
        "regions/x.toml:37:13: lots[0].products[0].categorie: productcategorie must be 2 digits, got \"2\""
    );
}

#[test]
fn bad_unit() {
    let (msg, _) = fail(&with("unit = \"14\"", "unit = \"uur\""));
    assert!(
        msg.starts_with("regions/x.toml:38:8: lots[0].products[0].unit: unit must be a WJ756 code"),
        "{msg}"
    );
}

#[test]
fn float_amount_is_refused() {
    let (msg, kind) = fail(&with("per_unit = \"100.00\"", "per_unit = 100.5"));
    assert!(matches!(kind, ErrorKind::Shape(_)));
    assert!(
        msg.contains("lots[0].products[0].tariffs[0].per_unit"),
        "{msg}"
    );
    assert!(msg.contains("is a float"), "{msg}");
}

#[test]
fn sub_cent_amount_is_refused() {
    let (msg, kind) = fail(&with("per_unit = \"100.00\"", "per_unit = \"100.005\""));
    assert!(matches!(kind, ErrorKind::InvalidAmountOrDate(_)));
    assert!(
        msg.contains("tariffs[0].per_unit: amount \"100.005\" has more than two decimals"),
        "{msg}"
    );
}

#[test]
fn overlapping_tariffs() {
    let second =
        "\n[[lots.products.tariffs]]\nstart = 2025-06-01\nper_unit = \"110.00\"\nsource = \"s\"\n";
    let (msg, kind) = fail(&with(
        "\n[[contracts]]",
        &format!("{second}\n[[contracts]]"),
    ));
    assert!(matches!(kind, ErrorKind::Tariff(_)));
    assert!(
        msg.starts_with("regions/x.toml:48:9: lots[0].products[0].tariffs[1].start: tariff period 2025-06-01 – overlaps tariffs[0]"),
        "{msg}"
    );
}

#[test]
fn negative_tariff() {
    let (msg, kind) = fail(&with("per_unit = \"100.00\"", "per_unit = \"-1.00\""));
    assert!(matches!(kind, ErrorKind::Tariff(_)));
    assert!(msg.contains("per_unit: negative tariff"), "{msg}");
}

#[test]
fn tariff_end_before_start() {
    let (msg, _) = fail(&with("end = 2025-12-31", "end = 2024-12-31"));
    assert!(
        msg.contains("tariffs[0].end: period ends 2024-12-31 before it starts 2025-01-01"),
        "{msg}"
    );
}

#[test]
fn product_without_tariff_or_reason() {
    let text = with("\n[[lots.products.tariffs]]\nstart = 2025-01-01\nend = 2025-12-31\nper_unit = \"100.00\"\nsource = \"s\"\n", "");
    let (msg, kind) = fail(&text);
    assert_eq!(kind, ErrorKind::MissingTariff);
    assert!(
        msg.starts_with("regions/x.toml:35:1: lots[0].products[0]: product has no tariffs"),
        "{msg}"
    );
    // With a reason it is accepted.
    let ok = text.replace(
        "source = \"s\"\n\n[[contracts]]",
        "source = \"s\"\ntariff_unknown = \"seed gives none\"\n\n[[contracts]]",
    );
    assert!(parse_region(&ok, "x").is_ok());
}

#[test]
fn tariff_unknown_requires_marked_tariffs() {
    let (msg, _) = fail(&with(
        "unit = \"14\"",
        "unit = \"14\"\ntariff_unknown = \"none in seed\"",
    ));
    assert!(
        msg.contains("lots[0].products[0].tariffs[0]: product says tariff_unknown"),
        "{msg}"
    );
    let ok = with(
        "unit = \"14\"",
        "unit = \"14\"\ntariff_unknown = \"none in seed\"",
    )
    .replace(
        "per_unit = \"100.00\"",
        "per_unit = \"100.00\"\nassumption = \"derived from € 1 mln / 10 clients\"",
    );
    let r = parse_region(&ok, "x").unwrap();
    assert_eq!(
        r.assumptions(),
        vec![(
            "lots[0].products[0].tariffs[0]".to_string(),
            "derived from € 1 mln / 10 clients".to_string()
        )]
    );
    assert_eq!(
        r.lots[0].products[0].tariffs()[0].assumption.as_deref(),
        Some("derived from € 1 mln / 10 clients")
    );
}

#[test]
fn centrumgemeente_not_member() {
    let (msg, kind) = fail(&with(
        "centrumgemeente = \"0307\"",
        "centrumgemeente = \"0313\"",
    ));
    assert_eq!(kind, ErrorKind::NotMember("0313".into()));
    assert_eq!(
        msg,
        "regions/x.toml:11:19: region.centrumgemeente: municipality 0313 is not a member of the region"
    );
}

#[test]
fn payer_must_be_the_centrumgemeente() {
    let (msg, kind) = fail(&with(
        "{ kind = \"centrumgemeente\", gemeente = \"0307\" }",
        "{ kind = \"centrumgemeente\", gemeente = \"0308\" }",
    ));
    assert!(matches!(kind, ErrorKind::Region(_)));
    assert!(
        msg.contains("lots[0].payer.gemeente: payer 0308 is not the region's centrumgemeente 0307"),
        "{msg}"
    );
}

#[test]
fn duplicate_municipality() {
    let (msg, kind) = fail(&with("code = \"0308\"", "code = \"0307\""));
    assert!(matches!(kind, ErrorKind::Duplicate { .. }));
    assert!(
        msg.contains("region.municipalities[1].code: duplicate municipality \"0307\""),
        "{msg}"
    );
}

#[test]
fn unknown_lot_in_contract() {
    let (msg, kind) = fail(&with("lot = \"bw\"", "lot = \"begeleiding\""));
    assert_eq!(
        kind,
        ErrorKind::UnknownReference {
            what: "lot",
            id: "begeleiding".into()
        }
    );
    assert_eq!(
        msg,
        "regions/x.toml:49:7: contracts[0].lot: unknown lot \"begeleiding\""
    );
}

#[test]
fn unknown_provider_in_contract() {
    let (msg, _) = fail(&with("provider = \"99000001\"", "provider = \"99000002\""));
    assert!(
        msg.contains("contracts[0].provider: unknown provider \"99000002\""),
        "{msg}"
    );
}

#[test]
fn provider_must_be_placeholder_or_sourced() {
    let (msg, _) = fail(&with("placeholder = true\n", ""));
    assert!(
        msg.contains("providers[0]: a provider must be marked placeholder = true or cite a source"),
        "{msg}"
    );
}

#[test]
fn too_many_selected_partners() {
    let extra = "\n[[providers]]\nagb = \"99000002\"\nname = \"Q\"\nplaceholder = true\n";
    let text = with("\n[[lots]]", &format!("{extra}\n[[lots]]"))
        + "\n[[contracts]]\nid = \"c2\"\nlot = \"bw\"\nprovider = \"99000002\"\nstart = 2026-01-01\ninitial_years = 1\nsource = \"s\"\n";
    let (msg, kind) = fail(&text);
    assert!(matches!(kind, ErrorKind::Procurement(_)));
    assert!(msg.contains("contracts[1]: lot \"bw\" allows at most 1 contract partners, but 2 contracts run on 2026-01-01"), "{msg}");
}

#[test]
fn open_house_entry_window() {
    let text = with("kind = \"selected_partners\", max_partners = 1", "kind = \"open_house\", entry_every_months = 6")
        + "\n[[contracts]]\nid = \"c2\"\nlot = \"bw\"\nprovider = \"99000001\"\nstart = 2025-03-01\ninitial_years = 1\nsource = \"s\"\n";
    let (msg, _) = fail(&text);
    assert!(msg.contains("contracts[1].start: open house lot \"bw\": entry on 2025-03-01 is not an entry window (next: 2025-07-01)"), "{msg}");
}

#[test]
fn lumpsum_needs_taakgericht() {
    let (msg, kind) = fail(&with(
        "funding = \"inspanningsgericht\"",
        "funding = \"taakgericht\"",
    ));
    assert!(matches!(kind, ErrorKind::Contract(_)));
    assert!(
        msg.contains(
            "contracts[0]: lumpsum terms are required for, and only for, taakgericht contracts"
        ),
        "{msg}"
    );
}

#[test]
fn contract_too_long() {
    let (msg, _) = fail(&with(
        "initial_years = 4",
        "initial_years = 4\nextension_options = [2, 2]\nmax_years = 6",
    ));
    assert!(
        msg.contains(
            "contracts[0].max_years: initial 4 + extensions 4 years exceeds the maximum of 6 years"
        ),
        "{msg}"
    );
}

#[test]
fn lumpsum_budget_outside_contract() {
    let text = with("funding = \"inspanningsgericht\"", "funding = \"taakgericht\"")
        + "\n[contracts.lumpsum]\nclient_bandwidth = [665, 735]\nsource = \"s\"\nannual_budget = [{ year = 2024, amount = 1 }]\n";
    let (msg, _) = fail(&text);
    assert!(msg.contains("contracts[0].lumpsum.annual_budget[0].year: budget year 2024 lies outside the contract's years 2025–2028"), "{msg}");
    let bad_band = text.replace("[665, 735]", "[735, 665]");
    assert!(fail(&bad_band)
        .0
        .contains("lumpsum.client_bandwidth: bandwidth minimum 735 exceeds maximum 665"));
}

#[test]
fn duplicate_lot_id() {
    let lot2 = "\n[[lots]]\nid = \"bw\"\nname = \"again\"\nsource = \"s\"\nprocurement = { kind = \"single_consortium\" }\nfunding = \"taakgericht\"\npayer = { kind = \"woonplaatsbeginsel\" }\n";
    let (msg, _) = fail(&with("\n[[contracts]]", &format!("{lot2}\n[[contracts]]")));
    assert!(msg.contains("lots[1].id: duplicate lot \"bw\""), "{msg}");
}

#[test]
fn unknown_source() {
    let (msg, kind) = fail(&with(
        "[region]\nid = \"x\"\nname = \"X\"\ncentrumgemeente = \"0307\"\nsource = \"s\"",
        "[region]\nid = \"x\"\nname = \"X\"\ncentrumgemeente = \"0307\"\nsource = \"seed-9 §1\"",
    ));
    assert_eq!(kind, ErrorKind::UnknownSource("seed-9 §1".into()));
    assert_eq!(msg, "regions/x.toml:12:10: region.source: source \"seed-9 §1\" does not start with a declared [[sources]] id");
}

#[test]
fn unsupported_format() {
    let (msg, _) = fail(&with("format = 1", "format = 2"));
    assert_eq!(
        msg,
        "regions/x.toml:1:10: format: unsupported format version 2; this reader knows format 1"
    );
}

const POP: &str = r#"
[population]
year = 2024
source = "s"
unique_total = 100
unique_in_region = 95
unique_outside_region = 5
municipality_totals = { "0307" = 60, "0308" = 40 }

[[population.products]]
product = "15"
lot = "bw"
unique_total = 100
mean_age = "41.5"
by_municipality = { "0307" = 60, "0308" = 40 }
outside_region = 5
"#;

#[test]
fn population_valid() {
    let r = parse_region(&(BASE.to_string() + POP), "x").unwrap();
    let p = r.population.unwrap();
    assert_eq!(p.products[0].mean_age.unwrap().to_string(), "41.5");
    assert_eq!(p.municipality_totals.len(), 2);
}

#[test]
fn population_key_not_member() {
    let text = BASE.to_string()
        + &POP.replace(
            "{ \"0307\" = 60, \"0308\" = 40 }\n\n",
            "{ \"0307\" = 60, \"0313\" = 40 }\n\n",
        );
    let (msg, kind) = fail(&text);
    assert_eq!(kind, ErrorKind::NotMember("0313".into()));
    assert!(
        msg.contains("population.municipality_totals.0313: municipality 0313 is not a member"),
        "{msg}"
    );
}

#[test]
fn population_product_count_exceeds_total() {
    let text = BASE.to_string()
        + &POP.replace(
            "by_municipality = { \"0307\" = 60",
            "by_municipality = { \"0307\" = 160",
        );
    let (msg, kind) = fail(&text);
    assert!(matches!(kind, ErrorKind::Population(_)));
    assert!(msg.contains("population.products[0].by_municipality.0307: 160 clients in 0307 exceed the product's unique_total 100"), "{msg}");
}

#[test]
fn population_counts_must_cover_clients() {
    let text = BASE.to_string()
        + &POP
            .replace("\noutside_region = 5\n", "\noutside_region = 0\n")
            .replace(
                "{ \"0307\" = 60, \"0308\" = 40 }\noutside",
                "{ \"0307\" = 50, \"0308\" = 40 }\noutside",
            );
    let (msg, _) = fail(&text);
    assert!(msg.contains("products[0].by_municipality: municipality counts plus outside_region add up to 90, fewer than unique_total 100"), "{msg}");
    let text = BASE.to_string() + &POP.replace("unique_in_region = 95", "unique_in_region = 90");
    let (msg, _) = fail(&text);
    assert!(
        msg.contains(
            "population.unique_total: 90 in region + 5 outside = 95, fewer than unique_total 100"
        ),
        "{msg}"
    );
}

#[test]
fn population_unknown_product() {
    let text = BASE.to_string() + &POP.replace("product = \"15\"", "product = \"02N01\"");
    let (msg, _) = fail(&text);
    assert!(
        msg.contains("population.products[0].product: unknown product in that lot \"02N01\""),
        "{msg}"
    );
}

#[test]
fn budget_table_must_add_up() {
    let table = "\n[[budget_tables]]\nid = \"t1\"\nname = \"Tabel 1\"\nsource = \"s\"\nrows = [\n  { year = 2023, historic = \"45472142\", objective = \"3163411\", total = \"48635554\" },\n  { year = 2024, historic = \"35035307\", objective = \"12230029\", total = \"47265340\" },\n]\n";
    let (msg, kind) = fail(&(BASE.to_string() + table));
    assert!(matches!(kind, ErrorKind::Budget(_)));
    assert!(msg.contains("budget_tables[0].rows[1].total: historic € 35035307.00 + objective € 12230029.00 = € 47265336.00, but total is € 47265340.00 (tolerance € 1.00)"), "{msg}");
    // The seed's own € 1 rounding differences pass.
    let ok = table.replace("47265340", "47265337");
    assert!(parse_region(&(BASE.to_string() + &ok), "x").is_ok());
}

#[test]
fn deadline_needs_exactly_one_span() {
    let d = "\n[[deadlines]]\nid = \"p\"\nname = \"Perspectiefplan\"\nweeks = 6\nmonths = 1\nstarts_at = \"start\"\nsource = \"s\"\n";
    let (msg, _) = fail(&(BASE.to_string() + d));
    assert!(
        msg.contains("deadlines[0]: a deadline needs exactly one of days, weeks, months or years"),
        "{msg}"
    );
}

#[test]
fn milestone_dates() {
    let m = "\n[[milestones]]\nid = \"m\"\nname = \"Publicatie\"\nwhen = \"september 2025\"\nsource = \"s\"\n";
    let (msg, _) = fail(&(BASE.to_string() + m));
    assert!(
        msg.contains("milestones[0].when: expected YYYY-MM-DD or YYYY-MM, got \"september 2025\""),
        "{msg}"
    );
}

#[test]
fn io_error_names_the_file() {
    let e = load_file(std::path::Path::new("/nonexistent/regions/none.toml")).unwrap_err();
    assert!(matches!(e, RegionFileError::Io { .. }));
    assert!(e
        .to_string()
        .starts_with("/nonexistent/regions/none.toml: cannot read file"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn tariff_amounts_are_exact_to_the_cent(cents in 0i64..10_000_000_000) {
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            let text = with("per_unit = \"100.00\"", &format!("per_unit = \"{amount}\""));
            let r = parse_region(&text, "x").unwrap();
            prop_assert_eq!(r.lots[0].products[0].tariffs()[0].per_unit.cents(), cents);
        }

        #[test]
        fn any_bad_gemeentecode_is_located(code in "[0-9]{1,3}|[0-9]{5,6}|[a-z]{4}") {
            let text = with("code = \"0308\"", &format!("code = \"{code}\""));
            let e = parse_region(&text, "regions/x.toml").unwrap_err();
            let loc = e.location().unwrap();
            prop_assert_eq!(loc.line, Some(19));
            prop_assert_eq!(loc.column, Some(8));
            prop_assert_eq!(&loc.path, "region.municipalities[1].code");
        }
    }
}
