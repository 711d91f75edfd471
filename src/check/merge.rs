//! Rules across files: one revision per (profile, updated), organizations and systems merged into
//! one global namespace, every reference resolved, every entity named.
//!
//! Merging: within one profile, a newer revision's value of a field replaces an older one's and a
//! field it leaves out keeps its older value; between profiles, two different values of one field
//! are an error naming both places.
//!
//! Revisions arrive a batch of whole profiles at a time, in (profile, updated) order, and are not
//! kept: what stays is one compact record per entity and the references not yet resolved, so memory
//! grows with the number of entities, not of revisions.

use super::{CheckedRevision, RevisionFile};
use crate::diagnostic::{Code, Diagnostic, Position};
use crate::input::Input;
use crate::load::{Limits, Locator};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

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

/// Where a declaration was written: the file (an index into `Merger::files`) and the declaration's
/// place in it. Positions are looked up only when a problem is reported.
#[derive(Debug, Clone, Copy)]
struct Origin {
    file: u32,
    place: Place,
}

/// A declaration's place in its file, as small as it can be: one is kept for every merged field.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// `/name`: the profiled company itself.
    Name,
    /// `/organizations/N`.
    Organization(u32),
    /// `/systems/N`.
    System(u32),
}

impl Place {
    fn of(pointer: &str) -> Place {
        let index = |rest: &str| rest.parse().unwrap_or_default();
        if let Some(rest) = pointer.strip_prefix("/organizations/") {
            Place::Organization(index(rest))
        } else if let Some(rest) = pointer.strip_prefix("/systems/") {
            Place::System(index(rest))
        } else {
            Place::Name
        }
    }

    fn pointer(self) -> String {
        match self {
            Place::Name => "/name".into(),
            Place::Organization(i) => format!("/organizations/{i}"),
            Place::System(i) => format!("/systems/{i}"),
        }
    }
}

/// An organization or system, merged across every file that declares it.
#[derive(Debug, Clone)]
pub struct Entity {
    /// The id.
    pub id: String,
    /// Organization or system.
    pub entity_type: EntityType,
    /// The merged fields (id, name, kind, parent, ...) as the text of one JSON object, without
    /// `sources`: what the input type of the entity reads.
    pub fields: String,
    /// The sources of every declaration, as `profile/updated/source`, sorted by (profile, updated,
    /// source) and without repeats.
    pub sources: Vec<String>,
}

/// One entity while merging: fields sorted by name, each as compact JSON text with where it was
/// first given, and its sources as (file, source id) indexes. One is kept for every entity of the
/// dataset, so it is kept small: text rather than `Value` trees.
#[derive(Debug)]
struct Merging {
    entity_type: EntityType,
    first: Origin,
    fields: Vec<(Arc<str>, Box<str>, Origin)>,
    sources: Vec<(u32, u32)>,
}

impl Merging {
    fn new(entity_type: EntityType, first: Origin) -> Merging {
        Merging {
            entity_type,
            first,
            fields: Vec::new(),
            sources: Vec::new(),
        }
    }

    fn field(&self, name: &str) -> Option<&(Arc<str>, Box<str>, Origin)> {
        self.fields
            .binary_search_by(|(n, _, _)| (**n).cmp(name))
            .ok()
            .map(|i| &self.fields[i])
    }

    /// Sets a field to a value as JSON text, replacing the value it had (a newer revision of the
    /// same profile).
    fn set(&mut self, name: &Arc<str>, value: Box<str>, origin: Origin) {
        match self.fields.binary_search_by(|(n, _, _)| (**n).cmp(name)) {
            Ok(i) => self.fields[i] = (name.clone(), value, origin),
            Err(i) => self.fields.insert(i, (name.clone(), value, origin)),
        }
    }
}

/// A reference whose entity no profile seen so far declares.
#[derive(Debug)]
struct Pending {
    file: u32,
    reference: super::Reference,
}

/// Merges declarations profile by profile and resolves references as it goes.
#[derive(Debug)]
pub struct Merger {
    locator: Locator,
    /// Every revision file seen, with its (profile, updated).
    files: Vec<RevisionFile>,
    /// Source ids, interned.
    source_ids: Vec<String>,
    source_index: HashMap<String, u32>,
    /// Field names, interned: every entity has the same few.
    field_names: HashSet<Arc<str>>,
    merged: BTreeMap<String, Merging>,
    pending: Vec<Pending>,
    /// How many more ids may be compared for "did you mean": a bound on the time suggestions take.
    suggestion_budget: usize,
}

