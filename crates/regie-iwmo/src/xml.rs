//! Low-level XML plumbing: a pull reader over [`crate::lex`] that checks element
//! order, namespaces and cardinalities the way the XSD does, and a writer.
//! Typed message structs (see [`crate::model`]) drive both through
//! [`XmlValue`].

use crate::lex::{self, Ev, LexError, Lexer, Tag};
use crate::model::Berichtklasse;
use crate::types::{FacetError, RetourCode, SimpleType};
use std::borrow::Cow;
use std::fmt;
use thiserror::Error;

/// Namespace of the iWmo 3.2 basisschema (children of `CDT_*` types).
pub const NS_BASIS: &str = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema";
const NS_XSI: &[u8] = b"http://www.w3.org/2001/XMLSchema-instance";

/// Why a document is not a valid instance of its message schema.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseErrorKind {
    /// Not well-formed XML (the lexer's message).
    #[error("malformed XML: {0}")]
    Xml(String),
    /// Text is not UTF-8 (iWmo messages are UTF-8).
    #[error("invalid UTF-8")]
    Encoding,
    /// A DOCTYPE declaration; refused so entity expansion cannot be abused.
    #[error("DOCTYPE is not allowed")]
    Doctype,
    /// The root element is not an iWmo 3.2 `Bericht`.
    #[error("unknown root element {0}")]
    UnknownRoot(String),
    /// A mandatory element is absent.
    #[error("missing element {expected}, found {found}")]
    Missing {
        /// The element the schema requires here.
        expected: &'static str,
        /// What was found instead.
        found: String,
    },
    /// An element the schema does not allow at this position.
    #[error("unexpected element {0}")]
    Unexpected(String),
    /// An element in the wrong namespace.
    #[error("element {0} is in the wrong namespace")]
    Namespace(String),
    /// Character data where only elements are allowed.
    #[error("unexpected text content")]
    UnexpectedText,
    /// An attribute the schema does not define.
    #[error("attribute {0} is not allowed")]
    Attribute(String),
    /// A simple-type facet is violated.
    #[error("{0}")]
    Facet(FacetError),
    /// A fixed header value (BerichtCode, BerichtVersie, BerichtSubversie) differs.
    #[error("{element} must be {expected}, found {found:?}")]
    Fixed {
        /// Element name.
        element: &'static str,
        /// The value the message XSD fixes.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// Content after the root element.
    #[error("content after the root element")]
    Trailing,
    /// The document was parsed as a different message type than requested.
    #[error("expected message {expected}, found {found}")]
    WrongMessage {
        /// Requested type.
        expected: &'static str,
        /// Actual type.
        found: &'static str,
    },
}

/// A schema violation with its location (boxed: see [`ParseErrorDetail`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(transparent)]
pub struct ParseError(Box<ParseErrorDetail>);

impl ParseError {
    /// Wraps the details of an error.
    pub fn new(detail: ParseErrorDetail) -> Self {
        ParseError(Box::new(detail))
    }

    /// The details, owned.
    pub fn into_detail(self) -> ParseErrorDetail {
        *self.0
    }
}

impl std::ops::Deref for ParseError {
    type Target = ParseErrorDetail;
    fn deref(&self) -> &ParseErrorDetail {
        &self.0
    }
}

/// What is wrong and where. Kept behind a box in [`ParseError`]: every
/// reader function returns `Result<T, ParseError>`, and with the details
/// inline each of those results was over 100 bytes to copy on the way up.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{kind} at /{pad} (byte {positie})")]
pub struct ParseErrorDetail {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// Innermost message class around the error (where the retourcode goes).
    pub klasse: Berichtklasse,
    /// Element path, e.g. `Bericht/Client/ToegewezenProducten/ToegewezenProduct/Omvang`.
    pub pad: String,
    /// Byte offset in the input.
    pub positie: u64,
}

/// Which namespace the children of a complex type live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NsKind {
    /// The message's own namespace (types defined in WMO3nn.xsd).
    Msg,
    /// The basisschema namespace (types `CDT_*`).
    Basis,
}

