//! Rules across files: one revision per (profile, updated), organizations and systems merged into
//! one global namespace, every reference resolved, every entity named.
//!
//! Merging: within one profile, a newer revision's value of a field replaces an older one's and a
//! field it leaves out keeps its older value; between profiles, two different values of one field
//! are an error naming both places.

use super::CheckedRevision;
use crate::diagnostic::{Code, Diagnostic, Position};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::PathBuf;

/// Organization or system: the two types of entity, sharing one id namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A company, subsidiary, agency, police department or contractor.
    Organization,
    /// A database, piece of software, device or platform.
    System,
}

impl EntityType {
    /// The type as written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Organization => "organization",
            EntityType::System => "system",
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone)]
struct Origin {
    path: PathBuf,
    position: Position,
}

/// An organization or system, merged across every file that declares it.
#[derive(Debug, Clone)]
pub struct Entity {
    /// The id.
    pub id: String,
    /// Organization or system.
    pub entity_type: EntityType,
    /// The merged fields (name, kind, parent, ...), without `id` and `sources`.
    pub fields: Map<String, Value>,
    /// The sources of every declaration, as (profile, updated, source id), sorted.
    pub sources: Vec<(String, String, String)>,
}

struct Merging {
    entity_type: EntityType,
    first: Origin,
    /// Fields agreed between profiles, with where each was first given.
    fields: BTreeMap<String, (Value, Origin)>,
    sources: Vec<(String, String, String)>,
}

/// Merges every declaration (revisions sorted by profile and date), then resolves references.
pub fn merge(revisions: &[CheckedRevision], problems: &mut Vec<Diagnostic>) -> BTreeMap<String, Entity> {
    let mut seen: BTreeMap<(&str, &str), &PathBuf> = BTreeMap::new();
    for revision in revisions {
        let key = (revision.revision.profile.as_str(), revision.revision.updated.as_str());
        if let Some(first) = seen.insert(key, &revision.path) {
            problems.push(
                Diagnostic::new(
                    Code::DuplicateRevision,
                    &revision.path,
                    Position::START,
                    format!(
                        "holds the revision {} of `{}` that another file already holds",
                        key.1, key.0
                    ),
                )
                .with_note(first, Position::START, "the other file"),
            );
        }
    }

    let mut merged: BTreeMap<String, Merging> = BTreeMap::new();
    let mut profiles = revisions.chunk_by(|a, b| a.revision.profile == b.revision.profile);
    for profile_revisions in profiles.by_ref() {
        // First the profile's own view: its newest value of every field.
        let mut own: BTreeMap<&str, Merging> = BTreeMap::new();
        for revision in profile_revisions {
            let (profile, updated) = (&revision.revision.profile, &revision.revision.updated);
            for declaration in &revision.declarations {
                let origin = Origin {
                    path: revision.path.clone(),
                    position: declaration.position,
                };
                let entry = own.entry(&declaration.id).or_insert_with(|| Merging {
                    entity_type: declaration.entity_type,
                    first: origin.clone(),
                    fields: BTreeMap::new(),
                    sources: Vec::new(),
                });
                if entry.entity_type != declaration.entity_type {
                    problems.push(type_conflict(
                        &declaration.id,
                        declaration.entity_type,
                        &origin,
                        entry.entity_type,
                        &entry.first,
                    ));
                    continue;
                }
                for (name, value) in &declaration.fields {
                    entry.fields.insert(name.clone(), (value.clone(), origin.clone()));
                }
                entry.sources.extend(
                    declaration
                        .sources
                        .iter()
                        .map(|s| (profile.clone(), updated.clone(), s.clone())),
                );
            }
        }
        // Then agreement with what other profiles said.
        for (id, view) in own {
            match merged.entry(id.to_owned()) {
                Entry::Vacant(slot) => {
                    slot.insert(view);
                }
                Entry::Occupied(mut slot) => {
                    let entity = slot.get_mut();
                    if entity.entity_type != view.entity_type {
                        problems.push(type_conflict(
                            id,
                            view.entity_type,
                            &view.first,
                            entity.entity_type,
                            &entity.first,
                        ));
                        continue;
                    }
                    for (name, (value, origin)) in view.fields {
                        match entity.fields.get(&name) {
                            Some((existing, first)) if *existing != value => problems.push(
                                Diagnostic::new(
                                    Code::MergeConflict,
                                    &origin.path,
                                    origin.position,
                                    format!(
                                        "`{id}` has {name} {value} here, but another profile gives it {name} {existing}"
                                    ),
                                )
                                .with_note(
                                    &first.path,
                                    first.position,
                                    "the other value",
                                ),
                            ),
                            Some(_) => {}
                            None => {
                                entity.fields.insert(name, (value, origin));
                            }
                        }
                    }
                    entity.sources.extend(view.sources);
                }
            }
        }
    }

    for revision in revisions {
        for reference in &revision.references {
            let found = merged.get(&reference.id).map(|e| e.entity_type);
            let message = match (found, reference.expected) {
                (None, _) => format!(
                    "`{}` is not declared as an organization or system in any file",
                    reference.id
                ),
                (Some(found), Some(expected)) if found != expected => {
                    format!(
                        "`{}` is {} {}, but {} must be {} {}",
                        reference.id,
                        article(found),
                        found.as_str(),
                        reference.field,
                        article(expected),
                        expected.as_str()
                    )
                }
                _ => continue,
            };
            problems.push(
                Diagnostic::new(Code::UnresolvedReference, &revision.path, reference.position, message)
                    .at_pointer(&reference.pointer),
            );
        }
    }

    merged
        .into_iter()
        .map(|(id, entity)| {
            if !entity.fields.contains_key("name") {
                problems.push(Diagnostic::new(
                    Code::MissingName,
                    &entity.first.path,
                    entity.first.position,
                    format!("`{id}` has no name in any file that declares it"),
                ));
            }
            let mut sources = entity.sources;
            sources.sort();
            sources.dedup();
            let fields = entity
                .fields
                .into_iter()
                .map(|(name, (value, _))| (name, value))
                .collect();
            let merged = Entity {
                id: id.clone(),
                entity_type: entity.entity_type,
                fields,
                sources,
            };
            (id, merged)
        })
        .collect()
}

fn article(entity_type: EntityType) -> &'static str {
    match entity_type {
        EntityType::Organization => "an",
        EntityType::System => "a",
    }
}

fn type_conflict(id: &str, found: EntityType, at: &Origin, first: EntityType, first_at: &Origin) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateEntity,
        &at.path,
        at.position,
        format!("`{id}` is declared here as {} {}, but elsewhere as {} {}; organizations and systems share one id namespace", article(found), found.as_str(), article(first), first.as_str()),
    )
    .with_note(&first_at.path, first_at.position, "declared here")
}