/// Every organization and system, merged across the dataset, by id.
#[derive(Debug)]
pub struct Entities {
    files: Vec<RevisionFile>,
    source_ids: Vec<String>,
    merged: BTreeMap<String, Merging>,
}

impl Entities {
    /// The number of entities.
    pub fn len(&self) -> usize {
        self.merged.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.merged.is_empty()
    }

    /// Every revision file, sorted by profile and date.
    pub fn files(&self) -> &[RevisionFile] {
        &self.files
    }

    /// The type of the entity `id`, if it is declared.
    pub fn entity_type(&self, id: &str) -> Option<EntityType> {
        self.merged.get(id).map(|m| m.entity_type)
    }

    /// The entity `id` without its sources, if it is declared: what a revision's document shows.
    /// A shared organization has sources in every profile that declares it, so listing them for
    /// every document would grow with the square of the number of profiles.
    pub fn get_fields(&self, id: &str) -> Option<Entity> {
        self.merged.get_key_value(id).map(|(id, m)| self.entity(id, m, false))
    }

    /// Every entity, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = Entity> + '_ {
        self.merged.iter().map(|(id, m)| self.entity(id, m, true))
    }

    fn entity(&self, id: &str, merging: &Merging, with_sources: bool) -> Entity {
        let listed = if with_sources { merging.sources.as_slice() } else { &[] };
        let mut sources: Vec<(&str, &str, &str)> = listed
            .iter()
            .map(|&(file, source)| {
                let file = &self.files[file as usize];
                (
                    file.profile.as_str(),
                    file.updated.as_str(),
                    self.source_ids[source as usize].as_str(),
                )
            })
            .collect();
        sources.sort_unstable();
        sources.dedup();
        Entity {
            id: id.to_owned(),
            entity_type: merging.entity_type,
            fields: {
                // The merged values are JSON texts already: the object is put together, not re-encoded.
                let quoted = |text: &str| serde_json::to_string(text).expect("a text is valid JSON");
                let mut object = format!("{{\"id\":{}", quoted(id));
                for (name, value, _) in &merging.fields {
                    object.push(',');
                    object.push_str(&quoted(name));
                    object.push(':');
                    object.push_str(value);
                }
                object.push('}');
                object
            },
            sources: sources
                .into_iter()
                .map(|(profile, updated, source)| format!("{profile}/{updated}/{source}"))
                .collect(),
        }
    }
}

impl Merger {
    /// An empty merger; positions for its problems are read from `input` within `limits`.
    pub fn new(input: &Input, limits: &Limits) -> Merger {
        Merger {
            locator: Locator::new(input, limits),
            files: Vec::new(),
            source_ids: Vec::new(),
            source_index: HashMap::new(),
            field_names: HashSet::new(),
            merged: BTreeMap::new(),
            pending: Vec::new(),
            suggestion_budget: 20_000_000,
        }
    }

    fn position(&mut self, origin: Origin) -> (PathBuf, Position) {
        let path = self.files[origin.file as usize].path.clone();
        let position = self.locator.position(&path, &origin.place.pointer());
        (path, position)
    }

    fn source(&mut self, id: &str) -> u32 {
        if let Some(&index) = self.source_index.get(id) {
            return index;
        }
        let index = self.source_ids.len() as u32;
        self.source_ids.push(id.to_owned());
        self.source_index.insert(id.to_owned(), index);
        index
    }

    fn field_name(&mut self, name: &str) -> Arc<str> {
        if let Some(interned) = self.field_names.get(name) {
            return interned.clone();
        }
        let interned: Arc<str> = name.into();
        self.field_names.insert(interned.clone());
        interned
    }

    /// Merges a batch of whole profiles, sorted by profile and date, and resolves their references
    /// to entities declared so far; the others wait for `finish`.
    pub fn add(&mut self, revisions: &[CheckedRevision], problems: &mut Vec<Diagnostic>) {
        let first_file = self.files.len() as u32;
        let mut seen: HashMap<(&str, &str), &PathBuf> = HashMap::new();
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
            self.files.push(RevisionFile {
                path: revision.path.clone(),
                profile: revision.revision.profile.clone(),
                updated: revision.revision.updated.clone(),
            });
        }

