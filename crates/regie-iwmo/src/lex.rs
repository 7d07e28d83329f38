//! A small XML 1.0 pull lexer over a byte slice, made for iWmo documents.
//!
//! Why not quick-xml: tokenising alone with it ran at 118k msg/s against
//! 57k msg/s for the whole validation, and iWmo documents use a narrow part
//! of XML (UTF-8, elements, text, namespace declarations, no DTD). This
//! lexer returns borrowed slices and checks well-formedness in the same
//! pass; measured with callgrind on 20,000 generated messages, validation
//! runs 22% fewer instructions than with quick-xml (with the reader changes
//! around it), and it checks more (the XML declaration, `]]>` in text,
//! forbidden characters). A differential test holds it to libxml2's verdict
//! on thousands of mutated messages. Everything outside iWmo's part of XML is
//! still checked and refused with a message, never silently accepted:
//! unbalanced or mismatched tags, bad names, broken attributes (syntax,
//! duplicates, `<` in values), `--` inside comments, `]]>` in text, a
//! misplaced XML declaration, and invalid references (see [`unescape`]).
//! DOCTYPE is reported as an event so the caller can refuse it.
//!
//! The reader knows which element the schema expects next, so the lexer
//! also has fast paths that only recognise the exact common forms (an
//! expected start tag without attributes, plain ASCII text directly followed
//! by its end tag, the usual XML declaration) and hand anything else to the
//! general path unconsumed. With them, and the changes around them in the
//! reader and the checks, a validation of the bench mix went from 98.5k to
//! 50.1k instructions (callgrind, `examples/validate_profile.rs`).

use memchr::{memchr, memmem};
use std::borrow::Cow;

/// Most attributes one start tag may carry.
const MAX_ATTRIBUTES: usize = 64;

/// A lexical error: message and byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    /// What is wrong.
    pub msg: String,
    /// Byte offset where the problem was found.
    pub pos: usize,
}

/// A start tag (`<x a="1">` or the empty-element form `<x/>`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tag<'a> {
    /// Qualified name, e.g. `wmo301:Client`.
    pub qname: &'a [u8],
    /// Offset of the local name within `qname` (after the colon).
    local: usize,
    /// Raw attribute text between the name and `>` / `/>` (already checked).
    pub attrs: &'a [u8],
}

impl<'a> Tag<'a> {
    /// Prefix of the name (`wmo301` of `wmo301:Client`; empty without one).
    pub fn prefix(&self) -> &'a [u8] {
        &self.qname[..self.local.saturating_sub(1)]
    }

    /// Local part of the name (`Client` of `wmo301:Client`).
    pub fn local_name(&self) -> &'a [u8] {
        &self.qname[self.local..]
    }

    /// The attributes as `(qualified name, raw value)`; values still contain
    /// references (use [`unescape`]). The lexer has checked their syntax.
    pub fn attributes(&self) -> Attrs<'a> {
        Attrs { rest: self.attrs }
    }
}

/// Iterator over the checked attributes of a [`Tag`].
pub(crate) struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest;
        let start = s.iter().position(|b| !is_ws(*b))?;
        let eq = start + memchr(b'=', &s[start..])?;
        let key = trim_end(&s[start..eq]);
        let q = eq + 1 + s[eq + 1..].iter().position(|b| *b == b'"' || *b == b'\'')?;
        let close = q + 1 + memchr(s[q], &s[q + 1..])?;
        self.rest = &s[close + 1..];
        Some((key, &s[q + 1..close]))
    }
}

/// One lexical event.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ev<'a> {
    /// A start tag; `true` for the empty-element form.
    Start(Tag<'a>, bool),
    /// An end tag (its name matched the open element).
    End,
    /// Character data, references not yet expanded.
    Text(&'a [u8]),
    /// A CDATA section's content.
    CData(&'a [u8]),
    /// A comment or processing instruction (content is not needed).
    Skip,
    /// The XML declaration at the very start.
    Decl,
    /// A DOCTYPE declaration (refused by the caller).
    DocType,
    /// End of input with every element closed.
    Eof,
}

/// The pull lexer.
#[derive(Clone)]
pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
    /// Names of the open elements, to check end tags.
    open: Vec<&'a [u8]>,
}

/// XML whitespace (S production: space, tab, LF, CR).
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_end(s: &[u8]) -> &[u8] {
    let n = s.iter().rposition(|b| !is_ws(*b)).map_or(0, |i| i + 1);
    &s[..n]
}

/// Character classes for names (XML 1.0 NameStartChar/NameChar, with all
/// non-ASCII accepted after a UTF-8 check). Namespaces forbid a leading colon.
const START: u8 = 1;
const CHAR: u8 = 2;
const COLON: u8 = 4;
const HIGH: u8 = 8;
const NAME: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() || c == b'_' {
            START | CHAR
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            CHAR
        } else if c == b':' {
            CHAR | COLON
        } else if c >= 0x80 {
            START | CHAR | HIGH
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Byte-slice equality for short slices (names, end tags), inline: a call
/// to libc's `memcmp` was 9% of validation time, all of it on slices of a
/// few dozen bytes.
#[inline(always)]
pub(crate) fn eq_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Words from both ends, overlapping in the middle: two or three loads
    // and compares for any name, no loop over bytes.
    let w8 = |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let w4 = |s: &[u8], at: usize| u32::from_ne_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if w8(a, i) != w8(b, i) {
                return false;
            }
            i += 8;
        }
        w8(a, n - 8) == w8(b, n - 8)
    } else if n >= 4 {
        w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4)
    } else {
        a == b
    }
}

