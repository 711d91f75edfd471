//! Claims (contracts, figures, events, relations) and the key that identifies one across revisions.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The four kinds of claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// A contract between a buyer and a supplier.
    Contract,
    /// A quantity about an entity.
    Figure,
    /// Something that happened at a date.
    Event,
    /// A relation between two entities.
    Relation,
}

impl ClaimKind {
    /// The kind as written in keys and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Contract => "contract",
            ClaimKind::Figure => "figure",
            ClaimKind::Event => "event",
            ClaimKind::Relation => "relation",
        }
    }

    /// The section of a revision file that holds claims of this kind.
    pub fn section(self) -> &'static str {
        match self {
            ClaimKind::Contract => "contracts",
            ClaimKind::Figure => "figures",
            ClaimKind::Event => "events",
            ClaimKind::Relation => "relations",
        }
    }
}

/// The key of a claim: its explicit `id` if given, else `<kind>:` and the first 16 hex digits of the
/// SHA-256 of the canonical JSON (sorted keys, no spaces, absent fields as null) of its identifying
/// fields.
pub fn claim_key(kind: ClaimKind, id: Option<&str>, identifying: &[(&str, Option<&str>)]) -> String {
    if let Some(id) = id {
        return id.to_owned();
    }
    let mut fields: Vec<_> = identifying.to_vec();
    fields.sort_by_key(|(name, _)| *name);
    let canonical: Map<String, Value> = fields
        .into_iter()
        .map(|(name, value)| {
            (
                name.to_owned(),
                value.map_or(Value::Null, |v| Value::String(v.to_owned())),
            )
        })
        .collect();
    let json = serde_json::to_string(&canonical).unwrap_or_default();
    let digest = Sha256::digest(json.as_bytes());
    let hex: String = digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
    format!("{}:{hex}", kind.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_id_wins_and_derived_keys_are_stable() {
        assert_eq!(claim_key(ClaimKind::Event, Some("moratorium"), &[]), "moratorium");
        let key = claim_key(
            ClaimKind::Relation,
            None,
            &[
                ("subject", Some("aws")),
                ("predicate", Some("hosts")),
                ("object", Some("hart")),
            ],
        );
        // sha256 of {"object":"hart","predicate":"hosts","subject":"aws"}
        let expected = Sha256::digest(br#"{"object":"hart","predicate":"hosts","subject":"aws"}"#);
        let hex: String = expected.iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_eq!(key, format!("relation:{hex}"));
        let reordered = claim_key(
            ClaimKind::Relation,
            None,
            &[
                ("object", Some("hart")),
                ("subject", Some("aws")),
                ("predicate", Some("hosts")),
            ],
        );
        assert_eq!(key, reordered);
    }
}
