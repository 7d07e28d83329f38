//! Personal data of a client as the BRP holds it: name, sex and residential
//! address. A WMO301 toewijzing must name and address the client (its Client
//! carries Naam, Geslacht and a BRP-adres); this is the data it is built from.
//!
//! Every text field is a validated newtype whose limits are the BRP's (which
//! the iWmo basisschema follows: straatnaam ≤ 24, voorvoegsel ≤ 10, …), so a
//! stored value always fits a message and code holding one never re-checks it.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Why a piece of personal data was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PersoonError {
    /// Empty, only spaces, a line break, or longer than allowed.
    #[error("{veld} must be 1–{max} characters on one line, got {got:?}")]
    Tekst {
        /// Which field.
        veld: &'static str,
        /// Maximum length in characters.
        max: usize,
        /// The rejected input.
        got: String,
    },
    /// Voorletters: letters only (no dots or spaces), 1–6.
    #[error("voorletters must be 1–6 letters without dots, got {0:?}")]
    Voorletters(String),
    /// Not a Dutch postcode (four digits, the first not 0, two capitals; not SA, SD or SS).
    #[error("postcode must look like 1234AB, got {0:?}")]
    Postcode(String),
    /// Huisnummer outside 1–99999.
    #[error("huisnummer must be 1–99999, got {0}")]
    Huisnummer(u32),
    /// Huisletter: one letter.
    #[error("huisletter must be one letter, got {0:?}")]
    Huisletter(String),
    /// Unknown code in stored data.
    #[error("unknown {veld} code {got:?}")]
    Code {
        /// Which field.
        veld: &'static str,
        /// The rejected code.
        got: String,
    },
}

fn tekst(veld: &'static str, max: usize, s: &str) -> Result<(), PersoonError> {
    let n = s.chars().count();
    if n == 0 || n > max || s.contains(['\n', '\r']) || s.trim().is_empty() {
        return Err(PersoonError::Tekst {
            veld,
            max,
            got: s.to_string(),
        });
    }
    Ok(())
}

