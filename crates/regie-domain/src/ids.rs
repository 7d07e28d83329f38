//! Validated identifiers of the Dutch care chain. Each type can only be
//! constructed from a value that passes its official check, so code that holds
//! one never has to re-validate it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// Why an identifier was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// Wrong number of characters or a non-digit.
    #[error("{kind} must be {expected} digits, got {got:?}")]
    Format {
        /// Which identifier.
        kind: &'static str,
        /// Human description of the expected shape.
        expected: &'static str,
        /// The rejected input.
        got: String,
    },
    /// The BSN failed the 11-proef.
    #[error("BSN {0:?} fails the 11-proef")]
    ElfProef(String),
    /// All-zero values are reserved.
    #[error("{kind} {got:?} is not a valid value")]
    Reserved {
        /// Which identifier.
        kind: &'static str,
        /// The rejected input.
        got: String,
    },
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// Burgerservicenummer: 9 digits that pass the 11-proef
/// (9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 mod 11), as iWmo constraint CS002 requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bsn(u32);

impl Bsn {
    /// Checks the 11-proef on nine digits.
    pub fn elfproef(digits: &[u8; 9]) -> bool {
        let mut sum: i32 = 0;
        for (i, d) in digits.iter().enumerate().take(8) {
            sum += (9 - i as i32) * i32::from(*d);
        }
        sum -= i32::from(digits[8]);
        sum % 11 == 0
    }

    /// Builds a BSN from its numeric value (leading zeros implied).
    pub fn from_u32(n: u32) -> Result<Self, IdError> {
        Self::from_str(&format!("{n:09}"))
    }

    /// The numeric value; `format!("{:09}")` gives the 9-digit form.
    pub fn value(self) -> u32 {
        self.0
    }

    /// Makes a valid BSN from the first eight digits by choosing the check digit.
    /// Returns `None` when no check digit 0–9 works (about 1 in 11 prefixes).
    pub fn complete(prefix: u32) -> Option<Self> {
        if prefix >= 100_000_000 {
            return None;
        }
        let s = format!("{prefix:08}");
        let mut sum: i32 = 0;
        for (i, b) in s.bytes().enumerate() {
            sum += (9 - i as i32) * i32::from(b - b'0');
        }
        let check = sum % 11;
        if check > 9 {
            return None;
        }
        let n = prefix * 10 + check as u32;
        if n == 0 {
            return None;
        }
        Some(Bsn(n))
    }
}

impl FromStr for Bsn {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !all_digits(s, 9) {
            return Err(IdError::Format {
                kind: "BSN",
                expected: "9",
                got: s.to_string(),
            });
        }
        let mut d = [0u8; 9];
        for (i, b) in s.bytes().enumerate() {
            d[i] = b - b'0';
        }
        if d.iter().all(|x| *x == 0) {
            return Err(IdError::Reserved {
                kind: "BSN",
                got: s.to_string(),
            });
        }
        if !Self::elfproef(&d) {
            return Err(IdError::ElfProef(s.to_string()));
        }
        Ok(Bsn(s.parse().expect("nine digits fit u32")))
    }
}

impl fmt::Display for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:09}", self.0)
    }
}

