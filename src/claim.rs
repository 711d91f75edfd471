//! Claims (contracts, figures, events, relations) and the key that identifies one across revisions.

use schemars::JsonSchema;
use serde::Serialize;
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
    // The canonical JSON written as it is read: the keys are distinct field names, sorted.
    let mut canonical = Vec::with_capacity(128);
    canonical.push(b'{');
    for (index, (name, value)) in fields.iter().enumerate() {
        if index > 0 {
            canonical.push(b',');
        }
        serde_json::to_writer(&mut canonical, name).expect("a text is valid JSON");
        canonical.push(b':');
        serde_json::to_writer(&mut canonical, value).expect("a text is valid JSON");
    }
    canonical.push(b'}');
    let digest = Sha256::digest(&canonical);
    let first = u64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 has 32 bytes"));
    format!("{}:{first:016x}", kind.as_str())
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

    #[test]
    fn absent_fields_are_null_and_texts_are_escaped_in_the_canonical_json() {
        let key = claim_key(ClaimKind::Figure, None, &[("entity", Some("a\"b/é")), ("as_of", None)]);
        // Written by hand: the escaping serde_json gives a JSON text (a quote escaped, `/` and `é` as they are).
        let expected = Sha256::digest(r#"{"as_of":null,"entity":"a\"b/é"}"#.as_bytes());
        let hex: String = expected.iter().take(8).map(|b| format!("{b:02x}")).collect();
        assert_eq!(key, format!("figure:{hex}"));
    }
}