/// Length of the run of XML whitespace at the start of `s`. Indentation
/// runs are short: eight bytes are classified at once (SWAR), one word
/// usually settles it.
#[inline(always)]
fn ws_run(s: &[u8]) -> usize {
    let mut i = 0;
    while i + 8 <= s.len() {
        let x = u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        // `eq(c)`: high bit of each byte set iff that byte equals `c`. The
        // exact per-byte zero test (adding 0x7f to the low seven bits cannot
        // carry into the next byte), so no false positives.
        let eq = |c: u8| {
            let v = x ^ (u64::from(c) * 0x0101_0101_0101_0101);
            !(((v & 0x7f7f_7f7f_7f7f_7f7f) + 0x7f7f_7f7f_7f7f_7f7f) | v | 0x7f7f_7f7f_7f7f_7f7f)
        };
        let ws = eq(b' ') | eq(b'\t') | eq(b'\n') | eq(b'\r');
        if ws != 0x8080_8080_8080_8080 {
            // First byte (lowest, little-endian) whose high bit is clear.
            return i + ((!ws & 0x8080_8080_8080_8080).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + s[i..].iter().take_while(|b| is_ws(**b)).count()
}

/// `s` without the leading `p`, if `s` starts with it (see [`eq_short`]).
#[inline(always)]
fn strip_short<'s>(s: &'s [u8], p: &[u8]) -> Option<&'s [u8]> {
    if s.len() >= p.len() && eq_short(&s[..p.len()], p) {
        Some(&s[p.len()..])
    } else {
        None
    }
}

/// Bytes of plain text: printable ASCII other than `<`, `&` and `>`
/// (1 = plain). `>` is left out so `]]>` needs no check on the fast path.
const PLAIN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0x20;
    while b < 0x80 {
        t[b] = (b != b'<' as usize && b != b'&' as usize && b != b'>' as usize) as u8;
        b += 1;
    }
    t
};

/// Whether `c` is a character XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Checks that character data has no characters XML 1.0 forbids (C0
/// controls other than tab, LF and CR). Non-ASCII is checked by the caller's
/// UTF-8 decoding; U+FFFE/U+FFFF are caught by [`check_chars`].
#[inline]
pub(crate) fn has_control(s: &[u8]) -> bool {
    // Eight bytes at a time: a word without bytes below 0x20 needs no closer look.
    const LOW: u64 = 0x2020_2020_2020_2020;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.chunks_exact(8);
    for c in chunks.by_ref() {
        let x = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        // Bytes >= 0x80 can set the flag falsely; the exact check settles it.
        if x.wrapping_sub(LOW) & !x & HIGH != 0 && c.iter().copied().any(is_control) {
            return true;
        }
    }
    chunks.remainder().iter().copied().any(is_control)
}

#[inline]
fn is_control(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')
}

/// Full character check of decoded text (rare non-ASCII path included).
pub(crate) fn check_chars(s: &str) -> bool {
    if s.is_ascii() {
        !has_control(s.as_bytes())
    } else {
        s.chars().all(is_xml_char)
    }
}

/// Expands the five predefined entities and character references.
/// Anything else (`&foo;`, `&#0;`, a bare `&`) is an error, as in XML 1.0
/// without a DTD.
pub(crate) fn unescape(s: &str) -> Result<Cow<'_, str>, String> {
    // Values are short: the plain scan beats memchr's setup.
    let Some(first) = s.bytes().position(|b| b == b'&') else {
        return Ok(Cow::Borrowed(s));
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut rest = &s[first..];
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = memchr(b';', after.as_bytes())
            .filter(|i| *i <= 10)
            .ok_or_else(|| "'&' not followed by a reference".to_string())?;
        let name = &after[..semi];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    return Err(format!("unknown entity &{name};"));
                };
                code.and_then(char::from_u32)
                    .filter(|c| is_xml_char(*c))
                    .ok_or_else(|| format!("invalid character reference &{name};"))?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Whether an `encoding` label names UTF-8. Like libxml2 (through iconv),