/// Per-document parameters for reading/writing.
#[derive(Debug, Clone, Copy)]
pub struct Cx {
    /// Prefix used when writing message elements, e.g. `wmo301`.
    pub prefix: &'static str,
    /// Namespace URI of the message.
    pub ns: &'static str,
    /// Retour message: classes carry `RetourCodes`.
    pub retour: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NsId {
    Basis,
    Msg,
    Other,
}

struct Binding<'a> {
    /// Borrowed from the document: declarations cost no allocation.
    prefix: &'a [u8],
    uri: Cow<'a, str>,
    /// The URI classified once at declaration (elements are classified by prefix lookup only).
    id: NsId,
    depth: usize,
}

enum Tok<'a> {
    Start(NsId, Tag<'a>, bool),
    End,
    Eof,
}

/// Pull reader: yields elements in document order, checking what the XSD checks.
pub struct In<'a> {
    r: Lexer<'a>,
    /// In-scope `xmlns` declarations. A general namespace resolver costs throughput,
    /// and iWmo documents declare their two namespaces once on the root, so a
    /// small stack searched from the end is all that is needed.
    bindings: Vec<Binding<'a>>,
    depth: usize,
    msg_ns: &'static str,
    peeked: Option<Tok<'a>>,
    /// A `<x/>` was opened: the next token is its synthetic end.
    pending_end: bool,
    path: Vec<&'static str>,
    classes: Vec<Berichtklasse>,
    /// Prefixes bound (on the root) to the message and basisschema
    /// namespaces, for the lexer's expected-name fast path; valid while no
    /// element below the root declares namespaces (`bindings.len() == root_bindings`).
    fast: [Option<&'a [u8]>; 2],
    root_bindings: usize,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).chars().take(60).collect()
}

impl<'a> In<'a> {
    /// Starts reading a document; the root must be a `Bericht` in one of `namespaces`.
    /// Returns the reader and the index of the namespace found.
    pub fn open_root(
        input: &'a [u8],
        namespaces: &[&'static str],
    ) -> Result<(Self, usize), ParseError> {
        let r = Lexer::new(input);
        let mut this = In {
            r,
            bindings: Vec::with_capacity(4),
            depth: 0,
            msg_ns: "",
            peeked: None,
            pending_end: false,
            path: Vec::with_capacity(12),
            classes: Vec::with_capacity(6),
            fast: [None; 2],
            root_bindings: 0,
        };
        loop {
            let pos = this.r.position() as u64;
            let ev = this.r.next().map_err(|e| this.xml_err(e))?;
            match ev {
                Ev::Decl | Ev::Skip => {}
                Ev::Text(t) if is_blank(t) => {}
                Ev::DocType => return Err(this.err_at(ParseErrorKind::Doctype, pos)),
                Ev::Start(e, empty) => {
                    this.open_element(&e)?;
                    this.pending_end = empty;
                    let idx = this
                        .resolve(e.qname)
                        .and_then(|uri| namespaces.iter().position(|u| u.as_bytes() == uri));
                    match idx {
                        Some(i) if e.local_name() == b"Bericht" => {
                            this.msg_ns = namespaces[i];
                            // Declarations on the root were classified before the
                            // message namespace was known.
                            for k in 0..this.bindings.len() {
                                this.bindings[k].id =
                                    this.classify(this.bindings[k].uri.as_bytes());
                            }
                            this.path.push("Bericht");
                            this.root_bindings = this.bindings.len();
                            for (slot, id) in [NsId::Msg, NsId::Basis].into_iter().enumerate() {
                                this.fast[slot] = this
                                    .bindings
                                    .iter()
                                    .map(|b| b.prefix)
                                    .find(|p| this.binding(p).is_some_and(|b| b.id == id));
                            }
                            return Ok((this, i));
                        }
                        _ => {
                            return Err(
                                this.err_at(ParseErrorKind::UnknownRoot(lossy(e.qname)), pos)
                            )
                        }
                    }
                }
                Ev::Eof => {
                    return Err(this.err_at(ParseErrorKind::Xml("empty document".into()), pos))
                }
                _ => return Err(this.err_at(ParseErrorKind::UnexpectedText, pos)),
            }
        }
    }

    /// Namespace URI bound to the prefix of a qualified name (`None` if unbound).
    fn resolve(&self, qname: &[u8]) -> Option<&[u8]> {
        let prefix = match qname.iter().position(|b| *b == b':') {
            Some(i) => &qname[..i],
            None => &[][..],
        };
        self.binding(prefix).map(|b| b.uri.as_bytes())
    }

    /// The in-scope declaration of `prefix` (`None` if unbound or undeclared).
    fn binding(&self, prefix: &[u8]) -> Option<&Binding<'a>> {
        self.bindings
            .iter()
            .rev()
            .find(|b| lex::eq_short(b.prefix, prefix))
            .filter(|b| !b.uri.is_empty())
    }