macro_rules! tekst_type {
    ($(#[$m:meta])* $name:ident, $veld:literal, $max:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps a value.
            pub fn new(s: impl Into<String>) -> Result<Self, PersoonError> {
                let s = s.into();
                tekst($veld, $max, &s)?;
                Ok($name(s))
            }
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = PersoonError;
            fn try_from(s: String) -> Result<Self, PersoonError> {
                $name::new(s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

tekst_type!(
    /// Achternaam (geslachtsnaam without voorvoegsel), at most 200 characters.
    Achternaam, "achternaam", 200
);
tekst_type!(
    /// Voorvoegsel of a geslachtsnaam (`van`, `de`, `van der`), at most 10 characters.
    Voorvoegsel, "voorvoegsel", 10
);
tekst_type!(
    /// Straatnaam as the BRP abbreviates it (NEN 5825), at most 24 characters.
    Straatnaam, "straatnaam", 24
);
tekst_type!(
    /// Woonplaatsnaam, at most 80 characters.
    Plaatsnaam, "plaatsnaam", 80
);
tekst_type!(
    /// Huisnummertoevoeging (`bis`, `2`, `II`), at most 4 characters.
    HuisnummerToevoeging, "huisnummertoevoeging", 4
);

/// Voorletters: 1–6 letters, no dots (the iWmo form; `J.P.` is `JP`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Voorletters(String);

impl Voorletters {
    /// Checks and wraps voorletters.
    pub fn new(s: impl Into<String>) -> Result<Self, PersoonError> {
        let s = s.into();
        let n = s.chars().count();
        // The iWmo pattern: ASCII letters or the Latin letters À–ỳ.
        let letter = |c: char| c.is_ascii_alphabetic() || ('\u{C0}'..='\u{1EF3}').contains(&c);
        if n == 0 || n > 6 || !s.chars().all(letter) {
            return Err(PersoonError::Voorletters(s));
        }
        Ok(Voorletters(s))
    }
    /// The letters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Voorletters {
    type Error = PersoonError;
    fn try_from(s: String) -> Result<Self, PersoonError> {
        Voorletters::new(s)
    }
}
impl From<Voorletters> for String {
    fn from(v: Voorletters) -> String {
        v.0
    }
}

/// A Dutch postcode, `1234AB`: four digits (not starting with 0) and two
/// capitals; SA, SD and SS are never issued.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    /// Checks a postcode; a space between digits and letters is accepted and dropped.
    pub fn new(s: &str) -> Result<Self, PersoonError> {
        let compact: String = s.chars().filter(|c| *c != ' ').collect();
        let b = compact.as_bytes();
        let ok = b.len() == 6
            && (b'1'..=b'9').contains(&b[0])
            && b[1..4].iter().all(u8::is_ascii_digit)
            && b[4..].iter().all(u8::is_ascii_uppercase)
            && !matches!(&compact[4..], "SA" | "SD" | "SS");
        if !ok {
            return Err(PersoonError::Postcode(s.to_string()));
        }
        Ok(Postcode(compact))
    }
    /// The compact form, `1234AB`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Postcode {
    type Error = PersoonError;
    fn try_from(s: String) -> Result<Self, PersoonError> {
        Postcode::new(&s)
    }
}
impl From<Postcode> for String {
    fn from(v: Postcode) -> String {
        v.0
    }
}
impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Huisnummer, 1–99999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Huisnummer(u32);

impl Huisnummer {
    /// Checks a huisnummer.
    pub fn new(n: u32) -> Result<Self, PersoonError> {
        if (1..=99_999).contains(&n) {
            Ok(Huisnummer(n))
        } else {
            Err(PersoonError::Huisnummer(n))
        }
    }
    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Huisnummer {
    type Error = PersoonError;
    fn try_from(n: u32) -> Result<Self, PersoonError> {
        Huisnummer::new(n)
    }
}
impl From<Huisnummer> for u32 {
    fn from(v: Huisnummer) -> u32 {
        v.0
    }
}

/// Huisletter: one ASCII letter (`12a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Huisletter(char);

impl Huisletter {
    /// Checks a huisletter.
    pub fn new(s: &str) -> Result<Self, PersoonError> {
        let mut it = s.chars();
        match (it.next(), it.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Ok(Huisletter(c)),
            _ => Err(PersoonError::Huisletter(s.to_string())),
        }
    }
    /// The letter.
    pub fn get(self) -> char {
        self.0
    }
}

impl TryFrom<String> for Huisletter {
    type Error = PersoonError;
    fn try_from(s: String) -> Result<Self, PersoonError> {
        Huisletter::new(&s)
    }
}
impl From<Huisletter> for String {
    fn from(v: Huisletter) -> String {
        v.0.to_string()
    }
}

/// A geslachtsnaam: optional voorvoegsel plus achternaam (`van den` + `Berg`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Geslachtsnaam {
    /// Voorvoegsel.
    pub voorvoegsel: Option<Voorvoegsel>,
    /// Achternaam.
    pub achternaam: Achternaam,
}

impl fmt::Display for Geslachtsnaam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.voorvoegsel {
            Some(v) => write!(f, "{v} {}", self.achternaam),
            None => write!(f, "{}", self.achternaam),
        }
    }
}

/// How the client wants to be addressed (BRP aanduiding naamgebruik). The
/// partner forms carry the partner's geslachtsnaam, so the BRP rule "a
/// partner form needs a partner name" (iWmo CS050) holds by construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "vorm", content = "partnernaam", rename_all = "snake_case")]
pub enum Naamgebruik {
    /// E: own name only.
    Eigen,
    /// P: the partner's name only.
    Partner(Geslachtsnaam),
    /// V: partner's name followed by own name.
    PartnerEigen(Geslachtsnaam),
    /// N: own name followed by partner's name.
    EigenPartner(Geslachtsnaam),
}

impl Naamgebruik {
    /// BRP code: E, P, V or N.
    pub fn code(&self) -> &'static str {
        match self {
            Naamgebruik::Eigen => "E",
            Naamgebruik::Partner(_) => "P",
            Naamgebruik::PartnerEigen(_) => "V",
            Naamgebruik::EigenPartner(_) => "N",
        }
    }

    /// Rebuilds from a BRP code and the partner name (required for P, V, N).
    pub fn from_code(
        code: &str,
        partner: Option<Geslachtsnaam>,
    ) -> Result<Naamgebruik, PersoonError> {
        let bad = || PersoonError::Code {
            veld: "naamgebruik",
            got: code.to_string(),
        };
        Ok(match (code, partner) {
            ("E", _) => Naamgebruik::Eigen,
            ("P", Some(p)) => Naamgebruik::Partner(p),
            ("V", Some(p)) => Naamgebruik::PartnerEigen(p),
            ("N", Some(p)) => Naamgebruik::EigenPartner(p),
            _ => return Err(bad()),
        })
    }

    /// The partner's geslachtsnaam, for the partner forms.
    pub fn partnernaam(&self) -> Option<&Geslachtsnaam> {
        match self {
            Naamgebruik::Eigen => None,
            Naamgebruik::Partner(p)
            | Naamgebruik::PartnerEigen(p)
            | Naamgebruik::EigenPartner(p) => Some(p),
        }
    }
}

/// Sex as the BRP registers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Geslacht {
    /// M.
    Man,
    /// V.
    Vrouw,
    /// O: registered as unknown in the BRP (a real value, not a placeholder).
    Onbekend,
}