/// punctuation in the label is ignored (`utf_8`, `UT-F-8`); any other
/// encoding is refused rather than decoded differently.
fn is_utf8_label(v: &[u8]) -> bool {
    let syntax = v.first().is_some_and(u8::is_ascii_alphabetic)
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    let mut letters = v.iter().filter(|b| b.is_ascii_alphanumeric());
    syntax
        && letters
            .by_ref()
            .take(4)
            .map(u8::to_ascii_uppercase)
            .eq(*b"UTF8")
        && letters.next().is_none()
}

/// Checks the pseudo-attributes of the XML declaration (XML 1.0 §2.8, §4.3.3):
/// `version` (1.x), optional `encoding` (must be UTF-8: iWmo messages are
/// UTF-8 and nothing else is decoded), optional `standalone`, in that order.
fn check_decl(body: &[u8]) -> Result<(), &'static str> {
    let skip_ws = |r: &[u8]| r.iter().take_while(|b| is_ws(**b)).count();
    let mut rest = body;
    for (i, name) in [&b"version"[..], b"encoding", b"standalone"]
        .into_iter()
        .enumerate()
    {
        let ws = skip_ws(rest);
        let after = &rest[ws..];
        if !after.starts_with(name) {
            if i == 0 {
                return Err("XML declaration without version");
            }
            continue;
        }
        if ws == 0 {
            return Err("whitespace needed in the XML declaration");
        }
        let r = &after[name.len()..];
        let Some(r) = r[skip_ws(r)..].strip_prefix(b"=") else {
            return Err("expected '=' in the XML declaration");
        };
        let r = &r[skip_ws(r)..];
        let q = match r.first() {
            Some(&q) if q == b'"' || q == b'\'' => q,
            _ => return Err("unquoted value in the XML declaration"),
        };
        let Some(len) = memchr(q, &r[1..]) else {
            return Err("unterminated value in the XML declaration");
        };
        let v = &r[1..1 + len];
        let ok = match i {
            // libxml2 accepts "1." followed by digits (warning for other than 1.0).
            0 => v.starts_with(b"1.") && v[2..].iter().all(u8::is_ascii_digit),
            1 => is_utf8_label(v),
            _ => v == b"yes" || v == b"no",
        };
        if !ok {
            return Err(match i {
                0 => "unsupported XML version",
                1 => "encoding must be UTF-8 (iWmo messages are UTF-8)",
                _ => "standalone must be yes or no",
            });
        }
        rest = &r[2 + len..];
    }
    if rest.iter().all(|b| is_ws(*b)) {
        Ok(())
    } else {
        Err("unexpected content in the XML declaration")
    }
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `input` (a UTF-8 byte order mark is skipped).
    pub fn new(input: &'a [u8]) -> Self {
        let pos = if input.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Lexer {
            input,
            pos,
            open: Vec::with_capacity(12),
        }
    }

    /// Current byte offset.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn err<T>(&self, pos: usize, msg: impl Into<String>) -> Result<T, LexError> {
        Err(LexError {
            msg: msg.into(),
            pos,
        })
    }

    /// The next event, skipping whitespace-only text before markup (the
    /// indentation between elements, where only markup is expected).
    #[inline]
    pub fn next_markup(&mut self) -> Result<Ev<'a>, LexError> {
        let ws = ws_run(&self.input[self.pos.min(self.input.len())..]);
        if self.input.get(self.pos + ws) == Some(&b'<') {
            self.pos += ws;
        }
        self.next()
    }

    /// Fast path for a reader that knows which element comes next: if the
    /// next markup (after indentation) is exactly `<prefix:local>` or
    /// `<prefix:local/>`, without attributes, consumes it and returns the tag
    /// and whether it was empty. Anything else (attributes, another name, a
    /// comment) returns `None` and consumes nothing, so the caller falls back
    /// to [`Lexer::next_markup`], which checks it fully. The expected names
    /// are valid XML names, so matching them byte for byte checks the name.
    #[inline]
    pub fn try_start(&mut self, prefix: &[u8], local: &[u8]) -> Option<(Tag<'a>, bool)> {
        let input = self.input;
        let i = self.pos + ws_run(input.get(self.pos..)?);
        let rest = input.get(i..)?.strip_prefix(b"<")?;
        let (after, local_at) = if prefix.is_empty() {
            (rest, 0)
        } else {
            let r = strip_short(rest, prefix)?.strip_prefix(b":")?;
            (r, prefix.len() + 1)
        };
        let after = strip_short(after, local)?;
        let qname = &rest[..local_at + local.len()];
        let tag = Tag {
            qname,
            local: local_at,
            attrs: &[],
        };
        match after {
            [b'>', ..] => {
                self.pos = i + 2 + qname.len();
                self.open.push(qname);
                Some((tag, false))
            }
            [b'/', b'>', ..] => {
                self.pos = i + 3 + qname.len();
                Some((tag, true))
            }
            _ => None,
        }
    }

    /// Fast path for element content that is plain printable ASCII (no
    /// references, no `>`), directly followed by the end tag of the open
    /// element: consumes both and returns the text. Anything else returns
    /// `None` and consumes nothing (the caller falls back to [`Lexer::next`]).
    /// Plain ASCII needs no UTF-8 or character check.
    #[inline]
    pub fn try_plain_text_end(&mut self) -> Option<&'a str> {
        let input = self.input;
        let start = self.pos;
        let rest = input.get(start..)?;
        let n = rest.iter().position(|&b| PLAIN[usize::from(b)] == 0)?;
        if rest[n] != b'<' || rest.get(n + 1) != Some(&b'/') {
            return None;
        }
        let open = *self.open.last()?;
        let close = &rest[n + 2..];
        if close.len() <= open.len()
            || !eq_short(&close[..open.len()], open)
            || close[open.len()] != b'>'
        {
            return None;
        }
        let plain = &rest[..n];
        debug_assert!(plain.is_ascii());
        // SAFETY: every byte of `plain` passed the PLAIN table, which admits
        // only bytes 0x20..0x80, and ASCII is valid UTF-8. (`from_utf8` here
        // was 4% of validation time: it runs on every value.)
        let text = unsafe { std::str::from_utf8_unchecked(plain) };
        self.open.pop();
        self.pos = start + n + 3 + open.len();
        Some(text)
    }

    /// Fast path for the end tag of the open element, written exactly as it
    /// was opened (after indentation): consumes it and returns `true`.
    /// Anything else returns `false` and consumes nothing.
    #[inline]
    pub fn try_end(&mut self) -> bool {
        let input = self.input;
        let i = self.pos + ws_run(&input[self.pos.min(input.len())..]);
        let Some(open) = self.open.last() else {
            return false;
        };
        let at = i + 2 + open.len();
        if input.get(i..i + 2) == Some(b"</")
            && input.get(at) == Some(&b'>')
            && eq_short(&input[i + 2..at], open)
        {
            self.open.pop();
            self.pos = at + 1;
            true
        } else {
            false
        }
    }

    /// The next event.
    pub fn next(&mut self) -> Result<Ev<'a>, LexError> {
        let input = self.input;
        let start = self.pos;
        if start >= input.len() {
            if let Some(name) = self.open.last() {
                let name = String::from_utf8_lossy(name).into_owned();
                return self.err(
                    start,
                    format!("unexpected end of document: <{name}> not closed"),
                );
            }
            return Ok(Ev::Eof);
        }
        if input[start] != b'<' {
            // Most text is a short indentation run or value: a plain loop
            // beats memchr's setup there; long runs go to memchr.
            let rest = &input[start..];
            let (end, gt) = match rest.iter().take(32).position(|b| *b == b'<' || *b == b'>') {
                Some(k) if rest[k] == b'<' => (start + k, false),
                _ => {
                    let end = memchr(b'<', rest).map_or(input.len(), |i| start + i);
                    (end, memchr(b'>', &input[start..end]).is_some())
                }
            };
            let text = &input[start..end];
            // `]]>` may not appear in character data.
            if gt {
                if let Some(p) = memmem::find(text, b"]]>") {
                    return self.err(start + p, "']]>' in character data");
                }
            }
            self.pos = end;
            return Ok(Ev::Text(text));
        }
        match input.get(start + 1) {
            Some(b'/') => self.end_tag(start),
            Some(b'?') => self.pi(start),
            Some(b'!') => self.bang(start),
            _ => self.start_tag(start),
        }
    }

    /// Scans a name starting at `i`; returns its end and the colon offset (if any).
    #[inline]
    fn name(&self, i: usize) -> Result<(usize, Option<usize>), LexError> {
        let input = self.input;
        match input.get(i) {
            Some(&b) if NAME[usize::from(b)] & START != 0 => {}
            Some(_) => return self.err(i, "invalid name"),
            None => return self.err(i, "unexpected end of document in a tag"),
        }
        // One pass with a class table: name characters, and flags for a
        // colon or a non-ASCII byte (rare; checked after the loop).
        // One pass with a class table; a non-ASCII byte is only flagged
        // (rare) and checked after the loop.
        let rest = &input[i + 1..];
        let mut flags = 0u8;
        let mut n = rest.len();
        let mut colon = None;
        for (k, &b) in rest.iter().enumerate() {
            let c = NAME[usize::from(b)];
            if c & CHAR == 0 {
                n = k;
                break;
            }
            if c & COLON != 0 {
                if colon.is_some() {
                    return self.err(i + 1 + k, "name with two colons");
                }
                colon = Some(k + 1);
            }
            flags |= c;
        }
        let j = i + 1 + n;
        let name = &input[i..j];
        if colon == Some(n) {
            return self.err(j, "name ends with a colon");
        }
        if (flags | NAME[usize::from(input[i])]) & HIGH != 0 && std::str::from_utf8(name).is_err() {
            return self.err(i, "invalid UTF-8 in a name");
        }
        Ok((j, colon))
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while self.input.get(i).is_some_and(|b| is_ws(*b)) {
            i += 1;
        }
        i
    }

    fn start_tag(&mut self, lt: usize) -> Result<Ev<'a>, LexError> {
        let input = self.input;
        let (name_end, colon) = self.name(lt + 1)?;
        let qname = &input[lt + 1..name_end];
        let local = colon.map_or(0, |c| c + 1);
        // Fast path: no attributes.
        match input.get(name_end) {
            Some(b'>') => {
                self.pos = name_end + 1;
                self.open.push(qname);
                return Ok(Ev::Start(
                    Tag {
                        qname,
                        local,
                        attrs: &[],
                    },
                    false,
                ));
            }
            Some(b'/') if input.get(name_end + 1) == Some(&b'>') => {
                self.pos = name_end + 2;
                return Ok(Ev::Start(
                    Tag {
                        qname,
                        local,
                        attrs: &[],
                    },
                    true,
                ));
            }
            _ => {}
        }
        let mut i = name_end;
        let mut keys: Vec<&[u8]> = Vec::new();
        loop {
            let j = self.skip_ws(i);
            match input.get(j) {
                None => return self.err(j, "unexpected end of document in a tag"),
                Some(b'>') => {
                    let attrs = &input[name_end..j];
                    self.pos = j + 1;
                    self.open.push(qname);
                    return Ok(Ev::Start(
                        Tag {
                            qname,
                            local,
                            attrs,
                        },
                        false,
                    ));
                }
                Some(b'/') => {
                    if input.get(j + 1) != Some(&b'>') {
                        return self.err(j, "expected '>' after '/'");
                    }
                    let attrs = &input[name_end..j];
                    self.pos = j + 2;
                    return Ok(Ev::Start(
                        Tag {
                            qname,
                            local,
                            attrs,
                        },
                        true,
                    ));
                }
                Some(_) if j == i => return self.err(j, "expected whitespace before an attribute"),
                Some(_) => {
                    let (key_end, _) = self.name(j)?;
                    let key = &input[j..key_end];
                    // The duplicate check is quadratic; iWmo elements carry at
                    // most a few namespace declarations, so a bound is no loss.
                    if keys.len() == MAX_ATTRIBUTES {
                        return self.err(j, "too many attributes");
                    }
                    if keys.contains(&key) {
                        let k = String::from_utf8_lossy(key).into_owned();
                        return self.err(j, format!("duplicate attribute {k}"));
                    }
                    keys.push(key);
                    let e = self.skip_ws(key_end);
                    if input.get(e) != Some(&b'=') {
                        return self.err(e, "expected '=' after an attribute name");
                    }
                    let q = self.skip_ws(e + 1);
                    let quote = match input.get(q) {
                        Some(&b) if b == b'"' || b == b'\'' => b,
                        _ => return self.err(q, "attribute value must be quoted"),
                    };
                    let Some(len) = memchr(quote, &input[q + 1..]) else {
                        return self.err(q, "unterminated attribute value");
                    };
                    let value = &input[q + 1..q + 1 + len];
                    if let Some(p) = memchr(b'<', value) {
                        return self.err(q + 1 + p, "'<' in an attribute value");
                    }
                    if has_control(value) {
                        return self.err(q + 1, "forbidden character in an attribute value");
                    }
                    let text = std::str::from_utf8(value).map_err(|_| LexError {
                        msg: "invalid UTF-8 in an attribute value".into(),
                        pos: q + 1,
                    })?;
                    if let Err(m) = unescape(text) {
                        return self.err(q + 1, m);
                    }
                    i = q + 2 + len;
                }
            }
        }
    }

    fn end_tag(&mut self, lt: usize) -> Result<Ev<'a>, LexError> {
        // Fast path: the end tag repeats the open element's name exactly.
        if let Some(open) = self.open.last() {
            let at = lt + 2 + open.len();
            if strip_short(&self.input[lt + 2..], open).is_some()
                && self.input.get(at) == Some(&b'>')
            {
                self.open.pop();
                self.pos = at + 1;
                return Ok(Ev::End);
            }
        }
        let (name_end, _) = self.name(lt + 2)?;
        let name = &self.input[lt + 2..name_end];
        let gt = self.skip_ws(name_end);
        if self.input.get(gt) != Some(&b'>') {
            return self.err(gt, "expected '>' to close an end tag");
        }
        match self.open.pop() {
            Some(open) if open == name => {
                self.pos = gt + 1;
                Ok(Ev::End)
            }
            Some(open) => {
                let (o, n) = (String::from_utf8_lossy(open), String::from_utf8_lossy(name));
                self.err(lt, format!("expected </{o}>, found </{n}>"))
            }
            None => {
                let n = String::from_utf8_lossy(name).into_owned();
                self.err(lt, format!("end tag </{n}> without a start tag"))
            }
        }
    }

    fn pi(&mut self, lt: usize) -> Result<Ev<'a>, LexError> {
        // The declaration every iWmo message starts with, byte for byte,
        // needs no closer look (the general path below cost 700
        // instructions a message).
        const USUAL: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
        let first = if self.input.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        if lt == first && strip_short(&self.input[lt..], USUAL).is_some() {
            self.pos = lt + USUAL.len();
            return Ok(Ev::Decl);
        }
        let (name_end, _) = self.name(lt + 2)?;
        let target = &self.input[lt + 2..name_end];
        let Some(close) = memmem::find(&self.input[name_end..], b"?>") else {
            return self.err(lt, "unterminated processing instruction");
        };
        let body = &self.input[name_end..name_end + close];
        if !body.is_empty() && !is_ws(body[0]) {
            return self.err(name_end, "invalid processing instruction target");
        }
        self.check_content(body, name_end)?;
        self.pos = name_end + close + 2;
        if target.eq_ignore_ascii_case(b"xml") {
            // The declaration is only allowed as the very first thing (after a BOM).
            if target != b"xml" || lt != first {
                return self.err(
                    lt,
                    "XML declaration allowed only at the start of the document",
                );
            }
            return match check_decl(body) {
                Ok(()) => Ok(Ev::Decl),
                Err(m) => self.err(name_end, m),
            };
        }
        Ok(Ev::Skip)
    }

    fn bang(&mut self, lt: usize) -> Result<Ev<'a>, LexError> {
        let rest = &self.input[lt..];
        if rest.starts_with(b"<!--") {
            let body = lt + 4;
            let Some(dd) = memmem::find(&self.input[body..], b"--") else {
                return self.err(lt, "unterminated comment");
            };
            if self.input.get(body + dd + 2) != Some(&b'>') {
                return self.err(body + dd, "'--' inside a comment");
            }
            self.check_content(&self.input[body..body + dd], body)?;
            self.pos = body + dd + 3;
            Ok(Ev::Skip)
        } else if rest.starts_with(b"<![CDATA[") {
            if self.open.is_empty() {
                return self.err(lt, "CDATA section outside the root element");
            }
            let body = lt + 9;
            let Some(end) = memmem::find(&self.input[body..], b"]]>") else {
                return self.err(lt, "unterminated CDATA section");
            };
            self.pos = body + end + 3;
            Ok(Ev::CData(&self.input[body..body + end]))
        } else if rest.starts_with(b"<!DOCTYPE") {
            Ok(Ev::DocType)
        } else {
            self.err(lt, "invalid markup declaration")
        }
    }

    /// Comment and PI content: valid UTF-8 and XML characters only.
    fn check_content(&self, body: &[u8], at: usize) -> Result<(), LexError> {
        match std::str::from_utf8(body) {
            Ok(s) if check_chars(s) => Ok(()),
            _ => self.err(at, "invalid character"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of near-iWmo markup, valid and not, for the fast-path property.
    const PIECES: &[&str] = &[
        "<p:a>",
        "</p:a>",
        "<p:a/>",
        "<p:ab>",
        "</p:ab>",
        "<q:a>",
        "<a>",
        "</a>",
        "<p:a x='1'>",
        "<p:a >",
        "</p:a >",
        "<p:a/ >",
        "<p:",
        "</",
        "<",
        ">",
        "/>",
        "\n\t\t",
        " ",
        "\t",
        "12",
        "x y",
        "&amp;",
        "&",
        "é",
        "]]>",
        "]]",
        "\u{1}",
        "<!-- c -->",
        "<![CDATA[z]]>",
        "<?pi x?>",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Whatever a fast path consumes, the general path reads the same
        /// way (same event, same end position); when it declines, it
        /// consumes nothing.
        #[test]
        fn fast_paths_agree_with_the_general_path(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..24),
            tries in prop::collection::vec(0u8..4, 24),
        ) {
            let doc: String = pieces.concat();
            let mut l = Lexer::new(doc.as_bytes());
            for t in tries {
                let before = l.position();
                let mut general = l.clone();
                match t {
                    0 | 1 => {
                        let (prefix, local): (&[u8], &[u8]) = if t == 0 { (b"p", b"a") } else { (b"", b"a") };
                        match l.try_start(prefix, local) {
                            Some((tag, empty)) => {
                                let ev = general.next_markup();
                                let Ok(Ev::Start(g, gempty)) = ev else {
                                    return Err(TestCaseError::fail(format!("{doc:?} at {before}: fast start, general {ev:?}")));
                                };
                                prop_assert_eq!(g.qname, tag.qname);
                                prop_assert!(g.attrs.is_empty());
                                prop_assert_eq!(gempty, empty);
                                prop_assert_eq!(general.position(), l.position());
                            }
                            None => prop_assert_eq!(l.position(), before),
                        }
                    }
                    2 => match l.try_plain_text_end() {
                        // Empty content: the general path sees the end tag at once
                        // (and the reader makes "" of it too).
                        Some("") => {
                            prop_assert!(matches!(general.next(), Ok(Ev::End)));
                            prop_assert_eq!(general.position(), l.position());
                        }
                        Some(text) => {
                            let ev = general.next();
                            let Ok(Ev::Text(raw)) = ev else {
                                return Err(TestCaseError::fail(format!("{doc:?} at {before}: fast text, general {ev:?}")));
                            };
                            prop_assert_eq!(raw, text.as_bytes());
                            let s = std::str::from_utf8(raw).unwrap();
                            prop_assert!(check_chars(s));
                            prop_assert_eq!(unescape(s).unwrap(), text);
                            prop_assert!(matches!(general.next(), Ok(Ev::End)));
                            prop_assert_eq!(general.position(), l.position());
                        }
                        None => prop_assert_eq!(l.position(), before),
                    },
                    _ => {
                        if l.try_end() {
                            prop_assert!(matches!(general.next_markup(), Ok(Ev::End)));
                            prop_assert_eq!(general.position(), l.position());
                        } else {
                            prop_assert_eq!(l.position(), before);
                        }
                    }
                }
                // Move on the general way (stop at an error or the end).
                match l.next() {
                    Ok(Ev::Eof) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
    }

    fn events(s: &str) -> Result<Vec<String>, LexError> {
        let mut l = Lexer::new(s.as_bytes());
        let mut out = Vec::new();
        loop {
            let e = l.next()?;
            out.push(match e {
                Ev::Start(t, empty) => format!(
                    "S({},{},{:?}{})",
                    String::from_utf8_lossy(t.qname),
                    String::from_utf8_lossy(t.local_name()),
                    t.attributes()
                        .map(|(k, v)| format!(
                            "{}={}",
                            String::from_utf8_lossy(k),
                            String::from_utf8_lossy(v)
                        ))
                        .collect::<Vec<_>>(),
                    if empty { ",empty" } else { "" }
                ),
                Ev::End => "E".into(),
                Ev::Text(t) => format!("T({})", String::from_utf8_lossy(t)),
                Ev::CData(t) => format!("C({})", String::from_utf8_lossy(t)),
                Ev::Skip => "skip".into(),
                Ev::Decl => "decl".into(),
                Ev::DocType => "doctype".into(),
                Ev::Eof => break,
            });
        }
        Ok(out)
    }

    #[test]
    fn tokens_of_a_small_document() {
        let ev = events(
            "\u{feff}<?xml version=\"1.0\"?><!-- c --><a:r xmlns:a='u' b = \"x&amp;y\"><a:x/>t<![CDATA[<z>]]></a:r >\n",
        )
        .unwrap();
        assert_eq!(
            ev,
            [
                "decl",
                "skip",
                "S(a:r,r,[\"xmlns:a=u\", \"b=x&amp;y\"])",
                "S(a:x,x,[],empty)",
                "T(t)",
                "C(<z>)",
                "E",
                "T(\n)"
            ]
        );
    }

    #[test]
    fn malformed_documents_are_refused() {
        for bad in [
            "<a></b>",
            "<a>",
            "</a>",
            "<a b='1' b='2'/>",
            "<a b=1/>",
            "<a b='<'/>",
            "<a b='&x;'/>",
            "<ab='1'/>",
            "<a b='1'c='2'/>",
            "<a><!-- x -- y --></a>",
            "<a>]]></a>",
            "<a/><?xml version='1.0'?>",
            "<1a/>",
            "<a:/>",
            "<a:b:c/>",
            "<a><!x></a>",
            "<a b='\u{1}'/>",
            "<?xml version='1.0' encoding='UTF-8 '?><a/>",
            "<?xml version=\"1.0\"é?><a/>",
            "<?xml encoding='UTF-8'?><a/>",
            "<?xml version='1.0' standalone='yes' encoding='UTF-8'?><a/>",
            "<?xml version='1.0'encoding='UTF-8'?><a/>",
            "<?xml version='1.0' encoding='latin1'?><a/>",
            "<?xml version='1.0' encoding='UTFUTF-8'?><a/>",
            "<a><!-- \u{1} --></a>",
            "<a></a",
            "<a/ >",
        ] {
            assert!(events(bad).is_err(), "{bad:?} accepted: {:?}", events(bad));
        }
    }

    #[test]
    fn fast_paths_take_only_the_exact_plain_forms() {
        let doc = b"<p:r>\n\t<p:a>12</p:a><p:b/><p:c x='1'/></p:r>";
        let mut l = Lexer::new(doc);
        assert!(matches!(l.next(), Ok(Ev::Start(_, false))));
        // Wrong name or prefix: nothing consumed.
        assert!(l.try_start(b"p", b"b").is_none());
        assert!(l.try_start(b"q", b"a").is_none());
        assert!(l.try_start(b"p", b"ab").is_none());
        let (t, empty) = l.try_start(b"p", b"a").expect("<p:a>");
        assert_eq!(
            (t.qname, t.local_name(), empty),
            (&b"p:a"[..], &b"a"[..], false)
        );
        assert_eq!(l.try_plain_text_end(), Some("12"));
        assert!(matches!(l.try_start(b"p", b"b"), Some((_, true))));
        // Attributes go through the full path.
        assert!(l.try_start(b"p", b"c").is_none());
        assert!(matches!(l.next(), Ok(Ev::Start(_, true))));
        assert!(l.try_end());
        assert!(matches!(l.next(), Ok(Ev::Eof)));

        for (doc, why) in [
            (&b"<a>x&amp;y</a>"[..], "reference"),
            (b"<a>x>y</a>", "'>'"),
            (b"<a>\xc3\xa9</a>", "non-ASCII"),
            (b"<a>x\ty</a>", "control or tab"),
            (b"<a>x</a >", "space in the end tag"),
            (b"<a>x</ab>", "other end tag"),
            (b"<a>x<!-- c --></a>", "comment"),
        ] {
            let mut l = Lexer::new(doc);
            l.next().unwrap();
            let at = l.position();
            assert_eq!(l.try_plain_text_end(), None, "{why}");
            assert_eq!(l.position(), at, "{why}: nothing consumed");
        }
        let mut l = Lexer::new(b"<a><b></a>");
        l.next().unwrap();
        l.next().unwrap();
        assert!(!l.try_end(), "</a> does not close <b>");
    }

    #[test]
    fn eq_short_is_slice_equality() {
        let base = b"abcdefghijklmnopqrstuvwxyz0123";
        for n in 0..base.len() {
            let a = &base[..n];
            assert!(eq_short(a, a));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] ^= 0x20;
                assert!(!eq_short(a, &b), "{n} {k}");
            }
            assert!(!eq_short(a, &base[..n + 1]));
        }
    }

    #[test]
    fn ws_run_counts_leading_whitespace() {
        for s in [
            "",
            "<",
            " <",
            "\n\t\t<a>",
            "        x",
            "\t\t\t\t\t\t\t\t\t\t",
            "\r\n \t\u{a0}",
            "\n\t\t\t\t\t\t\t\t<",
            " \x0b",
        ] {
            let want = s.bytes().take_while(|b| is_ws(*b)).count();
            assert_eq!(ws_run(s.as_bytes()), want, "{s:?}");
        }
        for b in 0..=255u8 {
            for at in 0..10 {
                let mut v = vec![b'\t'; 10];
                v[at] = b;
                let want = v.iter().take_while(|b| is_ws(**b)).count();
                assert_eq!(ws_run(&v), want, "byte {b:#x} at {at}");
            }
        }
    }

    #[test]
    fn attribute_count_is_bounded() {
        let many: String = (0..65).map(|i| format!(" a{i}='1'")).collect();
        assert!(events(&format!("<a{many}/>")).is_err());
        let ok: String = (0..64).map(|i| format!(" a{i}='1'")).collect();
        assert!(events(&format!("<a{ok}/>")).is_ok());
    }

    #[test]
    fn references_are_expanded_or_refused() {
        assert_eq!(
            unescape("a&lt;b&#62;&#x41;&amp;&quot;&apos;").unwrap(),
            "a<b>A&\"'"
        );
        assert!(matches!(unescape("plain").unwrap(), Cow::Borrowed("plain")));
        for bad in ["&", "&x;", "&#0;", "&#xD800;", "&#65", "&lt"] {
            assert!(unescape(bad).is_err(), "{bad}");
        }
    }
}