    fn classify(&self, uri: &[u8]) -> NsId {
        if uri == NS_BASIS.as_bytes() {
            NsId::Basis
        } else if !self.msg_ns.is_empty() && uri == self.msg_ns.as_bytes() {
            NsId::Msg
        } else {
            NsId::Other
        }
    }

    /// Enters a start tag: registers its `xmlns` declarations, checks its
    /// other attributes and classifies its namespace.
    fn open_element(&mut self, e: &Tag<'a>) -> Result<NsId, ParseError> {
        self.depth += 1;
        if !e.attrs.is_empty() && !is_blank(e.attrs) {
            let mut others = false;
            for (key, value) in e.attributes() {
                let prefix: &'a [u8] = if key == b"xmlns" {
                    &[]
                } else if let Some(p) = key.strip_prefix(b"xmlns:") {
                    p
                } else {
                    others = true;
                    continue;
                };
                let uri = std::str::from_utf8(value)
                    .map_err(|_| self.err(ParseErrorKind::Encoding))
                    .and_then(|v| lex::unescape(v).map_err(|m| self.err(ParseErrorKind::Xml(m))))?;
                let id = self.classify(uri.as_bytes());
                self.bindings.push(Binding {
                    prefix,
                    uri,
                    id,
                    depth: self.depth,
                });
            }
            if others {
                for (key, _) in e.attributes() {
                    if key == b"xmlns" || key.starts_with(b"xmlns:") {
                        continue;
                    }
                    // xsi:* attributes (schemaLocation etc.) are allowed on any element by XSD.
                    if key.contains(&b':') && self.resolve(key) == Some(NS_XSI) {
                        continue;
                    }
                    return Err(self.err(ParseErrorKind::Attribute(lossy(key))));
                }
            }
        }
        Ok(self.binding(e.prefix()).map_or(NsId::Other, |b| b.id))
    }

    /// Leaves an element: drops the declarations it made.
    fn close_element(&mut self) {
        while self.bindings.last().is_some_and(|b| b.depth == self.depth) {
            self.bindings.pop();
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn xml_err(&self, e: LexError) -> ParseError {
        self.err_at(ParseErrorKind::Xml(e.msg), e.pos as u64)
    }

    /// Builds an error at the current position and class.
    pub fn err(&self, kind: ParseErrorKind) -> ParseError {
        self.err_at(kind, self.r.position() as u64)
    }

    fn err_at(&self, kind: ParseErrorKind, positie: u64) -> ParseError {
        ParseError::new(ParseErrorDetail {
            kind,
            klasse: self
                .classes
                .last()
                .copied()
                .unwrap_or(Berichtklasse::Header),
            pad: self.path.join("/"),
            positie,
        })
    }

    /// Enters a message class (errors inside are reported at it).
    pub fn push_class(&mut self, k: Berichtklasse) {
        self.classes.push(k);
    }

    /// Leaves the innermost message class.
    pub fn pop_class(&mut self) {
        self.classes.pop();
    }

    fn next_tok(&mut self) -> Result<Tok<'a>, ParseError> {
        if let Some(t) = self.peeked.take() {
            return Ok(t);
        }
        if self.pending_end {
            self.pending_end = false;
            self.close_element();
            return Ok(Tok::End);
        }
        loop {
            match self.r.next_markup().map_err(|e| self.xml_err(e))? {
                Ev::Start(e, empty) => {
                    let id = self.open_element(&e)?;
                    return Ok(Tok::Start(id, e, empty));
                }
                Ev::End => {
                    self.close_element();
                    return Ok(Tok::End);
                }
                Ev::Eof => return Ok(Tok::Eof),
                Ev::Skip => {}
                Ev::Text(t) => {
                    if !is_blank(t) {
                        return Err(self.err(ParseErrorKind::UnexpectedText));
                    }
                }
                Ev::CData(_) => return Err(self.err(ParseErrorKind::UnexpectedText)),
                Ev::Decl | Ev::DocType => {
                    return Err(self.err(ParseErrorKind::Xml(
                        "declaration inside the document".into(),
                    )))
                }
            }
        }
    }

    fn peek(&mut self) -> Result<&Tok<'a>, ParseError> {
        if self.peeked.is_none() {
            let t = self.next_tok()?;
            self.peeked = Some(t);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    /// The root's prefix for `ns` when the lexer's expected-name fast path
    /// may be taken: nothing peeked or pending, and no namespace declared
    /// below the root (so that prefix still means `ns`).
    #[inline]
    fn fast_prefix(&self, ns: NsKind) -> Option<&'a [u8]> {
        let slot = match ns {
            NsKind::Msg => 0,
            NsKind::Basis => 1,
        };
        if self.peeked.is_some() || self.pending_end || self.bindings.len() != self.root_bindings {
            return None;
        }
        self.fast[slot]
    }

    /// Fast path of [`In::req`] and friends: if the next element is exactly
    /// `<prefix:name>` (see [`Lexer::try_start`]) with the root's prefix for
    /// `ns`, enters it and returns `true`; otherwise consumes nothing.
    #[inline]
    fn try_enter(&mut self, ns: NsKind, name: &'static str) -> bool {
        let Some(prefix) = self.fast_prefix(ns) else {
            return false;
        };
        match self.r.try_start(prefix, name.as_bytes()) {
            Some((_, empty)) => {
                self.depth += 1;
                self.path.push(name);
                self.pending_end = empty;
                true
            }
            None => false,
        }
    }

    /// Whether the next element is `name` in namespace `ns`; errors on a
    /// same-named element in another namespace.
    fn next_is(&mut self, ns: NsKind, name: &'static str) -> Result<bool, ParseError> {
        let want = match ns {
            NsKind::Msg => NsId::Msg,
            NsKind::Basis => NsId::Basis,
        };
        // Fast path: the expected element, written with the root's prefix
        // for its namespace and without attributes (nearly every element).
        if let Some(prefix) = self.fast_prefix(ns) {
            if let Some((tag, empty)) = self.r.try_start(prefix, name.as_bytes()) {
                self.depth += 1;
                self.peeked = Some(Tok::Start(want, tag, empty));
                return Ok(true);
            }
        }
        match self.peek()? {
            Tok::Start(id, e, _) if lex::eq_short(e.local_name(), name.as_bytes()) => {
                if *id == want {
                    Ok(true)
                } else {
                    Err(self.err(ParseErrorKind::Namespace(name.to_string())))
                }
            }
            _ => Ok(false),
        }
    }

    fn describe_next(&mut self) -> String {
        match self.peek() {
            Ok(Tok::Start(_, e, _)) => lossy(e.local_name()),
            Ok(Tok::End) => "end of parent element".to_string(),
            Ok(Tok::Eof) => "end of document".to_string(),
            Err(e) => e.kind.to_string(),
        }
    }

    /// Consumes the start tag just peeked and enters it.
    fn enter(&mut self, name: &'static str) -> Result<(), ParseError> {
        match self.next_tok()? {
            Tok::Start(_, _, empty) => {
                self.path.push(name);
                self.pending_end = empty;
                Ok(())
            }
            _ => unreachable!("enter() is only called after next_is() returned true"),
        }
    }

    /// Expects the end tag of the current element (only whitespace/comments before it).
    pub fn leave(&mut self) -> Result<(), ParseError> {
        if self.peeked.is_none() && !self.pending_end && self.r.try_end() {
            self.close_element();
            self.path.pop();
            return Ok(());
        }
        match self.next_tok()? {
            Tok::End => {
                self.path.pop();
                Ok(())
            }
            Tok::Start(_, e, _) => Err(self.err(ParseErrorKind::Unexpected(lossy(e.local_name())))),
            Tok::Eof => Err(self.err(ParseErrorKind::Xml("unexpected end of document".into()))),
        }
    }

    /// Reads the text content of the current element up to and including its
    /// end tag; the caller leaves the path with [`In::pop_path`] after checking the value.
    pub fn text(&mut self) -> Result<Cow<'a, str>, ParseError> {
        debug_assert!(self.peeked.is_none());
        if self.pending_end {
            self.pending_end = false;
            self.close_element();
            return Ok(Cow::Borrowed(""));
        }
        if let Some(t) = self.r.try_plain_text_end() {
            self.close_element();
            return Ok(Cow::Borrowed(t));
        }
        let mut acc: Option<Cow<'a, str>> = None;
        loop {
            let piece: Cow<'a, str> = match self.r.next().map_err(|e| self.xml_err(e))? {
                ev @ (Ev::Text(raw) | Ev::CData(raw)) => {
                    let s =
                        std::str::from_utf8(raw).map_err(|_| self.err(ParseErrorKind::Encoding))?;
                    // Plain printable ASCII without references (nearly every
                    // value) needs nothing more: one pass decides.
                    let plain = raw
                        .iter()
                        .fold(true, |ok, &b| ok & (0x20..0x80).contains(&b) & (b != b'&'));
                    if plain {
                        Cow::Borrowed(s)
                    } else if !lex::check_chars(s) {
                        return Err(
                            self.err(ParseErrorKind::Xml("character not allowed in XML".into()))
                        );
                    }
                    // CDATA content is literal; text has its references expanded.
                    else if matches!(ev, Ev::CData(_)) {
                        Cow::Borrowed(s)
                    } else {
                        lex::unescape(s).map_err(|m| self.err(ParseErrorKind::Xml(m)))?
                    }
                }
                Ev::Skip => continue,
                Ev::End => {
                    self.close_element();
                    return Ok(acc.unwrap_or(Cow::Borrowed("")));
                }
                Ev::Start(e, _) => {
                    return Err(self.err(ParseErrorKind::Unexpected(lossy(e.local_name()))))
                }
                Ev::Eof => {
                    return Err(self.err(ParseErrorKind::Xml("unexpected end of document".into())))
                }
                Ev::Decl | Ev::DocType => {
                    return Err(self.err(ParseErrorKind::Xml(
                        "declaration inside the document".into(),
                    )))
                }
            };
            acc = Some(match acc {
                None => piece,
                Some(prev) => Cow::Owned(prev.into_owned() + &piece),
            });
        }
    }

    /// Reads a simple-typed element's content.
    pub fn simple<T: SimpleType>(&mut self) -> Result<T, ParseError> {
        let t = self.text()?;
        let v = T::parse_text(&t).map_err(|f| self.err(ParseErrorKind::Facet(f)))?;
        self.pop_path();
        Ok(v)
    }

    /// Leaves the element whose text was read.
    pub fn pop_path(&mut self) {
        self.path.pop();
    }

    /// Mandatory element (1..1).
    pub fn req<T: XmlValue>(
        &mut self,
        cx: &Cx,
        ns: NsKind,
        name: &'static str,
    ) -> Result<T, ParseError> {
        if self.try_enter(ns, name) {
            return T::read(self, cx);
        }
        if !self.next_is(ns, name)? {
            let found = self.describe_next();
            return Err(self.err(ParseErrorKind::Missing {
                expected: name,
                found,
            }));
        }
        self.enter(name)?;
        T::read(self, cx)
    }

    /// Optional element (0..1).
    pub fn opt<T: XmlValue>(
        &mut self,
        cx: &Cx,
        ns: NsKind,
        name: &'static str,
    ) -> Result<Option<T>, ParseError> {
        if self.try_enter(ns, name) {
            return T::read(self, cx).map(Some);
        }
        if !self.next_is(ns, name)? {
            return Ok(None);
        }
        self.req(cx, ns, name).map(Some)
    }

    /// Mandatory wrapper element with 1..n items.
    pub fn list<T: XmlValue>(
        &mut self,
        cx: &Cx,
        ns: NsKind,
        wrapper: &'static str,
        item: &'static str,
    ) -> Result<Vec<T>, ParseError> {
        if !self.try_enter(ns, wrapper) {
            if !self.next_is(ns, wrapper)? {
                let found = self.describe_next();
                return Err(self.err(ParseErrorKind::Missing {
                    expected: wrapper,
                    found,
                }));
            }
            self.enter(wrapper)?;
        }
        // Most lists hold a few items: room for four saves the regrowth.
        let mut v = Vec::with_capacity(4);
        v.push(self.req(cx, ns, item)?);
        loop {
            if self.try_enter(ns, item) {
                v.push(T::read(self, cx)?);
            } else if self.next_is(ns, item)? {
                v.push(self.req(cx, ns, item)?);
            } else {
                break;
            }
        }
        self.leave()?;
        Ok(v)
    }

    /// Optional wrapper element (0..1) with 1..n items; absent gives an empty vector.
    pub fn optlist<T: XmlValue>(
        &mut self,
        cx: &Cx,
        ns: NsKind,
        wrapper: &'static str,
        item: &'static str,
    ) -> Result<Vec<T>, ParseError> {
        if !self.next_is(ns, wrapper)? {
            return Ok(Vec::new());
        }
        self.list(cx, ns, wrapper, item)
    }

    /// The `RetourCodes` of a class: mandatory in retour messages, absent in heen messages.
    pub fn retour(
        &mut self,
        cx: &Cx,
        _ns: NsKind,
        name: &'static str,
    ) -> Result<Vec<RetourCode>, ParseError> {
        if !cx.retour {
            return Ok(Vec::new());
        }
        self.list(cx, NsKind::Msg, name, "RetourCode")
    }

    /// Optional `RetourCodes` (the Header of WMO302–WMO320).
    pub fn optretour(
        &mut self,
        cx: &Cx,
        name: &'static str,
    ) -> Result<Vec<RetourCode>, ParseError> {
        self.optlist(cx, NsKind::Msg, name, "RetourCode")
    }

    /// Fixed-value element (BerichtCode etc.): compares the whitespace-collapsed lexical value.
    pub fn fixed(&mut self, name: &'static str, expected: &'static str) -> Result<(), ParseError> {
        if !self.try_enter(NsKind::Msg, name) {
            if !self.next_is(NsKind::Msg, name)? {
                let found = self.describe_next();
                return Err(self.err(ParseErrorKind::Missing {
                    expected: name,
                    found,
                }));
            }
            self.enter(name)?;
        }
        let t = self.text()?;
        // BerichtCode is a string (whitespace preserved); versions are integers (collapsed).
        let v = if name == "BerichtCode" {
            &t[..]
        } else {
            t.trim_matches([' ', '\t', '\n', '\r'])
        };
        if v != expected {
            return Err(self.err(ParseErrorKind::Fixed {
                element: name,
                expected,
                found: lossy(t.as_bytes()),
            }));
        }
        self.pop_path();
        Ok(())
    }

    /// Whether the next sibling is the element `name` (for hand-written optional parts).
    pub fn at(&mut self, ns: NsKind, name: &'static str) -> Result<bool, ParseError> {
        self.next_is(ns, name)
    }

    /// After the root's end tag: only comments, PIs and whitespace may follow.
    pub fn finish(mut self) -> Result<(), ParseError> {
        self.leave()?;
        loop {
            match self.r.next().map_err(|e| self.xml_err(e))? {
                Ev::Eof => return Ok(()),
                Ev::Skip => {}
                Ev::Text(t) if is_blank(t) => {}
                _ => return Err(self.err(ParseErrorKind::Trailing)),
            }
        }
    }
}