impl Geslacht {
    /// BRP code: M, V or O.
    pub fn code(self) -> &'static str {
        match self {
            Geslacht::Man => "M",
            Geslacht::Vrouw => "V",
            Geslacht::Onbekend => "O",
        }
    }

    /// From a BRP code.
    pub fn from_code(code: &str) -> Result<Geslacht, PersoonError> {
        match code {
            "M" => Ok(Geslacht::Man),
            "V" => Ok(Geslacht::Vrouw),
            "O" => Ok(Geslacht::Onbekend),
            _ => Err(PersoonError::Code {
                veld: "geslacht",
                got: code.to_string(),
            }),
        }
    }
}

/// A residential address in the Netherlands (BRP woonadres).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Adres {
    /// Straatnaam.
    pub straatnaam: Straatnaam,
    /// Huisnummer.
    pub huisnummer: Huisnummer,
    /// Huisletter.
    pub huisletter: Option<Huisletter>,
    /// Huisnummertoevoeging.
    pub toevoeging: Option<HuisnummerToevoeging>,
    /// Postcode.
    pub postcode: Postcode,
    /// Woonplaats.
    pub plaatsnaam: Plaatsnaam,
}

impl fmt::Display for Adres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.straatnaam, self.huisnummer.get())?;
        if let Some(l) = self.huisletter {
            write!(f, "{}", l.get())?;
        }
        if let Some(t) = &self.toevoeging {
            write!(f, "-{t}")?;
        }
        write!(f, ", {} {}", self.postcode, self.plaatsnaam)
    }
}

/// The personal data of a client a WMO301 needs besides BSN and birth date
/// (both kept with the client itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Persoonsgegevens {
    /// Own geslachtsnaam.
    pub geslachtsnaam: Geslachtsnaam,
    /// Voorletters.
    pub voorletters: Voorletters,
    /// Naamgebruik (with the partner's name where used).
    pub naamgebruik: Naamgebruik,
    /// Geslacht.
    pub geslacht: Geslacht,
    /// Woonadres.
    pub adres: Adres,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes() {
        assert_eq!(Postcode::new("3811 AB").unwrap().as_str(), "3811AB");
        for bad in [
            "0811AB", "381AB", "3811ab", "3811SS", "3811SA", "3811SD", "38111AB",
        ] {
            assert!(Postcode::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_limits_follow_the_brp() {
        assert!(Straatnaam::new("Prins Bernhardstraat").is_ok());
        assert!(Straatnaam::new("Burgemeester van Randwijcklaan").is_err());
        assert!(Voorvoegsel::new("van der").is_ok());
        assert!(Achternaam::new(" ").is_err());
        assert!(Achternaam::new("a\nb").is_err());
        assert!(Voorletters::new("J.P.").is_err());
        assert!(Voorletters::new("JPÉ").is_ok());
        assert!(Huisnummer::new(0).is_err());
        assert!(Huisletter::new("ab").is_err());
    }

    #[test]
    fn partner_forms_need_a_partner_name() {
        let p = Geslachtsnaam {
            voorvoegsel: Some(Voorvoegsel::new("de").unwrap()),
            achternaam: Achternaam::new("Vries").unwrap(),
        };
        assert_eq!(p.to_string(), "de Vries");
        assert!(Naamgebruik::from_code("V", None).is_err());
        let n = Naamgebruik::from_code("V", Some(p.clone())).unwrap();
        assert_eq!(n.code(), "V");
        assert_eq!(n.partnernaam(), Some(&p));
        assert_eq!(Naamgebruik::from_code("E", None).unwrap().code(), "E");
    }

    #[test]
    fn address_reads_as_on_an_envelope() {
        let g = Persoonsgegevens {
            geslachtsnaam: Geslachtsnaam {
                voorvoegsel: None,
                achternaam: Achternaam::new("Jansen").unwrap(),
            },
            voorletters: Voorletters::new("AM").unwrap(),
            naamgebruik: Naamgebruik::Eigen,
            geslacht: Geslacht::Vrouw,
            adres: Adres {
                straatnaam: Straatnaam::new("Dorpsstraat").unwrap(),
                huisnummer: Huisnummer::new(12).unwrap(),
                huisletter: Some(Huisletter::new("a").unwrap()),
                toevoeging: None,
                postcode: Postcode::new("3811AB").unwrap(),
                plaatsnaam: Plaatsnaam::new("Amersfoort").unwrap(),
            },
        };
        assert_eq!(g.adres.to_string(), "Dorpsstraat 12a, 3811AB Amersfoort");
        assert_eq!(g.geslachtsnaam.to_string(), "Jansen");
    }
}
