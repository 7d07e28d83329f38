//! A string that keeps short values inline.
//!
//! Nearly every iWmo text value (codes, identifiers, BSNs, dates as text,
//! names) is at most 22 bytes. Keeping those inline instead of in a `String`
//! saves one allocation and one free per value; a typical message has 30–40
//! such values, and allocation was a tenth of validation time.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

const CAP: usize = 22;

/// Immutable text, inline up to 22 bytes, boxed beyond.
///
/// A struct around a private enum so that no code outside this module can
/// build an `Inline` value from arbitrary bytes: `as_str` relies on that.
#[derive(Clone)]
pub(crate) struct InlineStr(Repr);

#[derive(Clone)]
enum Repr {
    /// Short value: `len` bytes of `buf` are the UTF-8 text.
    Inline { len: u8, buf: [u8; CAP] },
    /// Longer value.
    Heap(Box<str>),
}

impl InlineStr {
    /// The value as text.
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, buf } => {
                let bytes = &buf[..usize::from(*len)];
                debug_assert!(std::str::from_utf8(bytes).is_ok());
                // SAFETY: `Repr` is private and only `From<&str>` fills
                // them, copying all of a `&str` (valid UTF-8, whole
                // characters) and its length; nothing mutates them after.
                // (The checked `from_utf8` ran on every access to a value,
                // about 2% of validation time.)
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Heap(s) => s,
        }
    }
}

impl From<&str> for InlineStr {
    #[inline]
    fn from(s: &str) -> Self {
        if s.len() <= CAP {
            let mut buf = [0u8; CAP];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            InlineStr(Repr::Inline {
                len: s.len() as u8,
                buf,
            })
        } else {
            InlineStr(Repr::Heap(s.into()))
        }
    }
}

impl From<String> for InlineStr {
    fn from(s: String) -> Self {
        if s.len() <= CAP {
            InlineStr::from(s.as_str())
        } else {
            InlineStr(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl Deref for InlineStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for InlineStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for InlineStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for InlineStr {}

impl PartialOrd for InlineStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for InlineStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for InlineStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Same as str, so `Borrow<str>` lookups agree.
        self.as_str().hash(state)
    }
}

impl fmt::Debug for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn behaves_like_string(a in ".{0,40}", b in ".{0,40}") {
            let (x, y) = (InlineStr::from(a.as_str()), InlineStr::from(b.clone()));
            prop_assert_eq!(x.as_str(), a.as_str());
            prop_assert_eq!(y.as_str(), b.as_str());
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            let h = |v: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
                let mut s = std::collections::hash_map::DefaultHasher::new();
                v(&mut s);
                s.finish()
            };
            prop_assert_eq!(h(&|s| x.hash(s)), h(&|s| a.as_str().hash(s)));
        }
    }

    #[test]
    fn short_values_stay_inline() {
        assert!(matches!(
            InlineStr::from("12345678901234567890ab").0,
            Repr::Inline { .. }
        ));
        assert!(matches!(
            InlineStr::from("12345678901234567890abc").0,
            Repr::Heap(_)
        ));
        assert_eq!(
            std::mem::size_of::<InlineStr>(),
            std::mem::size_of::<String>()
        );
    }
}
