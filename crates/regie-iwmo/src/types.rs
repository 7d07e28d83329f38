//! Simple types of the iWmo 3.2 basisschema (`LDT_*`): every facet (length,
//! pattern, range, enumeration) is checked when a value is constructed, so a
//! typed message can only hold values the XSD accepts and the writer never has
//! to fail.

use crate::codelists::{LANDCODES, RETOURCODES};
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use std::fmt;
use thiserror::Error;

/// A value violates a facet of its XSD simple type.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{xsd_type}: {reason} (value {value:?})")]
pub struct FacetError {
    /// XSD type name, e.g. `LDT_Naam`.
    pub xsd_type: &'static str,
    /// The rejected lexical value (truncated to 40 characters).
    pub value: String,
    /// Which facet failed.
    pub reason: &'static str,
}

impl FacetError {
    pub(crate) fn new(xsd_type: &'static str, value: &str, reason: &'static str) -> Self {
        FacetError {
            xsd_type,
            value: value.chars().take(40).collect(),
            reason,
        }
    }
}

/// An XSD simple type: parsed from element text, written back as text.
pub trait SimpleType: Sized {
    /// XSD name of the type (for error messages).
    const XSD: &'static str;
    /// Parses the lexical form, checking every facet.
    fn parse_text(text: &str) -> Result<Self, FacetError>;
    /// Appends the canonical lexical form (unescaped).
    fn write_text(&self, out: &mut String);
}

/// Characters of the XSD `\s` class.
fn is_xsd_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Trims XSD whitespace, as the `collapse` whitespace facet of numbers and dates does.
fn collapse(s: &str) -> &str {
    s.trim_matches(is_xsd_space)
}

/// The `pattern` facets that occur in the basisschema, implemented directly
/// (XSD regexes are anchored and `.` excludes CR/LF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pat {
    /// No pattern.
    Any,
    /// `.*[^\s].*`: no line break, at least one non-space.
    NonBlank,
    /// `[0-9]{n}`.
    Digits(usize),
    /// `[0-9]*`.
    DigitStar,
    /// `([a-zA-ZÀ-ỳ])+`.
    Voorletters,
    /// `([.\s]*\S+[.\s]*)+`: at least one non-space (line breaks allowed).
    Commentaar,
    /// `(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)`.
    Versie,
    /// `([a-zA-Z0-9])+`.
    Alnum,
}

fn version_part(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
}

impl Pat {
    fn matches(self, s: &str) -> bool {
        match self {
            Pat::Any => true,
            Pat::NonBlank => !s.contains(['\n', '\r']) && s.chars().any(|c| !is_xsd_space(c)),
            Pat::Digits(n) => s.len() == n && s.bytes().all(|b| b.is_ascii_digit()),
            Pat::DigitStar => s.bytes().all(|b| b.is_ascii_digit()),
            Pat::Voorletters => {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphabetic() || ('\u{C0}'..='\u{1EF3}').contains(&c))
            }
            Pat::Commentaar => s.chars().any(|c| !is_xsd_space(c)),
            Pat::Versie => {
                let mut it = s.split('.');
                let ok = (0..3).all(|_| it.next().is_some_and(version_part));
                ok && it.next().is_none()
            }
            Pat::Alnum => !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()),
        }
    }
}

pub(crate) fn check_string(
    s: &str,
    min: usize,
    max: usize,
    pat: Pat,
    xsd: &'static str,
) -> Result<(), FacetError> {
    // Lengths of xs:string count characters, not bytes; ASCII is the common case.
    let len = if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    };
    if len < min {
        return Err(FacetError::new(xsd, s, "shorter than minLength"));
    }
    if len > max {
        return Err(FacetError::new(xsd, s, "longer than maxLength"));
    }
    if !pat.matches(s) {
        return Err(FacetError::new(xsd, s, "does not match pattern"));
    }
    Ok(())
}