fn is_blank(t: &[u8]) -> bool {
    t.iter().all(|b| lex::is_ws(*b))
}

/// A value that can be read from / written as one element.
pub trait XmlValue: Sized {
    /// Reads the content of the element whose start tag was just consumed, including its end tag.
    fn read(r: &mut In<'_>, cx: &Cx) -> Result<Self, ParseError>;
    /// Writes the complete element.
    fn write(&self, w: &mut Out, cx: &Cx, ns: NsKind, name: &str);
}

impl<T: SimpleType> XmlValue for T {
    fn read(r: &mut In<'_>, _cx: &Cx) -> Result<Self, ParseError> {
        r.simple()
    }
    fn write(&self, w: &mut Out, cx: &Cx, ns: NsKind, name: &str) {
        w.simple(cx, ns, name, self);
    }
}

/// XML writer producing indented output with `iwmo:` and `wmo3nn:` prefixes.
pub struct Out {
    buf: String,
    depth: usize,
}

impl Out {
    /// Starts a document with the XML declaration and the root element.
    pub fn new(cx: &Cx, capacity: usize) -> Self {
        let mut buf = String::with_capacity(capacity);
        buf.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
        buf.push_str(cx.prefix);
        buf.push_str(":Bericht xmlns:");
        buf.push_str(cx.prefix);
        buf.push_str("=\"");
        buf.push_str(cx.ns);
        buf.push_str("\" xmlns:iwmo=\"");
        buf.push_str(NS_BASIS);
        buf.push_str("\">");
        Out { buf, depth: 1 }
    }

