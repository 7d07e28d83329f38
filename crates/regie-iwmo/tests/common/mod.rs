//! Shared helpers for the integration tests: locating the reference material
//! and running xmllint.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The iWmo reference folder: `$REGIE_IWMO_REFERENCE` or the `shared/` checkout beside the repo.
pub fn reference_dir() -> PathBuf {
    if let Ok(p) = std::env::var("REGIE_IWMO_REFERENCE") {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/iwmo");
    // Resolve `..` physically: xmllint resolves schema imports lexically.
    p.canonicalize().unwrap_or(p)
}

/// Directory with the schema for `name` (e.g. `WMO301`): heen schemas from the
/// reference folder, retour schemas from this crate's derived `xsd-retour/`.
/// Retour XSDs import `basisschema.xsd` by relative location, so they are
/// copied next to a copy of the reference basisschema in a temp dir.
pub fn schema_path(name: &str) -> PathBuf {
    let heen = reference_dir().join("xsd").join(format!("{name}.xsd"));
    if heen.exists() {
        return heen;
    }
    let dir = retour_schema_dir();
    dir.join(format!("{name}.xsd"))
}

/// A temp dir holding the derived retour XSDs plus the reference basisschema.
pub fn retour_schema_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regie-iwmo-xsd-{}", std::process::id()));
    if !dir.join("basisschema.xsd").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd-retour");
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        let basis = reference_dir().join("xsd/basisschema.xsd");
        assert!(
            basis.exists(),
            "reference basisschema not found at {} (set REGIE_IWMO_REFERENCE)",
            basis.display()
        );
        std::fs::copy(basis, dir.join("basisschema.xsd")).unwrap();
    }
    dir
}

/// Whether xmllint tests are skipped on purpose (`REGIE_SKIP_XMLLINT=1`).
pub fn skip_xmllint() -> bool {
    std::env::var("REGIE_SKIP_XMLLINT").is_ok_and(|v| v == "1")
}

/// Runs `xmllint --noout --schema` on the files; panics with a clear message
/// when xmllint is not installed. Returns (success, stderr).
pub fn xmllint(schema: &Path, files: &[PathBuf]) -> (bool, String) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .args(files)
        .output();
    match out {
        Ok(o) => (
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
        Err(e) => panic!(
            "xmllint could not be run ({e}). Install it with `apt-get install -y libxml2-utils`, \
             or set REGIE_SKIP_XMLLINT=1 to skip the schema checks."
        ),
    }
}

/// A minimal element tree for comparing documents independent of prefixes,
/// whitespace between elements and the XML declaration.
#[derive(Debug, PartialEq, Eq)]
pub struct Node {
    pub ns: String,
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

/// Canonicalises a document into a [`Node`] tree (namespace URI + local name,
/// trimmed text, child order kept).
pub fn canonical(xml: &[u8]) -> Node {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut r = quick_xml::NsReader::from_reader(xml);
    let mut stack: Vec<Node> = vec![Node {
        ns: String::new(),
        name: "#doc".into(),
        text: String::new(),
        children: vec![],
    }];
    loop {
        let (res, ev) = r.read_resolved_event().unwrap();
        let ns = match res {
            ResolveResult::Bound(n) => String::from_utf8_lossy(n.into_inner()).into_owned(),
            _ => String::new(),
        };
        match ev {
            Event::Start(e) => stack.push(Node {
                ns,
                name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                text: String::new(),
                children: vec![],
            }),
            Event::Empty(e) => {
                let n = Node {
                    ns,
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    text: String::new(),
                    children: vec![],
                };
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Text(t) => {
                let s = t.unescape().unwrap();
                stack.last_mut().unwrap().text.push_str(s.trim());
            }
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap().children.pop().unwrap()
}