macro_rules! string_type {
    ($(#[$m:meta])* $name:ident, $xsd:literal, $min:expr, $max:expr, $pat:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(crate::inline::InlineStr);

        impl $name {
            /// Checks the facets of the XSD type and wraps the value.
            pub fn new(s: impl Into<String>) -> Result<Self, FacetError> {
                let s = s.into();
                check_string(&s, $min, $max, $pat, $xsd)?;
                Ok($name(s.into()))
            }
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl SimpleType for $name {
            const XSD: &'static str = $xsd;
            fn parse_text(text: &str) -> Result<Self, FacetError> {
                check_string(text, $min, $max, $pat, $xsd)?;
                Ok($name(text.into()))
            }
            fn write_text(&self, out: &mut String) {
                out.push_str(&self.0);
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = FacetError;
            fn from_str(s: &str) -> Result<Self, FacetError> {
                $name::new(s)
            }
        }
    };
}

string_type!(
    /// `LDT_AgbCode`: eight digits (Wmo-specific AGB code of a provider).
    AgbCode, "LDT_AgbCode", 1, 8, Pat::Digits(8)
);
string_type!(
    /// `LDT_Gemeente`: CBS gemeentecode, four digits.
    Gemeente, "LDT_Gemeente", 1, usize::MAX, Pat::Digits(4)
);
string_type!(
    /// `LDT_BurgerServicenummer`: nine digits (the 11-proef is constraint CS002, checked by validation).
    BurgerServicenummer, "LDT_BurgerServicenummer", 1, 9, Pat::Digits(9)
);
string_type!(
    /// `LDT_Commentaar`: free text with at least one non-space character.
    Commentaar, "LDT_Commentaar", 1, usize::MAX, Pat::Commentaar
);
string_type!(
    /// `LDT_Emailadres`.
    Emailadres, "LDT_Emailadres", 1, 80, Pat::NonBlank
);
string_type!(
    /// `LDT_Huisletter`.
    Huisletter, "LDT_Huisletter", 1, 1, Pat::NonBlank
);
string_type!(
    /// `LDT_HuisnummerToevoeging`.
    HuisnummerToevoeging, "LDT_HuisnummerToevoeging", 1, 4, Pat::NonBlank
);
string_type!(
    /// `LDT_IdentificatieBericht`: message identification, unique per sender and message type (TR056).
    IdentificatieBericht, "LDT_IdentificatieBericht", 1, 12, Pat::NonBlank
);
string_type!(
    /// `LDT_IdentificatieDeclaratie` as restricted in WMO323 (`([a-zA-Z0-9])+`).
    DeclaratieNummer, "LDT_IdentificatieDeclaratie", 1, 12, Pat::Alnum
);
string_type!(
    /// `LDT_IdentificatieDeclaratie` without the WMO323 pattern (as used in WMO325).
    IdentificatieDeclaratie, "LDT_IdentificatieDeclaratie", 1, 12, Pat::Any
);
string_type!(
    /// `LDT_Landnummer`: international dialling prefix.
    Landnummer, "LDT_Landnummer", 1, 4, Pat::NonBlank
);
string_type!(
    /// `LDT_Naam`.
    Naam, "LDT_Naam", 1, 200, Pat::NonBlank
);
string_type!(
    /// `LDT_NaamVerwijzer`.
    NaamVerwijzer, "LDT_NaamVerwijzer", 1, 64, Pat::NonBlank
);
string_type!(
    /// `LDT_Organisatienaam`.
    Organisatienaam, "LDT_Organisatienaam", 1, 35, Pat::NonBlank
);
string_type!(
    /// `LDT_Persoonsid`: number of a relatie, unique per gemeente per client.
    Persoonsid, "LDT_Persoonsid", 1, 20, Pat::NonBlank
);
string_type!(
    /// `LDT_Plaatsnaam`.
    Plaatsnaam, "LDT_Plaatsnaam", 1, 80, Pat::NonBlank
);
string_type!(
    /// `LDT_Postcode` (the Dutch format is constraint CS089).
    Postcode, "LDT_Postcode", 1, 8, Pat::NonBlank
);
string_type!(
    /// `LDT_ProductCode`: 1–5 characters (the domain's `ProductCode` is stricter: exactly 5).
    ProductCode, "LDT_ProductCode", 1, 5, Pat::NonBlank
);
string_type!(
    /// `LDT_Referentie`: ReferentieAanbieder.
    Referentie, "LDT_Referentie", 1, 36, Pat::NonBlank
);
string_type!(
    /// `LDT_ReferentieNummer`: reference of a Prestatie.
    ReferentieNummer, "LDT_ReferentieNummer", 1, 20, Pat::Any
);
string_type!(
    /// `LDT_Straatnaam`.
    Straatnaam, "LDT_Straatnaam", 1, 24, Pat::NonBlank
);
string_type!(
    /// `LDT_Taal`.
    Taal, "LDT_Taal", 1, 25, Pat::NonBlank
);
string_type!(
    /// `LDT_Telefoonnummer`: digits only.
    Telefoonnummer, "LDT_Telefoonnummer", 1, 15, Pat::DigitStar
);
string_type!(
    /// `LDT_Versie`: three dot-separated integers, e.g. `1.0.0`.
    Versie, "LDT_Versie", 1, usize::MAX, Pat::Versie
);
string_type!(
    /// `LDT_Voorletters`.
    Voorletters, "LDT_Voorletters", 1, 6, Pat::Voorletters
);
string_type!(
    /// `LDT_Voorvoegsel`.
    Voorvoegsel, "LDT_Voorvoegsel", 1, 10, Pat::NonBlank
);

impl BurgerServicenummer {
    /// Converts to the domain BSN, which also checks the 11-proef (CS002).
    pub fn to_domain(&self) -> Result<regie_domain::Bsn, regie_domain::IdError> {
        self.0.parse()
    }
}
impl From<regie_domain::Bsn> for BurgerServicenummer {
    fn from(b: regie_domain::Bsn) -> Self {
        BurgerServicenummer(b.to_string().into())
    }
}
impl From<regie_domain::Gemeentecode> for Gemeente {
    fn from(g: regie_domain::Gemeentecode) -> Self {
        Gemeente(g.to_string().into())
    }
}
impl From<regie_domain::AgbCode> for AgbCode {
    fn from(a: regie_domain::AgbCode) -> Self {
        AgbCode(a.to_string().into())
    }
}
impl From<regie_domain::ProductCode> for ProductCode {
    fn from(p: regie_domain::ProductCode) -> Self {
        ProductCode(p.to_string().into())
    }
}

/// Parses an `xs:integer` lexical form (after whitespace collapse) into `u64`
/// if it is within `[min, max]`.
fn parse_integer(text: &str, min: u64, max: u64, xsd: &'static str) -> Result<u64, FacetError> {
    let t = collapse(text);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FacetError::new(xsd, text, "not an xs:integer"));
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        // "-0" and "000" are the value zero.
        return if min == 0 {
            Ok(0)
        } else {
            Err(FacetError::new(xsd, text, "below minInclusive"))
        };
    }
    if neg {
        return Err(FacetError::new(xsd, text, "below minInclusive"));
    }
    if significant.len() > 19 {
        return Err(FacetError::new(xsd, text, "above maxInclusive"));
    }
    let v: u64 = significant
        .parse()
        .map_err(|_| FacetError::new(xsd, text, "not an xs:integer"))?;
    if v < min {
        return Err(FacetError::new(xsd, text, "below minInclusive"));
    }
    if v > max {
        return Err(FacetError::new(xsd, text, "above maxInclusive"));
    }
    Ok(v)
}

macro_rules! int_type {
    ($(#[$m:meta])* $name:ident, $xsd:literal, $t:ty, $max:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name($t);

        impl $name {
            /// Largest value the XSD allows (`maxInclusive`).
            pub const MAX: $t = $max;
            /// Checks the range facet and wraps the value.
            pub fn new(v: $t) -> Result<Self, FacetError> {
                if v > $max {
                    return Err(FacetError::new($xsd, &v.to_string(), "above maxInclusive"));
                }
                Ok($name(v))
            }
            /// The numeric value.
            pub fn get(self) -> $t {
                self.0
            }
        }

        impl SimpleType for $name {
            const XSD: &'static str = $xsd;
            fn parse_text(text: &str) -> Result<Self, FacetError> {
                let v = parse_integer(text, 0, $max as u64, $xsd)?;
                Ok($name(v as $t))
            }
            fn write_text(&self, out: &mut String) {
                use std::fmt::Write;
                let _ = write!(out, "{}", self.0);
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

int_type!(
    /// `LDT_Bedrag`: amount in eurocents, 0..=99 999 999.
    Bedrag, "LDT_Bedrag", u32, 99_999_999
);
int_type!(
    /// `LDT_Budget`: budget in eurocents, 0..=99 999 999.
    Budget, "LDT_Budget", u32, 99_999_999
);
int_type!(
    /// `LDT_Volume`: 0..=99 999 999 units.
    Volume, "LDT_Volume", u32, 99_999_999
);
int_type!(
    /// `LDT_TotaalBedrag`: total in eurocents, 0..=999 999 999 999.
    TotaalBedrag, "LDT_TotaalBedrag", u64, 999_999_999_999
);
int_type!(
    /// `LDT_Nummer`: ToewijzingNummer / BeschikkingNummer, 0..=999 999 999.
    Nummer, "LDT_Nummer", u32, 999_999_999
);
int_type!(
    /// `LDT_Huisnummer`: 0..=99 999.
    Huisnummer, "LDT_Huisnummer", u32, 99_999
);
int_type!(
    /// `LDT_RelatieVolgorde`: 0..=99.
    RelatieVolgorde, "LDT_RelatieVolgorde", u8, 99
);

/// `LDT_Datum` is `xs:date` without time zone (pattern `[^:Z]*`).
impl SimpleType for NaiveDate {
    const XSD: &'static str = "LDT_Datum";
    fn parse_text(text: &str) -> Result<Self, FacetError> {
        parse_date(collapse(text)).map_err(|why| FacetError::new("LDT_Datum", text, why))
    }
    fn write_text(&self, out: &mut String) {
        use std::fmt::Write;
        let y = self.year();
        if y < 0 {
            let _ = write!(out, "-{:04}-{:02}-{:02}", -y, self.month(), self.day());
        } else {
            let _ = write!(out, "{:04}-{:02}-{:02}", y, self.month(), self.day());
        }
    }
}

/// Known deviation from xs:date: years beyond ±262 143 (chrono's range) are
/// lexically valid in XSD but refused here; no Wmo date comes near them.
const BEYOND_RANGE: &str = "xs:date with a year outside the supported range (±262143)";

fn parse_date(t: &str) -> Result<NaiveDate, &'static str> {
    const NOT_A_DATE: &str = "not an xs:date without time zone";
    let (neg, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let b = rest.as_bytes();
    // Year: at least 4 digits, no leading zero when longer than 4; then -MM-DD exactly.
    let ylen = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if ylen < 4 || (ylen > 4 && b[0] == b'0') || b.len() != ylen + 6 {
        return Err(NOT_A_DATE);
    }
    if b[ylen] != b'-' || b[ylen + 3] != b'-' {
        return Err(NOT_A_DATE);
    }
    let two = |i: usize| -> Option<u32> {
        let (a, c) = (b[i], b[i + 1]);
        (a.is_ascii_digit() && c.is_ascii_digit())
            .then(|| u32::from(a - b'0') * 10 + u32::from(c - b'0'))
    };
    let (Some(month), Some(day)) = (two(ylen + 1), two(ylen + 4)) else {
        return Err(NOT_A_DATE);
    };
    let Ok(year) = rest[..ylen].parse::<i32>() else {
        return Err(BEYOND_RANGE);
    };
    if year == 0 {
        // XSD 1.0 has no year zero.
        return Err(NOT_A_DATE);
    }
    let year = if neg { -year } else { year };
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => Ok(d),
        // Day/month checks do not depend on the year's size; a valid day in a
        // year chrono cannot hold is the known deviation.
        None if !(-262_143..=262_143).contains(&year) && {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            NaiveDate::from_ymd_opt(if leap { 2000 } else { 2001 }, month, day).is_some()
        } =>
        {
            Err(BEYOND_RANGE)
        }
        None => Err(NOT_A_DATE),
    }
}

/// `LDT_Tijd` is `xs:time` without time zone (pattern `[^Z+-]+`).
impl SimpleType for NaiveTime {
    const XSD: &'static str = "LDT_Tijd";
    fn parse_text(text: &str) -> Result<Self, FacetError> {
        parse_time(collapse(text))
            .ok_or_else(|| FacetError::new("LDT_Tijd", text, "not an xs:time without time zone"))
    }
    fn write_text(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}",
            self.hour(),
            self.minute(),
            self.second()
        );
        let n = self.nanosecond();
        if n > 0 {
            let frac = format!("{n:09}");
            let _ = write!(out, ".{}", frac.trim_end_matches('0'));
        }
    }
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let b = t.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<u32> {
        let (a, c) = (b[i], b[i + 1]);
        (a.is_ascii_digit() && c.is_ascii_digit())
            .then(|| u32::from(a - b'0') * 10 + u32::from(c - b'0'))
    };
    let (h, m, s) = (two(0)?, two(3)?, two(6)?);
    let mut nanos = 0u32;
    if b.len() > 8 {
        if b[8] != b'.' || b.len() == 9 || !b[9..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        // Keep nanosecond precision; further digits cannot be represented.
        for (i, d) in b[9..].iter().take(9).enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
        }
    }
    if h == 24 {
        // 24:00:00 is the same value as 00:00:00 in XSD 1.0.
        return (m == 0 && s == 0 && nanos == 0).then_some(NaiveTime::MIN);
    }
    NaiveTime::from_hms_nano_opt(h, m, s, nanos).filter(|_| s < 60)
}

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $xsd:literal { $($(#[$vm:meta])* $var:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* #[doc = concat!("Code `", $code, "`.")] $var),+
        }

        impl $name {
            /// Every value of the code list, in schema order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The code as it appears in XML.
            pub fn code(self) -> &'static str {
                match self { $($name::$var => $code),+ }
            }
            /// Looks a code up; `None` if the enumeration does not contain it.
            pub fn from_code(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$var),)+ _ => None }
            }
        }

        impl SimpleType for $name {
            const XSD: &'static str = $xsd;
            fn parse_text(text: &str) -> Result<Self, FacetError> {
                $name::from_code(text).ok_or_else(|| FacetError::new($xsd, text, "not in enumeration"))
            }
            fn write_text(&self, out: &mut String) {
                out.push_str(self.code());
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum!(
    /// `LDT_AanduidingWoonadres`.
    AanduidingWoonadres, "LDT_AanduidingWoonadres" { AanBoord = "AB", Bij = "BY", Tegenover = "TO", Woonwagen = "WW" }
);
code_enum!(
    /// `LDT_AdresSoort`.
    AdresSoort, "LDT_AdresSoort" { BrpAdres = "01", Correspondentieadres = "02", Verblijfadres = "03", TijdelijkVerblijfadres = "04" }
);
code_enum!(
    /// `LDT_Communicatievorm`.
    Communicatievorm, "LDT_Communicatievorm" { TolkTaal = "1", Doventolk = "2", Doofblindentolk = "3" }
);
code_enum!(
    /// `LDT_DatumGebruik`: which part of a birth date is reliable.
    DatumGebruik, "LDT_DatumGebruik" { DagOnbekend = "1", DagEnMaandOnbekend = "2", Onbekend = "3" }
);
code_enum!(
    /// `LDT_DebetCredit`.
    DebetCredit, "LDT_DebetCredit" { Credit = "C", Debet = "D" }
);
code_enum!(
    /// `LDT_Eenheid` (WJ756).
    Eenheid, "LDT_Eenheid" { Minuut = "01", Uur = "04", Etmaal = "14", Dagdeel = "16", StuksOutput = "82", Euros = "83", StuksInspanning = "84" }
);
code_enum!(
    /// `LDT_Frequentie` (WMO757).
    Frequentie, "LDT_Frequentie" { PerDag = "1", PerWeek = "2", PerMaand = "4", TotaalBinnenGeldigheidsduur = "6" }
);
code_enum!(
    /// `LDT_Geslacht`.
    Geslacht, "LDT_Geslacht" { Onbekend = "0", Mannelijk = "1", Vrouwelijk = "2" }
);
code_enum!(
    /// `LDT_JaNee`.
    JaNee, "LDT_JaNee" { Ja = "1", Nee = "2" }
);
code_enum!(
    /// `LDT_JuridischeStatus`.
    JuridischeStatus, "LDT_JuridischeStatus" {
        RechterlijkeMachtiging = "01", RmOpEigenVerzoek = "02", RmMetVoorwaardelijkOntslag = "03",
        OnderToezichtstelling = "04", InBewaringstelling = "05", Tbs = "11", StrafrechtelijkOverig = "12"
    }
);
code_enum!(
    /// `LDT_NaamGebruik`.
    NaamGebruik, "LDT_NaamGebruik" {
        EigenNaam = "1", NaamPartner = "2", NaamPartnerEigenNaam = "3", EigenNaamNaamPartner = "4",
        Pseudoniem = "5", NietNatuurlijkPersoon = "6"
    }
);
code_enum!(
    /// `LDT_RedenAfwijzingVerzoek`.
    RedenAfwijzingVerzoek, "LDT_RedenAfwijzingVerzoek" {
        NieuweAanvraag = "1", PastNietBinnenBudget = "2", GeenContract = "3", PastNietBinnenContract = "4",
        AndereGemeente = "5", Stapeling = "6", ZorginhoudelijkeAfkeur = "7", Woonplaatsbeginsel = "8",
        LeeftijdsgrensBereikt = "9"
    }
);
code_enum!(
    /// `LDT_RedenBeeindiging` (WMO588).
    RedenBeeindiging, "LDT_RedenBeeindiging" {
        Overlijden = "02", VolgensPlan = "19", TijdelijkBeeindigd = "20", DoorClient = "21", DoorAanbieder = "22",
        InOvereenstemmingVoortijdig = "23", Verhuizing = "31", DoorGemeente = "36", Wijzigingsverzoek = "37",
        OverstapAanbieder = "38", UitstroomAnderDomein = "39"
    }
);
code_enum!(
    /// `LDT_RedenVerzoek`.
    RedenVerzoek, "LDT_RedenVerzoek" { VeranderingClientsituatie = "1", WijzigingZorgplan = "2" }
);
code_enum!(
    /// `LDT_RedenWijziging` (WMO002).
    RedenWijziging, "LDT_RedenWijziging" {
        AdministratieveCorrectieVervallen = "01", ClientOverleden = "02", Contractwijziging = "03",
        Verlenging = "04", Verkorting = "05", UitstroomAnderDomein = "06", Verhuizing = "07",
        WijzigingLeveringsvorm = "08", OverstapAanbieder = "09", NieuweBekostiging = "10",
        GemeentelijkeHerindeling = "11", DoorAanbieder = "12", Verwijderd = "13", AdministratieveCorrectie = "14"
    }
);
code_enum!(
    /// `LDT_SoortRelatie`.
    SoortRelatie, "LDT_SoortRelatie" {
        Curator = "03", FinancieelGemachtigd = "04", FinancieelToetsing = "05", Leefeenheid = "06",
        Hulpverlener = "07", Specialist = "08", Anders = "09", Ouder = "10", Voogd = "11", Partner = "12",
        Pleegouder = "13", Bewindvoerder = "14", Mentor = "15", ZoonDochter = "16", Familielid = "17",
        Gezinslid = "18", Buur = "19", VriendKennis = "20", Clientondersteuner = "21", Huisarts = "22",
        ErvenVan = "23", Werkgever = "24", Wijkcoach = "25"
    }
);
code_enum!(
    /// `LDT_StatusAanlevering`.
    StatusAanlevering, "LDT_StatusAanlevering" { Eerste = "1", Gewijzigd = "2", Verwijderen = "3", NietVanToepassing = "9" }
);
code_enum!(
    /// `LDT_TypeVerwijzer`.
    TypeVerwijzer, "LDT_TypeVerwijzer" {
        Gemeente = "01", Huisarts = "02", Jeugdarts = "03", GecertificeerdeInstelling = "04",
        MedischSpecialist = "05", Zelfverwijzer = "06", Justitie = "08"
    }
);
code_enum!(
    /// `LDT_VerzoekAntwoord`.
    VerzoekAntwoord, "LDT_VerzoekAntwoord" { Afgewezen = "1", InOnderzoek = "2" }
);
code_enum!(
    /// `LDT_WettelijkeVertegenwoordiging`.
    WettelijkeVertegenwoordiging, "LDT_WettelijkeVertegenwoordiging" {
        Voogdij = "06", Bewindvoering = "07", Mentorschap = "08", Curatele = "09", Zaakwaarneming = "10"
    }
);
code_enum!(
    /// `LDT_ProductCategorie` (WMO020).
    ProductCategorie, "LDT_ProductCategorie" {
        HulpBijHetHuishouden = "01", Begeleiding = "02", PersoonlijkeVerzorging = "03", KortdurendVerblijf = "04",
        Woondiensten = "05", OverigeIndividueel = "06", Dagbesteding = "07", Vervoerdiensten = "08",
        OverigeGroepsgericht = "09", OverigeMaatwerk = "10", Rolstoelen = "11", Vervoervoorzieningen = "12",
        Woonvoorzieningen = "13", OverigeHulpmiddelen = "14", BeschermdWonen = "15", Opvang = "16",
        Spoedopvang = "17", OverigeBeschermdWonenOpvang = "18"
    }
);

impl ProductCategorie {
    /// Hulpmiddelen (11–14) may overlap in time (exception in OP259/TR302).
    pub fn is_hulpmiddel(self) -> bool {
        matches!(
            self,
            ProductCategorie::Rolstoelen
                | ProductCategorie::Vervoervoorzieningen
                | ProductCategorie::Woonvoorzieningen
                | ProductCategorie::OverigeHulpmiddelen
        )
    }
    /// The domain's productcategorie with the same code.
    pub fn to_domain(self) -> regie_domain::ProductCategorie {
        self.code()
            .parse()
            .expect("01..18 are valid domain categories")
    }
}

impl TryFrom<regie_domain::ProductCategorie> for ProductCategorie {
    type Error = FacetError;
    fn try_from(c: regie_domain::ProductCategorie) -> Result<Self, FacetError> {
        ProductCategorie::parse_text(c.as_str())
    }
}

/// `LDT_LandCode`: ISO 3166-1 alpha-2 code from the enumeration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LandCode([u8; 2]);

impl LandCode {
    /// The Netherlands (`NL`), which triggers the Dutch address conditions.
    pub const NL: LandCode = LandCode(*b"NL");
    /// Looks the code up in the enumeration.
    pub fn from_code(s: &str) -> Option<Self> {
        LANDCODES.binary_search(&s).ok().map(|i| {
            let b = LANDCODES[i].as_bytes();
            LandCode([b[0], b[1]])
        })
    }
    /// The code as text.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ascii")
    }
}

impl SimpleType for LandCode {
    const XSD: &'static str = "LDT_LandCode";
    fn parse_text(text: &str) -> Result<Self, FacetError> {
        LandCode::from_code(text)
            .ok_or_else(|| FacetError::new("LDT_LandCode", text, "not in enumeration"))
    }
    fn write_text(&self, out: &mut String) {
        out.push_str(self.code());
    }
}

/// `LDT_RetourCode`: one of the 59 official return codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RetourCode(u8);

impl RetourCode {
    /// Looks a code up in the enumeration.
    pub fn from_code(s: &str) -> Option<Self> {
        RETOURCODES
            .iter()
            .position(|(c, _)| *c == s)
            .map(|i| RetourCode(i as u8))
    }
    /// Like [`RetourCode::from_code`] for codes known at compile time.
    ///
    /// # Panics
    /// If the code is not in the enumeration (a programming error).
    pub const fn known(s: &str) -> Self {
        let mut i = 0;
        while i < RETOURCODES.len() {
            let c = RETOURCODES[i].0.as_bytes();
            let q = s.as_bytes();
            if c.len() == q.len() && c[0] == q[0] && c[1] == q[1] && c[2] == q[2] && c[3] == q[3] {
                return RetourCode(i as u8);
            }
            i += 1;
        }
        panic!("unknown retourcode")
    }
    /// The four-character code.
    pub fn code(self) -> &'static str {
        RETOURCODES[self.0 as usize].0
    }
    /// The official wording from `LDT_RetourCode`.
    pub fn omschrijving(self) -> &'static str {
        RETOURCODES[self.0 as usize].1
    }
    /// Every code in the enumeration.
    pub fn all() -> impl Iterator<Item = RetourCode> {
        (0..RETOURCODES.len()).map(|i| RetourCode(i as u8))
    }
    /// `0001` Bericht is afgekeurd om technische redenen.
    pub const TECHNISCH: RetourCode = RetourCode::known("0001");
    /// `0200` Geen opmerking over deze berichtklasse.
    pub const GOED: RetourCode = RetourCode::known("0200");
    /// `0233` Berichtklasse is niet beoordeeld.
    pub const NIET_BEOORDEELD: RetourCode = RetourCode::known("0233");
    /// `8001` Declaratie is volledig toegewezen.
    pub const VOLLEDIG_TOEGEWEZEN: RetourCode = RetourCode::known("8001");
}