    /// Closes the root element and returns the document.
    pub fn finish(mut self, cx: &Cx) -> String {
        self.buf.push_str("\n</");
        self.buf.push_str(cx.prefix);
        self.buf.push_str(":Bericht>\n");
        self.buf
    }

    fn indent(&mut self) {
        self.buf.push('\n');
        for _ in 0..self.depth {
            self.buf.push('\t');
        }
    }

    fn qname(&mut self, cx: &Cx, ns: NsKind, name: &str) {
        self.buf.push_str(match ns {
            NsKind::Msg => cx.prefix,
            NsKind::Basis => "iwmo",
        });
        self.buf.push(':');
        self.buf.push_str(name);
    }

    /// Opens a complex element.
    pub fn open(&mut self, cx: &Cx, ns: NsKind, name: &str) {
        self.indent();
        self.buf.push('<');
        self.qname(cx, ns, name);
        self.buf.push('>');
        self.depth += 1;
    }

    /// Closes a complex element.
    pub fn close(&mut self, cx: &Cx, ns: NsKind, name: &str) {
        self.depth -= 1;
        self.indent();
        self.buf.push_str("</");
        self.qname(cx, ns, name);
        self.buf.push('>');
    }

    /// Writes a simple element with escaped text.
    pub fn simple<T: SimpleType>(&mut self, cx: &Cx, ns: NsKind, name: &str, v: &T) {
        self.indent();
        self.buf.push('<');
        self.qname(cx, ns, name);
        self.buf.push('>');
        let start = self.buf.len();
        v.write_text(&mut self.buf);
        if self.buf[start..].contains(['&', '<', '>', '\r']) {
            let raw = self.buf.split_off(start);
            for c in raw.chars() {
                match c {
                    '&' => self.buf.push_str("&amp;"),
                    '<' => self.buf.push_str("&lt;"),
                    '>' => self.buf.push_str("&gt;"),
                    // A literal CR would be normalised away by XML parsers.
                    '\r' => self.buf.push_str("&#13;"),
                    c => self.buf.push(c),
                }
            }
        }
        self.buf.push_str("</");
        self.qname(cx, ns, name);
        self.buf.push('>');
    }

