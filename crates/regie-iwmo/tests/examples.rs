//! The reference example messages parse, and re-serialise to an equivalent document.

mod common;
use regie_iwmo::bericht::{self, MessageType};

#[test]
fn reference_examples_roundtrip() {
    let dir = common::reference_dir().join("voorbeeldberichten");
    let mut n = 0;
    for t in MessageType::ALL.into_iter().filter(|t| !t.is_retour()) {
        let path = dir.join(format!("{}.xml", t.name()));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let msg =
            bericht::parse(&bytes).unwrap_or_else(|e| panic!("{}: {:?}", path.display(), e.error));
        assert_eq!(msg.message_type(), t);
        let out = msg.to_xml();
        assert_eq!(
            common::canonical(&bytes),
            common::canonical(out.as_bytes()),
            "{} differs after re-serialising",
            t
        );
        // And the output parses to the same value.
        assert_eq!(
            bericht::parse(out.as_bytes()).map_err(|e| e.error).unwrap(),
            msg
        );
        n += 1;
    }
    assert_eq!(n, 7);
}
