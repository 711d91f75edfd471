//! What changed between two revisions of a profile, fact by fact.
//!
//! Claims are matched by their key (an explicit `id`, else the hash of their identifying fields), so a
//! claim whose wording, amount or sources changed is the same claim. Organizations and systems are
//! matched by id, over the fields each revision itself declares; the profile by its top-level fields.
//! A thing in one revision only is one `added` or `removed` change; a thing in both gives one
//! `changed` change per field whose value differs. Source citations are left out of the comparison:
//! source ids are local to a file, so the same id in two revisions may name different documents.

mod flat;

use crate::check::CheckedRevision;
use crate::claim::ClaimKind;
use flat::Fields;
use schemars::JsonSchema;
use serde::Serialize;

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The profile's own fields (name, summary, headquarters, categories...).
    Profile,
    /// An organization the revision declares.
    Organization,
    /// A system the revision declares.
    System,
    /// A person the revision declares.
    Person,
    /// A contract.
    Contract,
    /// A figure.
    Figure,
    /// An event.
    Event,
    /// A relation.
    Relation,
}

impl Subject {
    /// The subject as written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Profile => "profile",
            Subject::Organization => "organization",
            Subject::System => "system",
            Subject::Person => "person",
            Subject::Contract => "contract",
            Subject::Figure => "figure",
            Subject::Event => "event",
            Subject::Relation => "relation",
        }
    }

    /// The heading of its group in a changelog.
    pub fn heading(self) -> &'static str {
        match self {
            Subject::Profile => "profile",
            Subject::Organization => "organizations",
            Subject::System => "systems",
            Subject::Person => "people",
            Subject::Contract => "contracts",
            Subject::Figure => "figures",
            Subject::Event => "events",
            Subject::Relation => "relations",
        }
    }

    /// Whether the subject is a claim (contract, figure, event, relation).
    pub fn is_claim(self) -> bool {
        !matches!(
            self,
            Subject::Profile | Subject::Organization | Subject::System | Subject::Person
        )
    }

    fn of_claim(kind: ClaimKind) -> Subject {
        match kind {
            ClaimKind::Contract => Subject::Contract,
            ClaimKind::Figure => Subject::Figure,
            ClaimKind::Event => Subject::Event,
            ClaimKind::Relation => Subject::Relation,
        }
    }
}

/// Added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    /// In the newer revision only.
    Added,
    /// In the older revision only.
    Removed,
    /// In both, with a different value of `field`.
    Changed,
}

impl ChangeType {
    /// The mark of the change in a changelog.
    pub fn mark(self) -> char {
        match self {
            ChangeType::Added => '+',
            ChangeType::Removed => '-',
            ChangeType::Changed => '~',
        }
    }
}

/// One change between two revisions.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What the change is about.
    pub subject: Subject,
    /// The claim key, entity id, or profile slug.
    pub key: String,
    /// Whether the claim exists in the older revision.
    pub in_old: bool,
    /// Whether the claim exists in the newer revision.
    pub in_new: bool,
    /// Added, removed or changed.
    pub change: ChangeType,
    /// The field that changed (`amount.value` for nested fields); none for an added or removed thing.
    pub field: Option<String>,
    /// The older value, or what was removed.
    pub old: Option<String>,
    /// The newer value, or what was added.
    pub new: Option<String>,
    /// A short description of the thing (in the newer revision if it has it).
    pub label: String,
}

/// One thing of a revision that can change: its key and its fields, flattened to text.
struct Item {
    subject: Subject,
    key: String,
    fields: Fields,
}

/// The changes from `old` to `new`, two revisions of one profile: grouped by subject in the order of
/// `Subject`, then in the newer file's order, removed things last.
pub fn between(old: &CheckedRevision, new: &CheckedRevision) -> Vec<Change> {
    let (old_items, new_items) = (items(old), items(new));
    let mut changes = Vec::new();
    for subject in [
        Subject::Profile,
        Subject::Organization,
        Subject::System,
        Subject::Person,
        Subject::Contract,
        Subject::Figure,
        Subject::Event,
        Subject::Relation,
    ] {
        let before: Vec<&Item> = old_items.iter().filter(|i| i.subject == subject).collect();
        let after: Vec<&Item> = new_items.iter().filter(|i| i.subject == subject).collect();
        // Matched through maps by key: linear in the revisions' claims, not quadratic.
        let before_by_key: std::collections::HashMap<&str, &Item> =
            before.iter().map(|item| (item.key.as_str(), *item)).collect();
        let after_keys: std::collections::HashSet<&str> = after.iter().map(|item| item.key.as_str()).collect();
        for item in &after {
            match before_by_key.get(item.key.as_str()) {
                None => changes.push(Change {
                    subject,
                    key: item.key.clone(),
                    in_old: false,
                    in_new: true,
                    change: ChangeType::Added,
                    field: None,
                    old: None,
                    new: Some(label(item)),
                    label: label(item),
                }),
                Some(old_item) => changes.extend(field_changes(old_item, item)),
            }
        }
        for item in &before {
            if !after_keys.contains(item.key.as_str()) {
                changes.push(Change {
                    subject,
                    key: item.key.clone(),
                    in_old: true,
                    in_new: false,
                    change: ChangeType::Removed,
                    field: None,
                    old: Some(label(item)),
                    new: None,
                    label: label(item),
                });
            }
        }
    }
    changes
}