impl SimpleType for RetourCode {
    const XSD: &'static str = "LDT_RetourCode";
    fn parse_text(text: &str) -> Result<Self, FacetError> {
        RetourCode::from_code(text)
            .ok_or_else(|| FacetError::new("LDT_RetourCode", text, "not in enumeration"))
    }
    fn write_text(&self, out: &mut String) {
        out.push_str(self.code());
    }
}

impl fmt::Display for RetourCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for RetourCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_xsd_regex_semantics() {
        assert!(Pat::NonBlank.matches(" a "));
        assert!(!Pat::NonBlank.matches("   "));
        assert!(
            !Pat::NonBlank.matches("a\nb"),
            "XSD '.' excludes line breaks"
        );
        assert!(Pat::Commentaar.matches("a\nb"));
        assert!(!Pat::Commentaar.matches(" \n\t"));
        assert!(Pat::Voorletters.matches("JÉ"));
        assert!(!Pat::Voorletters.matches("J."));
        assert!(Pat::Versie.matches("1.0.0"));
        assert!(Pat::Versie.matches("10.20.3"));
        assert!(!Pat::Versie.matches("01.0.0"));
        assert!(!Pat::Versie.matches("1.0"));
        assert!(!Pat::Versie.matches("1.0.0.0"));
    }

    #[test]
    fn lengths_count_characters() {
        assert!(Naam::new("é".repeat(200)).is_ok());
        assert!(Naam::new("é".repeat(201)).is_err());
        assert!(Huisletter::new("ë").is_ok());
        assert!(Voorletters::new("ABCDEFG").is_err());
    }

    #[test]
    fn integers_follow_xs_integer() {
        assert_eq!(Volume::parse_text(" +0042 ").unwrap().get(), 42);
        assert_eq!(Volume::parse_text("-0").unwrap().get(), 0);
        assert!(Volume::parse_text("-1").is_err());
        assert!(Volume::parse_text("100000000").is_err());
        assert!(Volume::parse_text("1.0").is_err());
        assert!(Volume::parse_text("").is_err());
        assert!(TotaalBedrag::parse_text("999999999999").is_ok());
        assert!(TotaalBedrag::parse_text("99999999999999999999999999").is_err());
    }

    #[test]
    fn dates_and_times() {
        let d = NaiveDate::parse_text("2023-04-02").unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2023, 4, 2).unwrap());
        assert!(NaiveDate::parse_text("2023-02-30").is_err());
        assert!(NaiveDate::parse_text("2023-04-02Z").is_err());
        assert!(NaiveDate::parse_text("2023-04-02+01:00").is_err());
        assert!(NaiveDate::parse_text("0000-01-01").is_err());
        assert!(NaiveDate::parse_text("02023-01-01").is_err());
        let mut s = String::new();
        d.write_text(&mut s);
        assert_eq!(s, "2023-04-02");
        let t = NaiveTime::parse_text("12:34:56.50").unwrap();
        let mut s = String::new();
        t.write_text(&mut s);
        assert_eq!(s, "12:34:56.5");
        assert!(NaiveTime::parse_text("12:34:56Z").is_err());
        assert!(NaiveTime::parse_text("25:00:00").is_err());
        assert_eq!(NaiveTime::parse_text("24:00:00").unwrap(), NaiveTime::MIN);
    }

    #[test]
    fn code_lists() {
        assert_eq!(RetourCode::all().count(), 59);
        assert_eq!(RetourCode::GOED.code(), "0200");
        assert_eq!(
            RetourCode::known("9056").omschrijving(),
            "Identificatie moet per berichtsoort uniek zijn voor de verzendende partij."
        );
        assert!(RetourCode::from_code("9999").is_none());
        assert!(LandCode::from_code("NL").is_some());
        assert!(LandCode::from_code("XX").is_none());
        assert_eq!(Eenheid::ALL.len(), 7);
        assert_eq!(ProductCategorie::ALL.len(), 18);
        assert!(
            BurgerServicenummer::new("123456789").is_ok(),
            "11-proef is not an XSD facet"
        );
        assert!(BurgerServicenummer::new("12345678").is_err());
        assert!(Gemeente::new("0000").is_ok());
    }
}