/// Defines a fixed-length all-digit code stored as its string form.
macro_rules! digit_code {
    ($(#[$m:meta])* $name:ident, $kind:literal, $len:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name([u8; $len]);

        impl $name {
            /// The code as a string slice (always ASCII digits).
            pub fn as_str(&self) -> &str {
                std::str::from_utf8(&self.0).expect("ascii digits")
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                if !all_digits(s, $len) {
                    return Err(IdError::Format { kind: $kind, expected: stringify!($len), got: s.to_string() });
                }
                if s.bytes().all(|b| b == b'0') {
                    return Err(IdError::Reserved { kind: $kind, got: s.to_string() });
                }
                let mut a = [0u8; $len];
                a.copy_from_slice(s.as_bytes());
                Ok($name(a))
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> { s.parse() }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String { v.as_str().to_string() }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

digit_code!(
    /// CBS gemeentecode: four digits, e.g. `0307` Amersfoort (iWmo `LDT_Gemeente`).
    Gemeentecode,
    "gemeentecode",
    4
);
digit_code!(
    /// AGB code of a care provider (Vektis): eight digits (iWmo `LDT_AgbCode`).
    AgbCode,
    "AGB code",
    8
);
digit_code!(
    /// KvK number of the Chamber of Commerce: eight digits.
    KvkNummer,
    "KvK number",
    8
);
digit_code!(
    /// iWmo productcategorie (codelijst WMO020): two digits, e.g. `02` Begeleiding.
    ProductCategorie,
    "productcategorie",
    2
);

impl TryFrom<String> for Bsn {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Bsn> for String {
    fn from(b: Bsn) -> String {
        b.to_string()
    }
}

/// iWmo productcode (`LDT_ProductCode`): five alphanumeric characters, e.g. `02N03`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProductCode([u8; 5]);

impl ProductCode {
    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ascii")
    }
}

impl FromStr for ProductCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 5 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IdError::Format {
                kind: "productcode",
                expected: "5 alphanumeric",
                got: s.to_string(),
            });
        }
        let mut a = [0u8; 5];
        a.copy_from_slice(s.as_bytes());
        Ok(ProductCode(a))
    }
}

impl TryFrom<String> for ProductCode {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ProductCode> for String {
    fn from(v: ProductCode) -> String {
        v.as_str().to_string()
    }
}

impl fmt::Display for ProductCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_bsn() {
        // 111222333: 9+8+7+2*6+2*5+2*4+3*3+3*2-3 = 66, divisible by 11.
        assert!("111222333".parse::<Bsn>().is_ok());
        assert!("123456782".parse::<Bsn>().is_ok());
    }

    #[test]
    fn rejects_bad_bsn() {
        assert_eq!(
            "123456789".parse::<Bsn>(),
            Err(IdError::ElfProef("123456789".into()))
        );
        assert!(matches!(
            "12345678".parse::<Bsn>(),
            Err(IdError::Format { .. })
        ));
        assert!(matches!(
            "12345678a".parse::<Bsn>(),
            Err(IdError::Format { .. })
        ));
        assert!(matches!(
            "000000000".parse::<Bsn>(),
            Err(IdError::Reserved { .. })
        ));
    }

    #[test]
    fn gemeentecode_keeps_leading_zero() {
        let g: Gemeentecode = "0307".parse().unwrap();
        assert_eq!(g.to_string(), "0307");
        assert!("307".parse::<Gemeentecode>().is_err());
        assert!("0000".parse::<Gemeentecode>().is_err());
    }

    #[test]
    fn agb_and_productcode() {
        assert!("12345678".parse::<AgbCode>().is_ok());
        assert!("1234567".parse::<AgbCode>().is_err());
        assert_eq!("02N03".parse::<ProductCode>().unwrap().as_str(), "02N03");
        assert!("02N0".parse::<ProductCode>().is_err());
        assert!("02-03".parse::<ProductCode>().is_err());
    }

    #[test]
    fn serde_roundtrip_rejects_invalid() {
        #[derive(Deserialize)]
        struct W {
            b: Bsn,
        }
        let ok: Result<W, _> = serde_json_like("111222333");
        assert_eq!(ok.unwrap().b.to_string(), "111222333");
        let bad: Result<W, _> = serde_json_like("111222334");
        assert!(bad.is_err());
        fn serde_json_like<T: for<'de> Deserialize<'de>>(v: &str) -> Result<T, String> {
            use serde::de::value::{Error, MapDeserializer};
            let m = vec![("b", v.to_string())];
            T::deserialize(MapDeserializer::<_, Error>::new(m.into_iter()))
                .map_err(|e| e.to_string())
        }
    }

    proptest! {
        #[test]
        fn completed_bsn_always_passes(prefix in 0u32..100_000_000) {
            if let Some(b) = Bsn::complete(prefix) {
                let s = b.to_string();
                prop_assert_eq!(s.len(), 9);
                prop_assert_eq!(s.parse::<Bsn>().unwrap(), b);
            }
        }

        #[test]
        fn single_digit_change_is_detected(prefix in 1u32..100_000_000, pos in 0usize..9, delta in 1u8..10) {
            if let Some(b) = Bsn::complete(prefix) {
                let mut bytes = b.to_string().into_bytes();
                bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
                let s = String::from_utf8(bytes).unwrap();
                // The 11-proef detects every single-digit error.
                prop_assert!(s.parse::<Bsn>().is_err());
            }
        }
    }
}