fn field_changes(old: &Item, new: &Item) -> Vec<Change> {
    let mut names: Vec<&str> = new.fields.iter().map(|(name, _)| name.as_str()).collect();
    for (name, _) in &old.fields {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let mut changes = Vec::new();
    let mut description = None;
    for name in names {
        let (before, after) = (value(old, name), value(new, name));
        if before != after {
            let label = description.get_or_insert_with(|| label(new));
            changes.push(Change {
                subject: new.subject,
                key: new.key.clone(),
                in_old: true,
                in_new: true,
                change: ChangeType::Changed,
                field: Some(name.to_owned()),
                old: before.map(str::to_owned),
                new: after.map(str::to_owned),
                label: label.clone(),
            });
        }
    }
    changes
}

/// The text of an item's field, if it has it.
fn value<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// A short description of a thing, for added and removed changes.
fn label(item: &Item) -> String {
    let get = |name: &str| {
        item.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let join = |parts: Vec<String>| {
        parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match item.subject {
        Subject::Profile => get("name"),
        Subject::Organization | Subject::System | Subject::Person => get("name"),
        Subject::Contract => {
            let amount = amount_text(
                &get("amount.qualifier"),
                &get("amount.value"),
                &get("amount.low"),
                &get("amount.high"),
            );
            let parties = format!("{} → {}", or_unknown(get("buyer")), or_unknown(get("supplier")));
            let when = dates(&get("start"), &get("end"));
            join(vec![
                parties,
                get("description"),
                amount,
                get("amount.currency"),
                per(&get("amount.per")),
                when,
            ])
        }
        Subject::Figure => {
            let amount = amount_text(&get("qualifier"), &get("value"), &get("low"), &get("high"));
            let when = [("as of", get("as_of")), ("period", get("period"))]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(w, v)| format!("({w} {v})"))
                .collect::<Vec<_>>()
                .join(" ");
            join(vec![
                get("subject"),
                get("metric"),
                amount,
                get("currency"),
                get("unit"),
                per(&get("per")),
                when,
            ])
        }
        Subject::Event => join(vec![
            get("date"),
            get("subject"),
            get("kind"),
            format!("– {}", get("description")),
        ]),
        Subject::Relation => join(vec![
            get("subject"),
            get("predicate"),
            get("object"),
            dates(&get("start"), &get("end")),
        ]),
    }
}

fn or_unknown(id: String) -> String {
    if id.is_empty() { "?".into() } else { id }
}

fn per(per: &str) -> String {
    if per.is_empty() {
        String::new()
    } else {
        format!("per {per}")
    }
}

fn dates(start: &str, end: &str) -> String {
    match (start.is_empty(), end.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!("from {start}"),
        (true, false) => format!("until {end}"),
        (false, false) => format!("{start} to {end}"),
    }
}

fn amount_text(qualifier: &str, value: &str, low: &str, high: &str) -> String {
    let qualifier = match qualifier {
        "" | "exact" => "",
        "about" => "about ",
        "at_least" => "at least ",
        "at_most" => "at most ",
        "more_than" => "more than ",
        "less_than" => "less than ",
        other => other,
    };
    match (value.is_empty(), low.is_empty(), high.is_empty()) {
        (false, _, _) => format!("{qualifier}{value}"),
        (true, false, false) => format!("{low}–{high}"),
        (true, false, true) => format!("at least {low}"),
        (true, true, false) => format!("at most {high}"),
        (true, true, true) => String::new(),
    }
}

/// A revision's members that are not its own fields: its identity and its lists of things.
const PROFILE_LISTS: &[&str] = &[
    "profile",
    "updated",
    "sources",
    "organizations",
    "systems",
    "people",
    "contracts",
    "figures",
    "events",
    "relations",
];

/// A claim's members that are not compared: its id is its key, and its sources are left out (see
/// the module's comment).
const CLAIM_OWN: &[&str] = &["id", "sources"];

/// Every thing of a revision that can change.
fn items(checked: &CheckedRevision) -> Vec<Item> {
    let revision = &checked.revision;
    let mut items = Vec::new();
    items.push(Item {
        subject: Subject::Profile,
        key: revision.profile.clone(),
        fields: flat::fields(revision, PROFILE_LISTS),
    });
    // Declarations, without the implicit one of the profiled company (its fields are the profile's).
    for declaration in checked.declarations.iter().skip(1) {
        let subject = match declaration.entity_type {
            crate::model::EntityType::Organization => Subject::Organization,
            crate::model::EntityType::System => Subject::System,
            crate::model::EntityType::Person => Subject::Person,
        };
        items.push(Item {
            subject,
            key: declaration.id.clone(),
            fields: flat::fields_of_declared(&declaration.fields),
        });
    }
    for claim in &checked.claims {
        let fields = match claim.kind {
            ClaimKind::Contract => flat::fields(&revision.contracts[claim.index], CLAIM_OWN),
            ClaimKind::Figure => flat::fields(&revision.figures[claim.index], CLAIM_OWN),
            ClaimKind::Event => flat::fields(&revision.events[claim.index], CLAIM_OWN),
            ClaimKind::Relation => flat::fields(&revision.relations[claim.index], CLAIM_OWN),
        };
        items.push(Item {
            subject: Subject::of_claim(claim.kind),
            key: claim.key.clone(),
            fields,
        });
    }
    items
}