    /// Writes a raw text element (fixed header values).
    pub fn fixed(&mut self, cx: &Cx, name: &str, value: &str) {
        self.indent();
        self.buf.push('<');
        self.qname(cx, NsKind::Msg, name);
        self.buf.push('>');
        self.buf.push_str(value);
        self.buf.push_str("</");
        self.qname(cx, NsKind::Msg, name);
        self.buf.push('>');
    }

    /// Mandatory element.
    pub fn req<T: XmlValue>(&mut self, cx: &Cx, ns: NsKind, name: &str, v: &T) {
        v.write(self, cx, ns, name);
    }

    /// Optional element.
    pub fn opt<T: XmlValue>(&mut self, cx: &Cx, ns: NsKind, name: &str, v: &Option<T>) {
        if let Some(v) = v {
            v.write(self, cx, ns, name);
        }
    }

    /// Mandatory wrapper with items. An empty vector still writes the wrapper
    /// (which the XSD rejects) so that the mistake is visible, not hidden.
    pub fn list<T: XmlValue>(&mut self, cx: &Cx, ns: NsKind, wrapper: &str, item: &str, v: &[T]) {
        self.open(cx, ns, wrapper);
        for x in v {
            x.write(self, cx, ns, item);
        }
        self.close(cx, ns, wrapper);
    }

