//! A span tree of the TOML document: every value with its byte range and
//! its field path, so errors can name `file:line:col` and `lots[1].name`.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A field path such as `lots[1].products[0].categorie`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    /// The empty (document root) path.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }
    /// This path extended by a key.
    pub fn key(&self, k: impl Into<String>) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.into()));
        p
    }
    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }
    /// Whether this is the document root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A parsed value reduced to its structure.
#[derive(Debug)]
enum Node {
    Table(Vec<(String, Spanned<Node>)>),
    Array(Vec<Spanned<Node>>),
    Leaf,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any TOML value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_string<E>(self, _: String) -> Result<Node, E> {
                Ok(Node::Leaf)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element::<Spanned<Node>>()? {
                    v.push(x);
                }
                Ok(Node::Array(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = a.next_key::<String>()? {
                    if k.starts_with("$__toml_private") {
                        // A datetime is presented as a one-entry map.
                        let _: toml::Value = a.next_value()?;
                        return Ok(Node::Leaf);
                    }
                    let x = a.next_value::<Spanned<Node>>()?;
                    v.push((k, x));
                }
                Ok(Node::Table(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// Every value of a document with its path and byte range.
#[derive(Debug, Default)]
pub struct SpanIndex {
    entries: Vec<(FieldPath, Range<usize>)>,
    parsed: bool,
}

impl SpanIndex {
    /// Indexes `text`; an unparsable document gives an empty index.
    pub fn build(text: &str) -> Self {
        let mut idx = SpanIndex::default();
        if let Ok(Node::Table(items)) = toml::from_str::<Node>(text) {
            idx.parsed = true;
            for (k, v) in &items {
                idx.walk(FieldPath::root().key(k.clone()), v);
            }
        }
        idx
    }

    fn walk(&mut self, path: FieldPath, n: &Spanned<Node>) {
        self.entries.push((path.clone(), n.span()));
        match n.get_ref() {
            Node::Table(items) => {
                for (k, v) in items {
                    self.walk(path.key(k.clone()), v);
                }
            }
            Node::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.walk(path.index(i), v);
                }
            }
            Node::Leaf => {}
        }
    }

    /// False when the document is not valid TOML.
    pub fn parsed(&self) -> bool {
        self.parsed
    }

    /// The span of a path, or of its nearest indexed ancestor.
    pub fn span_of(&self, path: &FieldPath) -> Option<Range<usize>> {
        let mut p = path.0.as_slice();
        loop {
            if let Some((_, r)) = self.entries.iter().find(|(q, _)| q.0.as_slice() == p) {
                return Some(r.clone());
            }
            if p.is_empty() {
                return None;
            }
            p = &p[..p.len() - 1];
        }
    }

    /// The innermost value whose span contains `offset`.
    pub fn path_at(&self, offset: usize) -> Option<FieldPath> {
        self.entries
            .iter()
            .filter(|(_, r)| r.start <= offset && offset < r.end.max(r.start + 1))
            .min_by_key(|(p, r)| (r.end - r.start, usize::MAX - p.0.len()))
            .map(|(p, _)| p.clone())
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_spans() {
        let text = "a = 1\n[[lots]]\nid = \"x\"\n[[lots]]\nid = \"y\"\n[[lots.products]]\ncategorie = \"2\"\n";
        let idx = SpanIndex::build(text);
        let p = FieldPath::root()
            .key("lots")
            .index(1)
            .key("products")
            .index(0)
            .key("categorie");
        assert_eq!(p.to_string(), "lots[1].products[0].categorie");
        let span = idx.span_of(&p).unwrap();
        assert_eq!(&text[span.clone()], "\"2\"");
        assert_eq!(line_col(text, span.start), (7, 13));
        assert_eq!(idx.path_at(span.start + 1), Some(p.clone()));
        // Unknown paths fall back to the nearest ancestor.
        let q = FieldPath::root().key("lots").index(1).key("missing");
        assert_eq!(
            idx.span_of(&q),
            idx.span_of(&FieldPath::root().key("lots").index(1))
        );
    }
}
