//! Who acts on a case. Every event names its actor, so the history always
//! answers "who decided this" — a legal requirement for a beschikking and the
//! first question in any bezwaar or complaint.

use regie_domain::{AgbCode, Gemeentecode};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The role an actor plays in the care chain; permissions are granted per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A worker of a municipality's local toegang (wijkteam, lokaal team, Buurtteam).
    ToegangWorker,
    /// The regional access team for beschermd wonen (Hart van Brabant's
    /// regionaal toegangsteam, Nijmegen's Toegang Beschermd Wonen).
    RegionalAccessTeam,
    /// A care provider, identified by AGB code.
    Provider,
    /// The client (or their representative).
    Client,
    /// The college of a municipality acting as administrative body, e.g. deciding on bezwaar.
    Municipality,
    /// An automated source: BRP move notifications, iWmo start messages, CIZ decisions.
    System,
}

impl Role {
    /// Short English label.
    pub fn label(self) -> &'static str {
        match self {
            Role::ToegangWorker => "toegang worker",
            Role::RegionalAccessTeam => "regional access team",
            Role::Provider => "provider",
            Role::Client => "client",
            Role::Municipality => "municipality",
            Role::System => "system",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A concrete actor: a role plus the identity that matters for permission
/// checks (which municipality's toegang, which provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Actor {
    /// A toegang worker of municipality `gemeente`.
    ToegangWorker {
        /// The municipality whose toegang the worker belongs to.
        gemeente: Gemeentecode,
        /// Worker name or employee id.
        name: String,
    },
    /// A member of the regional access team for beschermd wonen.
    RegionalAccessTeam {
        /// Worker name or employee id.
        name: String,
    },
    /// A provider, acting through its AGB identity.
    Provider {
        /// The provider's AGB code.
        agb: AgbCode,
    },
    /// The client of the case.
    Client,
    /// The college of a municipality.
    Municipality {
        /// Which municipality.
        gemeente: Gemeentecode,
    },
    /// An automated source.
    System {
        /// What source, e.g. `BRP`, `iWmo 305`, `CIZ`.
        source: String,
    },
}

impl Actor {
    /// The role this actor plays.
    pub fn role(&self) -> Role {
        match self {
            Actor::ToegangWorker { .. } => Role::ToegangWorker,
            Actor::RegionalAccessTeam { .. } => Role::RegionalAccessTeam,
            Actor::Provider { .. } => Role::Provider,
            Actor::Client => Role::Client,
            Actor::Municipality { .. } => Role::Municipality,
            Actor::System { .. } => Role::System,
        }
    }

    /// Convenience constructor for a toegang worker.
    pub fn toegang(gemeente: Gemeentecode, name: impl Into<String>) -> Self {
        Actor::ToegangWorker {
            gemeente,
            name: name.into(),
        }
    }

    /// Convenience constructor for the regional access team.
    pub fn regional(name: impl Into<String>) -> Self {
        Actor::RegionalAccessTeam { name: name.into() }
    }

    /// Convenience constructor for a provider.
    pub fn provider(agb: AgbCode) -> Self {
        Actor::Provider { agb }
    }

    /// Convenience constructor for a system source.
    pub fn system(source: impl Into<String>) -> Self {
        Actor::System {
            source: source.into(),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::ToegangWorker { gemeente, name } => write!(f, "toegang {gemeente} ({name})"),
            Actor::RegionalAccessTeam { name } => write!(f, "regional team ({name})"),
            Actor::Provider { agb } => write!(f, "provider {agb}"),
            Actor::Client => f.write_str("client"),
            Actor::Municipality { gemeente } => write!(f, "college {gemeente}"),
            Actor::System { source } => write!(f, "system ({source})"),
        }
    }
}
