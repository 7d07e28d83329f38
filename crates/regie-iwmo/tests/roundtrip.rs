//! Generate → serialise → parse → equal, for all fourteen message types.

mod gen;

use proptest::prelude::*;
use regie_iwmo::bericht;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn serialise_parse_roundtrip(b in gen::any_bericht()) {
        let xml = b.to_xml();
        let parsed = bericht::parse(xml.as_bytes()).map_err(|e| TestCaseError::fail(format!("{}\n{xml}", e.error)))?;
        prop_assert_eq!(parsed, b);
    }

    #[test]
    fn validation_never_panics_and_retour_is_well_formed(b in gen::any_bericht()) {
        let ctx = regie_iwmo::validate::InMemoryContext::new();
        let report = regie_iwmo::validate::validate(b.to_xml().as_bytes(), &ctx, regie_iwmo::validate::Uitvoeringsvariant::Outputgericht);
        if let Ok(r) = regie_iwmo::validate::retour_for(&report, &Default::default()) {
            let xml = r.to_xml();
            prop_assert_eq!(bericht::parse(xml.as_bytes()).map_err(|e| TestCaseError::fail(e.error.to_string()))?, r);
        }
    }
}
