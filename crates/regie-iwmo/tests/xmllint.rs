//! Every generated message of every type validates with `xmllint --schema`
//! against the reference XSDs (heen) and the derived XSDs in `xsd-retour/` (retour).

mod common;
mod gen;

use regie_iwmo::bericht::MessageType;
use std::collections::BTreeMap;

#[test]
fn generated_messages_validate_with_xmllint() {
    if common::skip_xmllint() {
        eprintln!("REGIE_SKIP_XMLLINT=1: schema validation skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("regie-iwmo-xmllint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut per_type: BTreeMap<MessageType, Vec<std::path::PathBuf>> = BTreeMap::new();
    for (i, b) in gen::all_messages(25).into_iter().enumerate() {
        let t = b.message_type();
        let path = dir.join(format!("{}-{i}.xml", t.name()));
        std::fs::write(&path, b.to_xml()).unwrap();
        per_type.entry(t).or_default().push(path);
    }
    assert_eq!(per_type.len(), 14, "every message type is generated");
    for (t, files) in &per_type {
        let schema = common::schema_path(t.name());
        let (ok, stderr) = common::xmllint(&schema, files);
        assert!(ok, "{t}: xmllint rejected generated messages:\n{stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn xmllint_agrees_on_a_broken_message() {
    // Guards against a vacuous pass: the same pipeline must reject an invalid file.
    if common::skip_xmllint() {
        return;
    }
    let b = gen::all_messages(1)
        .into_iter()
        .find(|b| b.message_type() == MessageType::Wmo302)
        .unwrap();
    let xml = b
        .to_xml()
        .replacen("<wmo302:BerichtCode>415<", "<wmo302:BerichtCode>414<", 1);
    let path = std::env::temp_dir().join(format!("regie-iwmo-bad-{}.xml", std::process::id()));
    std::fs::write(&path, xml).unwrap();
    let (ok, stderr) = common::xmllint(&common::schema_path("WMO302"), std::slice::from_ref(&path));
    assert!(!ok, "xmllint must reject a wrong BerichtCode");
    assert!(
        stderr.contains("BerichtCode") && !stderr.contains("Schemas parser error"),
        "rejected for the right reason: {stderr}"
    );
}
