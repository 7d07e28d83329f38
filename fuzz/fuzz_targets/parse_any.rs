//! Arbitrary bytes into the parser and the full validator: neither may panic,
//! and whatever parses must re-serialise to XML that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regie_iwmo::{bericht, validate};

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = bericht::parse(data) {
        let xml = b.to_xml();
        let again = bericht::parse(xml.as_bytes()).expect("own output must parse");
        assert_eq!(again, b, "roundtrip changed the message");
    }
    let ctx = validate::InMemoryContext::new();
    for variant in [validate::Uitvoeringsvariant::Inspanningsgericht, validate::Uitvoeringsvariant::Taakgericht] {
        let report = validate::validate(data, &ctx, variant);
        let _ = report.to_json();
        let _ = report.to_string();
        if let Ok(retour) = validate::retour_for(&report, &validate::RetourParams::default()) {
            let xml = retour.to_xml();
            bericht::parse(xml.as_bytes()).expect("retour must parse");
        }
    }
});
