//! Errors that name the file, line, column and field path.

use crate::spans::{line_col, FieldPath, SpanIndex};
use std::fmt;
use thiserror::Error;

/// What is wrong, without the location.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ErrorKind {
    /// Not valid TOML.
    #[error("{0}")]
    Syntax(String),
    /// A key the format does not know (typo?).
    #[error("{0}")]
    UnknownField(String),
    /// A required key is absent.
    #[error("{0}")]
    MissingField(String),
    /// Wrong type or shape (string where a number is expected, float amount, …).
    #[error("{0}")]
    Shape(String),
    /// Only `format = 1` exists.
    #[error("unsupported format version {0}; this reader knows format 1")]
    Format(u32),
    /// A malformed identifier (gemeentecode, AGB, categorie, productcode, unit, …).
    #[error("{0}")]
    InvalidValue(String),
    /// A date, amount or duration that cannot be used.
    #[error("{0}")]
    InvalidAmountOrDate(String),
    /// Two entries share an id or key.
    #[error("duplicate {what} {id:?}")]
    Duplicate {
        /// Kind of entry.
        what: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A reference to something that is not defined in the file.
    #[error("unknown {what} {id:?}")]
    UnknownReference {
        /// Kind of entry referred to.
        what: &'static str,
        /// The id used.
        id: String,
    },
    /// A municipality that must be a member is not.
    #[error("municipality {0} is not a member of the region")]
    NotMember(String),
    /// The region itself is invalid (empty, centrumgemeente not a member).
    #[error("{0}")]
    Region(String),
    /// A tariff table is invalid (overlap, negative).
    #[error("{0}")]
    Tariff(String),
    /// A product has neither tariffs nor `tariff_unknown`.
    #[error("product has no tariffs: give [[tariffs]] or tariff_unknown = \"reason\"")]
    MissingTariff,
    /// A contract is inconsistent (term, options, lumpsum, party).
    #[error("{0}")]
    Contract(String),
    /// The lot's procurement form forbids this many contracts.
    #[error("{0}")]
    Procurement(String),
    /// Population counts contradict each other.
    #[error("{0}")]
    Population(String),
    /// A budget table's columns do not add up.
    #[error("{0}")]
    Budget(String),
    /// A `source` does not start with a declared source id.
    #[error("source {0:?} does not start with a declared [[sources]] id")]
    UnknownSource(String),
}

/// A region file could not be read or is invalid.
#[derive(Debug, Error)]
pub enum RegionFileError {
    /// The file could not be read.
    #[error("{origin}: cannot read file: {source}")]
    Io {
        /// The path.
        origin: String,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The content is invalid at a location.
    #[error("{0}")]
    Invalid(Box<Located>),
}

impl RegionFileError {
    /// The error kind, if the content was invalid.
    pub fn kind(&self) -> Option<&ErrorKind> {
        match self {
            RegionFileError::Invalid(l) => Some(&l.kind),
            RegionFileError::Io { .. } => None,
        }
    }
    /// The location, if the content was invalid.
    pub fn location(&self) -> Option<&Located> {
        match self {
            RegionFileError::Invalid(l) => Some(l),
            RegionFileError::Io { .. } => None,
        }
    }
}

/// An error with file, line, column and field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// File path or label.
    pub origin: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Field path such as `lots[1].products[0].categorie`; empty for the document.
    pub path: String,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.kind)
    }
}

/// A semantic error found while converting, located by field path only.
#[derive(Debug, Clone)]
pub(crate) struct PathError {
    pub path: FieldPath,
    pub kind: ErrorKind,
}

impl PathError {
    pub fn new(path: &FieldPath, kind: ErrorKind) -> Self {
        PathError {
            path: path.clone(),
            kind,
        }
    }

    /// Resolves the path to a line and column.
    pub fn locate(self, origin: &str, text: &str, idx: &SpanIndex) -> RegionFileError {
        let (line, column) = match idx.span_of(&self.path) {
            Some(r) => {
                let (l, c) = line_col(text, r.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        RegionFileError::Invalid(Box::new(Located {
            origin: origin.to_string(),
            line,
            column,
            path: self.path.to_string(),
            kind: self.kind,
        }))
    }
}

/// Turns a TOML error (syntax or serde) into a located error.
pub(crate) fn from_toml(
    origin: &str,
    text: &str,
    idx: &SpanIndex,
    e: &toml::de::Error,
) -> RegionFileError {
    let msg = e.message().to_string();
    let (mut line, mut column, mut path) = (None, None, String::new());
    if let Some(span) = e.span() {
        let (l, c) = line_col(text, span.start);
        line = Some(l);
        column = Some(c);
        if let Some(p) = idx.path_at(span.start) {
            path = p.to_string();
        }
    }
    let kind = if !idx.parsed() {
        ErrorKind::Syntax(msg)
    } else if let Some(field) = msg
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        // The span points at the key; name the key in the path.
        let key_span = e.span().map(|s| &text[s]).unwrap_or("");
        if key_span.trim_matches('"') == field {
            path = match idx.path_at(e.span().map(|s| s.start).unwrap_or(0)) {
                Some(p) if !p.is_root() => format!("{p}.{field}"),
                _ => field.to_string(),
            };
            // path_at on a key finds the enclosing table.
            if path.ends_with(&format!("{field}.{field}")) {
                path.truncate(path.len() - field.len() - 1);
            }
        }
        ErrorKind::UnknownField(msg)
    } else if msg.starts_with("missing field") {
        ErrorKind::MissingField(msg)
    } else {
        ErrorKind::Shape(msg)
    };
    RegionFileError::Invalid(Box::new(Located {
        origin: origin.to_string(),
        line,
        column,
        path,
        kind,
    }))
}