        let mut file = first_file;
        for profile_revisions in revisions.chunk_by(|a, b| a.revision.profile == b.revision.profile) {
            // First the profile's own view: its newest value of every field.
            let mut own: BTreeMap<&str, Merging> = BTreeMap::new();
            for revision in profile_revisions {
                for declaration in &revision.declarations {
                    let origin = Origin {
                        file,
                        place: Place::of(&declaration.pointer),
                    };
                    let entry = own
                        .entry(&declaration.id)
                        .or_insert_with(|| Merging::new(declaration.entity_type, origin));
                    if entry.entity_type != declaration.entity_type {
                        let (found, first) = (entry.entity_type, entry.first);
                        let problem =
                            self.type_conflict(&declaration.id, declaration.entity_type, origin, found, first);
                        problems.push(problem);
                        continue;
                    }
                    for (name, value) in &declaration.fields {
                        let name = self.field_name(name);
                        entry.set(&name, value.to_string().into(), origin);
                    }
                    for source in &declaration.sources {
                        let source = self.source(source);
                        entry.sources.push((file, source));
                    }
                }
                file += 1;
            }
            // Then agreement with what other profiles said.
            for (id, view) in own {
                self.agree(id, view, problems);
            }
        }

        for (file, revision) in (first_file..).zip(revisions) {
            for reference in &revision.references {
                match self.merged.get(&reference.id).map(|e| e.entity_type) {
                    None => self.pending.push(Pending {
                        file,
                        reference: reference.clone(),
                    }),
                    Some(found) => {
                        if let Some(problem) = self.resolve(file, reference, Some(found)) {
                            problems.push(problem);
                        }
                    }
                }
            }
        }
    }

    fn agree(&mut self, id: &str, mut view: Merging, problems: &mut Vec<Diagnostic>) {
        let entity = match self.merged.entry(id.to_owned()) {
            Entry::Vacant(slot) => {
                view.fields.shrink_to_fit(); // kept to the end, for every entity
                slot.insert(view);
                return;
            }
            Entry::Occupied(slot) => slot.into_mut(),
        };
        if entity.entity_type != view.entity_type {
            let (found, first) = (entity.entity_type, entity.first);
            let problem = self.type_conflict(id, view.entity_type, view.first, found, first);
            problems.push(problem);
            return;
        }
        let mut conflicts = Vec::new();
        for (name, value, origin) in view.fields {
            match entity.field(&name) {
                Some((_, existing, first)) if *existing != value => {
                    conflicts.push((name, value, origin, existing.clone(), *first));
                }
                Some(_) => {}
                None => entity.set(&name, value, origin),
            }
        }
        entity.sources.extend(view.sources);
        for (name, value, origin, existing, first) in conflicts {
            let (path, position) = self.position(origin);
            let (first_path, first_position) = self.position(first);
            problems.push(
                Diagnostic::new(
                    Code::MergeConflict,
                    &path,
                    position,
                    format!("`{id}` has {name} {value} here, but another profile gives it {name} {existing}"),
                )
                .with_note(&first_path, first_position, "the other value"),
            );
        }
    }

    /// The problem with a reference to an entity of type `found` (`None`: declared nowhere).
    fn resolve(&mut self, file: u32, reference: &super::Reference, found: Option<EntityType>) -> Option<Diagnostic> {
        let message = match (found, reference.expected) {
            (None, _) => {
                let mut hint = String::new();
                if let Some(budget) = self.suggestion_budget.checked_sub(self.merged.len()) {
                    self.suggestion_budget = budget;
                    let close = crate::diagnostic::did_you_mean(&reference.id, self.merged.keys().map(String::as_str));
                    if let Some(close) = close {
                        hint = format!("; did you mean `{close}`?");
                    }
                }
                format!(
                    "`{}` is not declared as an organization or system in any file{hint}",
                    reference.id
                )
            }
            (Some(found), Some(expected)) if found != expected => format!(
                "`{}` is {} {}, but {} must be {} {}",
                reference.id,
                article(found),
                found.as_str(),
                reference.field,
                article(expected),
                expected.as_str()
            ),
            _ => return None,
        };
        let path = self.files[file as usize].path.clone();
        let position = self.locator.position(&path, &reference.pointer);
        Some(Diagnostic::new(Code::UnresolvedReference, &path, position, message).at_pointer(&reference.pointer))
    }

    /// Resolves the references still waiting and checks that every entity has a name.
    pub fn finish(mut self, problems: &mut Vec<Diagnostic>) -> Entities {
        for pending in std::mem::take(&mut self.pending) {
            let found = self.merged.get(&pending.reference.id).map(|e| e.entity_type);
            if let Some(problem) = self.resolve(pending.file, &pending.reference, found) {
                problems.push(problem);
            }
        }
        for field in ["parent", "replaces"] {
            self.cycles(field, problems);
        }
        let unnamed: Vec<(String, Origin)> = self
            .merged
            .iter()
            .filter(|(_, entity)| entity.field("name").is_none())
            .map(|(id, entity)| (id.clone(), entity.first))
            .collect();
        for (id, first) in unnamed {
            let (path, position) = self.position(first);
            problems.push(Diagnostic::new(
                Code::MissingName,
                &path,
                position,
                format!("`{id}` has no name in any file that declares it"),
            ));
        }
        Entities {
            files: self.files,
            source_ids: self.source_ids,
            merged: self.merged,
        }
    }

    /// Refuses a chain of `field` links (`parent`, `replaces`) that comes back to where it
    /// started, a link to itself included: each cycle once, at its smallest id. Every entity has
    /// at most one such link, so following them visits each entity once.
    fn cycles(&mut self, field: &str, problems: &mut Vec<Diagnostic>) {
        let target = |entity: &Merging| {
            let (_, value, origin) = entity.field(field)?;
            let id: String = serde_json::from_str(value).ok()?;
            Some((id, *origin))
        };
        let links: BTreeMap<&str, (String, Origin)> = self
            .merged
            .iter()
            .filter_map(|(id, entity)| Some((id.as_str(), target(entity)?)))
            .collect();
        // 0: not seen, 1: on the chain being followed, 2: done.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        let mut found = Vec::new();
        for &start in links.keys() {
            let mut chain = Vec::new();
            let mut at = start;
            let mut ends = false;
            while state.get(at).copied().unwrap_or(0) == 0 {
                state.insert(at, 1);
                chain.push(at);
                match links.get(at) {
                    Some((next, _)) => at = next.as_str(),
                    None => {
                        ends = true;
                        break;
                    }
                }
            }
            if !ends
                && state.get(at) == Some(&1)
                && let Some(from) = chain.iter().position(|id| *id == at)
            {
                let cycle = &chain[from..];
                let smallest = cycle.iter().min().copied().unwrap_or(at);
                let turn = cycle.iter().position(|id| *id == smallest).unwrap_or(0);
                let ordered: Vec<&str> = cycle[turn..].iter().chain(&cycle[..turn]).copied().collect();
                found.push((
                    ordered.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>(),
                    links[smallest].1,
                ));
            }
            for id in chain {
                state.insert(id, 2);
            }
        }
        for (cycle, origin) in found {
            let path = self.files[origin.file as usize].path.clone();
            let pointer = format!("{}/{field}", origin.place.pointer());
            let position = self.locator.position(&path, &pointer);
            let message = match cycle.as_slice() {
                [only] => format!("`{only}` names itself as its own {field}"),
                _ => format!(
                    "`{}` leads back to itself through {field}: {} -> {}",
                    cycle[0],
                    cycle.join(" -> "),
                    cycle[0]
                ),
            };
            problems.push(Diagnostic::new(Code::Cycle, &path, position, message).at_pointer(&pointer));
        }
    }

    fn type_conflict(
        &mut self,
        id: &str,
        found: EntityType,
        at: Origin,
        first: EntityType,
        first_at: Origin,
    ) -> Diagnostic {
        let (path, position) = self.position(at);
        let (first_path, first_position) = self.position(first_at);
        Diagnostic::new(
            Code::DuplicateEntity,
            &path,
            position,
            format!(
                "`{id}` is declared here as {} {}, but elsewhere as {} {}; organizations and systems share one id namespace",
                article(found),
                found.as_str(),
                article(first),
                first.as_str()
            ),
        )
        .with_note(&first_path, first_position, "declared here")
    }
}

fn article(entity_type: EntityType) -> &'static str {
    match entity_type {
        EntityType::Organization => "an",
        EntityType::System => "a",
    }
}
