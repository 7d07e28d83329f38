//! Snapshots of generated messages and of a retour, so any change in the
//! serialised form is reviewed (`cargo insta review`).

use regie_iwmo::bericht::Bericht;
use regie_iwmo::sample::{self, bsn, Partijen};
use regie_iwmo::types::BurgerServicenummer;
use regie_iwmo::validate::{self, InMemoryContext, RetourParams, Uitvoeringsvariant};

#[test]
fn snapshot_wmo301() {
    insta::assert_snapshot!(sample::toewijzing(&Partijen::default(), "T1", bsn(1), 1001).to_xml());
}

#[test]
fn snapshot_wmo323() {
    insta::assert_snapshot!(sample::declaratie(
        &Partijen::default(),
        "D1",
        "DN1",
        &[(bsn(1), 1001), (bsn(2), 1002)]
    )
    .to_xml());
}

#[test]
fn snapshot_wmo302_with_cs002() {
    let mut m = sample::toewijzing(&Partijen::default(), "T2", bsn(1), 1001);
    m.client.bsn = BurgerServicenummer::new("123456789").unwrap();
    let report = validate::validate(
        Bericht::Wmo301(m).to_xml().as_bytes(),
        &InMemoryContext::new(),
        Uitvoeringsvariant::Inspanningsgericht,
    );
    insta::assert_snapshot!("report_cs002", report.to_string());
    let retour = validate::retour_for(&report, &RetourParams::default()).unwrap();
    insta::assert_snapshot!(retour.to_xml());
}

#[test]
fn snapshot_wmo325() {
    let ctx = InMemoryContext::new();
    let m = sample::declaratie(&Partijen::default(), "D1", "DN1", &[(bsn(1), 1001)]);
    let report = validate::validate(
        Bericht::Wmo323(m).to_xml().as_bytes(),
        &ctx,
        Uitvoeringsvariant::Inspanningsgericht,
    );
    insta::assert_snapshot!(validate::retour_for(&report, &RetourParams::default())
        .unwrap()
        .to_xml());
}