    /// Optional wrapper: omitted when there are no items.
    pub fn optlist<T: XmlValue>(
        &mut self,
        cx: &Cx,
        ns: NsKind,
        wrapper: &str,
        item: &str,
        v: &[T],
    ) {
        if !v.is_empty() {
            self.list(cx, ns, wrapper, item, v);
        }
    }

    /// `RetourCodes` of a class: written in retour messages only; a class
    /// without codes gets `0200` (no remark), since the XSD requires at least one.
    pub fn retour(&mut self, cx: &Cx, _ns: NsKind, name: &str, v: &[RetourCode]) {
        if !cx.retour {
            return;
        }
        if v.is_empty() {
            self.list(cx, NsKind::Msg, name, "RetourCode", &[RetourCode::GOED]);
        } else {
            self.list(cx, NsKind::Msg, name, "RetourCode", v);
        }
    }

    /// Optional `RetourCodes` (omitted when empty).
    pub fn optretour(&mut self, cx: &Cx, name: &str, v: &[RetourCode]) {
        self.optlist(cx, NsKind::Msg, name, "RetourCode", v);
    }
}

impl fmt::Debug for Out {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Out").field("len", &self.buf.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::bericht::{self, Bericht};
    use crate::sample;
    use crate::xml::ParseErrorKind;

    fn sample_xml() -> String {
        sample::toewijzing(&sample::Partijen::default(), "T1", sample::bsn(1), 1001).to_xml()
    }

    #[test]
    fn namespaces_are_resolved_not_matched_by_prefix() {
        let xml = sample_xml();
        let original = bericht::parse(xml.as_bytes()).unwrap();
        // Default namespace for the message, other prefix for the basisschema.
        let other = xml
            .replace("wmo301:", "")
            .replace("xmlns:wmo301=", "xmlns=")
            .replace("iwmo:", "b:")
            .replace("xmlns:iwmo=", "xmlns:b=");
        let parsed = bericht::parse(other.as_bytes())
            .map_err(|e| e.error)
            .unwrap();
        assert_eq!(parsed, original);
        // A prefix redeclared on an inner element applies to that subtree only.
        let nested = xml.replace(
            "<wmo301:Naam>",
            "<wmo301:Naam xmlns:iwmo=\"http://www.istandaarden.nl/iwmo/3_2/basisschema/schema\">",
        );
        assert_eq!(
            bericht::parse(nested.as_bytes())
                .map_err(|e| e.error)
                .unwrap(),
            original
        );
        // Same local names in the wrong namespace are rejected.
        let wrong = xml.replace(
            "xmlns:iwmo=\"http://www.istandaarden.nl/iwmo/3_2/basisschema/schema\"",
            "xmlns:iwmo=\"urn:other\"",
        );
        let err = bericht::parse(wrong.as_bytes()).unwrap_err().error;
        assert!(matches!(err.kind, ParseErrorKind::Namespace(_)), "{err}");
    }

    #[test]
    fn attributes_and_doctype_are_refused_except_xsi() {
        let xml = sample_xml();
        let xsi = xml.replace(
            "<wmo301:Client>",
            "<wmo301:Client xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"a b\">",
        );
        assert!(matches!(
            bericht::parse(xsi.as_bytes()),
            Ok(Bericht::Wmo301(_))
        ));
        let attr = xml.replace("<wmo301:Client>", "<wmo301:Client id=\"1\">");
        assert!(matches!(
            bericht::parse(attr.as_bytes()).unwrap_err().error.kind,
            ParseErrorKind::Attribute(_)
        ));
        let doctype = xml.replacen("?>", "?><!DOCTYPE x [<!ENTITY a \"b\">]>", 1);
        assert!(matches!(
            bericht::parse(doctype.as_bytes()).unwrap_err().error.kind,
            ParseErrorKind::Doctype
        ));
        let trailing = format!("{xml}<x/>");
        assert!(matches!(
            bericht::parse(trailing.as_bytes()).unwrap_err().error.kind,
            ParseErrorKind::Trailing
        ));
    }

    #[test]
    fn errors_name_the_class_and_path() {
        let xml = sample_xml().replace("<wmo301:Geslacht>2<", "<wmo301:Geslacht>9<");
        let e = bericht::parse(xml.as_bytes()).unwrap_err().error;
        assert_eq!(e.klasse, crate::model::Berichtklasse::Client);
        assert_eq!(e.pad, "Bericht/Client/Geslacht");
        assert!(matches!(e.kind, ParseErrorKind::Facet(_)));
    }
}
