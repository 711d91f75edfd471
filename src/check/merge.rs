//! Rules across files: one revision per (profile, updated), organizations and systems merged into
//! one global namespace, every reference resolved, every entity named.
//!
//! Merging: within one profile, a newer revision's value of a field replaces an older one's and a
//! field it leaves out keeps its older value; between profiles, two different values of one field
//! are an error naming both places, and, when the two look alike, the code points that differ.
//!
//! Revisions arrive a batch of whole profiles at a time, in (profile, updated) order, and are not
//! kept: what stays is one compact record per entity and the references not yet resolved, so memory
//! grows with the number of entities, not of revisions.

use super::fields::FieldValue;
use super::{CheckedRevision, RevisionFile, Sink};
use crate::diagnostic::{Code, Diagnostic, Position};
use crate::input::Input;
use crate::load::{Limits, Locator};
use crate::model::EntityType;
use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::{fmt, io};

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
    /// `/people/N`.
    Person(u32),
}

impl Place {
    fn of(pointer: &str) -> Place {
        let index = |rest: &str| rest.parse().unwrap_or_default();
        if let Some(rest) = pointer.strip_prefix("/organizations/") {
            Place::Organization(index(rest))
        } else if let Some(rest) = pointer.strip_prefix("/systems/") {
            Place::System(index(rest))
        } else if let Some(rest) = pointer.strip_prefix("/people/") {
            Place::Person(index(rest))
        } else {
            Place::Name
        }
    }

    /// The place as a tag and an index, for `Store`.
    fn packed(self) -> (u8, u32) {
        match self {
            Place::Name => (0, 0),
            Place::Organization(i) => (1, i),
            Place::System(i) => (2, i),
            Place::Person(i) => (3, i),
        }
    }

    fn unpacked(tag: u8, index: u32) -> Place {
        match tag {
            1 => Place::Organization(index),
            2 => Place::System(index),
            3 => Place::Person(index),
            _ => Place::Name,
        }
    }

    fn pointer(self) -> String {
        match self {
            Place::Name => "/name".into(),
            Place::Organization(i) => format!("/organizations/{i}"),
            Place::System(i) => format!("/systems/{i}"),
            Place::Person(i) => format!("/people/{i}"),
        }
    }
}

/// An organization or system, merged across every file that declares it.
#[derive(Debug, Clone)]
pub struct Entity<'a> {
    /// The id.
    pub id: String,
    /// Organization or system.
    pub entity_type: EntityType,
    /// The merged fields (name, kind, parent, ...), without `id` and `sources`, sorted by name.
    pub fields: Vec<(&'a str, FieldValue)>,
    /// The sources of every declaration, as `profile/updated/source`, sorted by (profile, updated,
    /// source) and without repeats.
    pub sources: Vec<String>,
    /// The days of the earliest and the latest revision that declare it.
    pub seen: Seen,
}

/// The days of the earliest and the latest revision that declare an entity (or, for a claim key,
/// that make a claim with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The earliest.
    pub first: jiff::civil::Date,
    /// The latest.
    pub last: jiff::civil::Date,
}

impl Seen {
    /// Only `day`.
    pub fn on(day: jiff::civil::Date) -> Seen {
        Seen { first: day, last: day }
    }

    /// From the earliest to the latest of both.
    pub fn widened(self, other: Seen) -> Seen {
        Seen {
            first: self.first.min(other.first),
            last: self.last.max(other.last),
        }
    }
}

impl Entity<'_> {
    /// The entity as its input type (`Organization`, `System`), its `id` included. Its fields were
    /// taken from that type, so this fails only on a bug.
    pub fn read<T: serde::de::DeserializeOwned>(&self) -> Result<T, super::fields::Unfit> {
        super::fields::join(&self.id, &self.fields)
    }
}

/// One merged entity: its type, where it was first declared, the days of the earliest and the
/// latest revision that declare it, and where its fields are packed in the `Store`. Its sources
/// are in `Merger::sources`.
#[derive(Debug, Clone, Copy)]
struct Record {
    entity_type: EntityType,
    first: Origin,
    fields: Span,
    seen: Seen,
}

/// A field of an entity: its interned name, its value encoded (`FieldValue::encode`), and where it
/// was first given.
#[derive(Debug, Clone, Copy)]
struct Field<'a> {
    name: u32,
    value: &'a [u8],
    origin: Origin,
}

/// Where an entity's packed fields are in the `Store`: one chunk, never across two.
#[derive(Debug, Clone, Copy)]
struct Span {
    chunk: u32,
    start: u32,
    len: u32,
}

/// Chunks are allocated this large (or as large as one entity's fields, if larger).
const CHUNK_BYTES: usize = 1 << 20;

/// A chunk of packed fields: the one being filled stays in memory, the others are in the spill
/// file, at an offset.
#[derive(Debug)]
enum Chunk {
    Memory(Vec<u8>),
    Spilled { offset: u64 },
}

/// The fields of every entity, packed one entity after another into chunks of 1 MiB; every full
/// chunk is written to an unnamed temporary file and read back by offset. They are kept to the end
/// for every entity of the dataset (600,000 at 100,000 profiles, 130 MB), so on disk the memory
/// grows with the number of entities only by their fixed-size records. The file has no name, so
/// nothing else can open it, and the system removes it when the process ends, killed or not. An
/// entity's fields are packed again only when another profile adds a field; the old bytes then stay
/// unused, which is rare.
#[derive(Debug)]
struct Store {
    /// Where the spill file is made.
    folder: PathBuf,
    chunks: Vec<Chunk>,
    /// Made at the first full chunk.
    spill: Option<File>,
    spilled: u64,
    /// The first error writing or reading the spill file. A chunk that could not be written stays
    /// in memory, so nothing is lost; a chunk that could not be read gave no bytes. Either way the
    /// command fails with this error, as the memory bound or the verdict no longer holds.
    error: Mutex<Option<io::Error>>,
}

impl Store {
    /// An empty store that spills to an unnamed file in `folder`.
    fn new(folder: PathBuf) -> Store {
        Store {
            folder,
            chunks: Vec::new(),
            spill: None,
            spilled: 0,
            error: Mutex::new(None),
        }
    }

    /// Packs `fields`, sorted by name, and says where they are.
    fn push(&mut self, fields: &[Field<'_>]) -> Span {
        let len: usize = fields.iter().map(|f| FIELD_HEADER + f.value.len()).sum();
        let room = match self.chunks.last() {
            Some(Chunk::Memory(bytes)) => bytes.capacity() - bytes.len() >= len,
            _ => false,
        };
        if !room {
            self.spill_last();
            self.chunks
                .push(Chunk::Memory(Vec::with_capacity(len.max(CHUNK_BYTES))));
        }
        let chunk = self.chunks.len() - 1;
        let Some(Chunk::Memory(bytes)) = self.chunks.last_mut() else {
            unreachable!("a chunk in memory was pushed above");
        };
        let start = bytes.len();
        for field in fields {
            let (tag, index) = field.origin.place.packed();
            bytes.extend_from_slice(&field.name.to_le_bytes());
            bytes.extend_from_slice(&field.origin.file.to_le_bytes());
            bytes.push(tag);
            bytes.extend_from_slice(&index.to_le_bytes());
            bytes.extend_from_slice(&(field.value.len() as u64).to_le_bytes());
            bytes.extend_from_slice(field.value);
        }
        let narrow = |n: usize| u32::try_from(n).expect("an entity's fields are within the input's limits");
        Span {
            chunk: narrow(chunk),
            start: narrow(start),
            len: narrow(len),
        }
    }

    /// Writes the last chunk to the spill file, if it is in memory; on an error it stays there.
    fn spill_last(&mut self) {
        let Some(last) = self.chunks.last_mut() else {
            return;
        };
        let Chunk::Memory(bytes) = last else {
            return;
        };
        let error = self.error.get_mut().unwrap_or_else(PoisonError::into_inner);
        if error.is_some() {
            return;
        }
        if self.spill.is_none() {
            match tempfile::tempfile_in(&self.folder) {
                Ok(file) => self.spill = Some(file),
                Err(e) => {
                    *error = Some(e);
                    return;
                }
            }
        }
        let file = self.spill.as_ref().expect("made above");
        match file.write_all_at(bytes, self.spilled) {
            Ok(()) => {
                let len = bytes.len();
                *last = Chunk::Spilled { offset: self.spilled };
                self.spilled += len as u64;
            }
            Err(e) => *error = Some(e),
        }
    }

    /// The bytes packed at `span`, read back from the spill file if they are there (an error
    /// reading it gives no bytes and is kept for `error`).
    fn bytes(&self, span: Span) -> Cow<'_, [u8]> {
        let (start, len) = (span.start as usize, span.len as usize);
        match &self.chunks[span.chunk as usize] {
            Chunk::Memory(bytes) => Cow::Borrowed(&bytes[start..start + len]),
            Chunk::Spilled { offset } => {
                let mut bytes = vec![0; len];
                let read = match &self.spill {
                    Some(file) => file.read_exact_at(&mut bytes, offset + start as u64),
                    None => Err(io::Error::other("the spill file is gone")),
                };
                match read {
                    Ok(()) => Cow::Owned(bytes),
                    Err(e) => {
                        self.error
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .get_or_insert(e);
                        Cow::Borrowed(&[])
                    }
                }
            }
        }
    }

    /// The first error writing or reading the spill file, if any.
    fn error(&self) -> Option<SpillError> {
        let error = self.error.lock().unwrap_or_else(PoisonError::into_inner).take()?;
        Some(SpillError {
            folder: self.folder.clone(),
            error,
        })
    }
}

/// The temporary folder could not take the merged entities, or give them back. This is an I/O error
/// of the machine, not a problem of the input: it is reported apart from the problems, which it
/// may have made wrong (a failed read gives no fields).
#[derive(Debug)]
pub struct SpillError {
    /// Where the spill file is made: `TMPDIR`, or the system's default.
    pub folder: PathBuf,
    /// What the system said.
    pub error: io::Error,
}

impl fmt::Display for SpillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot keep the merged organizations and systems in a temporary file there: {}; \
             set TMPDIR to a folder with room",
            crate::escape::path(&self.folder),
            self.error
        )
    }
}

/// The fields packed in `bytes` (what `Store::bytes` gives back for a span), sorted by name.
fn fields(mut bytes: &[u8]) -> impl Iterator<Item = Field<'_>> {
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let name = u32::from_le_bytes(take(&mut bytes));
        let file = u32::from_le_bytes(take(&mut bytes));
        let [tag] = take(&mut bytes);
        let index = u32::from_le_bytes(take(&mut bytes));
        let len = u64::from_le_bytes(take(&mut bytes)) as usize;
        let (value, rest) = bytes.split_at(len);
        bytes = rest;
        let origin = Origin {
            file,
            place: Place::unpacked(tag, index),
        };
        Some(Field { name, value, origin })
    })
}

/// The bytes before a packed field's value: name, file, place (tag and index), value length.
const FIELD_HEADER: usize = 4 + 4 + 1 + 4 + 8;

/// The next `N` bytes of what `Store::push` packed.
fn take<const N: usize>(bytes: &mut &[u8]) -> [u8; N] {
    let (head, rest) = bytes.split_first_chunk::<N>().expect("packed by Store::push");
    *bytes = rest;
    *head
}

/// One profile's own view of an entity while its revisions are merged: its newest value of every
/// field, and its sources as (file, source id) indexes. Dropped once the view is merged.
#[derive(Debug)]
struct View {
    entity_type: EntityType,
    first: Origin,
    fields: Vec<(u32, Vec<u8>, Origin)>,
    sources: Vec<(u32, u32)>,
    /// The days of the profile's earliest and latest revision that declare it.
    seen: Seen,
}

impl View {
    /// Sets a field, replacing the value it had (a newer revision of the same profile).
    fn set(&mut self, name: u32, value: Vec<u8>, origin: Origin) {
        match self.fields.iter_mut().find(|(n, _, _)| *n == name) {
            Some(field) => *field = (name, value, origin),
            None => self.fields.push((name, value, origin)),
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
    field_names: Vec<Box<str>>,
    field_index: HashMap<Box<str>, u32>,
    /// Every entity's index in `records`, by id.
    ids: BTreeMap<Box<str>, u32>,
    records: Vec<Record>,
    store: Store,
    /// (entity, file, source id) of every declaration's sources, as indexes.
    sources: Vec<(u32, u32, u32)>,
    pending: Vec<Pending>,
    /// Every identifier given so far (its field's name and its value), with the entity that has it
    /// and where it was first given.
    identifiers: HashMap<(u32, Vec<u8>), (Box<str>, Origin)>,
    /// How many more ids may be compared for "did you mean": a bound on the time suggestions take.
    suggestion_budget: usize,
}

/// Every organization and system, merged across the dataset, by id.
#[derive(Debug)]
pub struct Entities {
    files: Vec<RevisionFile>,
    source_ids: Vec<String>,
    field_names: Vec<Box<str>>,
    ids: BTreeMap<Box<str>, u32>,
    records: Vec<Record>,
    store: Store,
    /// (entity, file, source id), sorted by entity.
    sources: Vec<(u32, u32, u32)>,
}

impl Entities {
    /// The number of entities.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every revision file, sorted by profile and date.
    pub fn files(&self) -> &[RevisionFile] {
        &self.files
    }

    /// The type of the entity `id`, if it is declared.
    pub fn entity_type(&self, id: &str) -> Option<EntityType> {
        self.ids.get(id).map(|&index| self.records[index as usize].entity_type)
    }

    /// The error, if writing or reading the temporary file failed: what the entities gave is then
    /// incomplete, and nothing may be published.
    pub fn spill_error(&self) -> Option<SpillError> {
        self.store.error()
    }

    /// Every entity, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = Entity<'_>> + '_ {
        self.ids.iter().map(|(id, &index)| self.entity(id, index, true))
    }

    fn entity(&self, id: &str, index: u32, with_sources: bool) -> Entity<'_> {
        let record = &self.records[index as usize];
        let listed = match with_sources {
            true => {
                let from = self.sources.partition_point(|s| s.0 < index);
                let to = self.sources.partition_point(|s| s.0 <= index);
                &self.sources[from..to]
            }
            false => &[],
        };
        let mut sources: Vec<(&str, &str, &str)> = listed
            .iter()
            .map(|&(_, file, source)| {
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
            entity_type: record.entity_type,
            fields: fields(&self.store.bytes(record.fields))
                .map(|field| (&*self.field_names[field.name as usize], FieldValue::decode(field.value)))
                .collect(),
            sources: sources
                .into_iter()
                .map(|(profile, updated, source)| format!("{profile}/{updated}/{source}"))
                .collect(),
            seen: record.seen,
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
            field_names: Vec::new(),
            field_index: HashMap::new(),
            ids: BTreeMap::new(),
            records: Vec::new(),
            store: Store::new(std::env::temp_dir()),
            sources: Vec::new(),
            pending: Vec::new(),
            identifiers: HashMap::new(),
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

    fn field_name(&mut self, name: &str) -> u32 {
        if let Some(&index) = self.field_index.get(name) {
            return index;
        }
        let index = self.field_names.len() as u32;
        self.field_names.push(name.into());
        self.field_index.insert(name.into(), index);
        index
    }

    /// The type of the entity `id`, if a profile seen so far declares it.
    fn declared(&self, id: &str) -> Option<EntityType> {
        self.ids.get(id).map(|&index| self.records[index as usize].entity_type)
    }

    /// Merges a batch of whole profiles, sorted by profile and date, and resolves their references
    /// to entities declared so far; the others wait for `finish`.
    pub fn add(&mut self, revisions: &[CheckedRevision], problems: &mut dyn Sink) {
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
                updated: revision.revision.updated.to_string(),
            });
        }

        let mut file = first_file;
        for profile_revisions in revisions.chunk_by(|a, b| a.revision.profile == b.revision.profile) {
            // First the profile's own view: its newest value of every field.
            let mut own: BTreeMap<&str, View> = BTreeMap::new();
            for revision in profile_revisions {
                let day = Seen::on(revision.revision.updated.day());
                for declaration in &revision.declarations {
                    let origin = Origin {
                        file,
                        place: Place::of(&declaration.pointer),
                    };
                    let view = own.entry(&declaration.id).or_insert_with(|| View {
                        entity_type: declaration.entity_type,
                        first: origin,
                        fields: Vec::new(),
                        sources: Vec::new(),
                        seen: day,
                    });
                    if view.entity_type != declaration.entity_type {
                        let (found, first) = (view.entity_type, view.first);
                        let problem =
                            self.type_conflict(&declaration.id, declaration.entity_type, origin, found, first);
                        problems.push(problem);
                        continue;
                    }
                    view.seen = view.seen.widened(day);
                    for (name, value) in &declaration.fields {
                        let name = self.field_name(name);
                        let mut encoded = Vec::new();
                        value.encode(&mut encoded);
                        view.set(name, encoded, origin);
                    }
                    for source in &declaration.sources {
                        let source = self.source(source);
                        view.sources.push((file, source));
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
                match self.declared(&reference.id) {
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

    /// Packs fields, sorted by name.
    fn pack(&mut self, mut fields: Vec<Field<'_>>) -> Span {
        let names = &self.field_names;
        fields.sort_unstable_by(|a, b| names[a.name as usize].cmp(&names[b.name as usize]));
        self.store.push(&fields)
    }

    /// Refuses an identifier (scheme and value) that another entity already has: it is one thing
    /// under two ids. The first entity to give it keeps it.
    fn identify(&mut self, id: &str, view: &View, problems: &mut dyn Sink) {
        for (name, value, origin) in &view.fields {
            let Some(scheme) = self.field_names[*name as usize].strip_prefix("identifiers.") else {
                continue;
            };
            let scheme = scheme.to_owned();
            let (other, first) = match self.identifiers.entry((*name, value.clone())) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert((id.into(), *origin));
                    continue;
                }
                std::collections::hash_map::Entry::Occupied(slot) if &*slot.get().0 != id => slot.get().clone(),
                std::collections::hash_map::Entry::Occupied(_) => continue,
            };
            let FieldValue::Text(shown) = FieldValue::decode(value) else {
                continue;
            };
            let here = self.files[origin.file as usize].path.clone();
            let pointer = format!("{}/identifiers/{scheme}", origin.place.pointer());
            let position = self.locator.position(&here, &pointer);
            let there = self.files[first.file as usize].path.clone();
            let first_pointer = format!("{}/identifiers/{scheme}", first.place.pointer());
            let first_position = self.locator.position(&there, &first_pointer);
            problems.push(
                Diagnostic::new(
                    Code::SharedIdentifier,
                    &here,
                    position,
                    format!(
                        "`{id}` has the {scheme} identifier `{shown}`, which `{other}` has too: \
                         one thing under two ids; declare it once, or correct the identifier"
                    ),
                )
                .at_pointer(&pointer)
                .with_note(&there, first_position, format!("`{other}` has it here")),
            );
        }
    }

    fn agree(&mut self, id: &str, view: View, problems: &mut dyn Sink) {
        self.identify(id, &view, problems);
        let index = match self.ids.entry(id.into()) {
            Entry::Vacant(slot) => {
                let index = self.records.len() as u32;
                slot.insert(index);
                let fields = view.fields.iter().map(|(name, value, origin)| Field {
                    name: *name,
                    value,
                    origin: *origin,
                });
                let fields = self.pack(fields.collect());
                self.records.push(Record {
                    entity_type: view.entity_type,
                    first: view.first,
                    fields,
                    seen: view.seen,
                });
                self.sources
                    .extend(view.sources.iter().map(|&(file, source)| (index, file, source)));
                return;
            }
            Entry::Occupied(slot) => *slot.get(),
        };
        let record = self.records[index as usize];
        if record.entity_type != view.entity_type {
            let problem = self.type_conflict(id, view.entity_type, view.first, record.entity_type, record.first);
            problems.push(problem);
            return;
        }
        let mut conflicts = Vec::new();
        let mut added = Vec::new();
        // Read once: the fields may be in the spill file.
        let stored = self.store.bytes(record.fields);
        let existing: Vec<Field<'_>> = fields(&stored).collect();
        for (name, value, origin) in &view.fields {
            match existing.iter().find(|field| field.name == *name) {
                Some(existing) if existing.value != value => {
                    conflicts.push((*name, value, *origin, existing.value.to_owned(), existing.origin));
                }
                Some(_) => {}
                None => added.push((*name, value.clone(), *origin)),
            }
        }
        if !added.is_empty() {
            let mut all: Vec<(u32, Vec<u8>, Origin)> = existing
                .iter()
                .map(|field| (field.name, field.value.to_owned(), field.origin))
                .collect();
            drop(stored);
            all.append(&mut added);
            let all = all.iter().map(|(name, value, origin)| Field {
                name: *name,
                value,
                origin: *origin,
            });
            self.records[index as usize].fields = self.pack(all.collect());
        }
        self.sources
            .extend(view.sources.iter().map(|&(file, source)| (index, file, source)));
        let merged = &mut self.records[index as usize];
        merged.seen = merged.seen.widened(view.seen);
        for (name, value, origin, existing, first) in conflicts {
            let name = self.field_names[name as usize].clone();
            let (value, existing) = (FieldValue::decode(value), FieldValue::decode(&existing));
            let (path, position) = self.position(origin);
            let (first_path, first_position) = self.position(first);
            problems.push(
                Diagnostic::new(
                    Code::MergeConflict,
                    &path,
                    position,
                    format!(
                        "`{id}` has {name} {value} here, but another profile gives it {name} {existing}{}",
                        look_alike(&value.to_string(), &existing.to_string())
                    ),
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
                if let Some(budget) = self.suggestion_budget.checked_sub(self.ids.len()) {
                    self.suggestion_budget = budget;
                    let close = crate::diagnostic::did_you_mean(&reference.id, self.ids.keys().map(|id| &**id));
                    if let Some(close) = close {
                        hint = format!("; did you mean `{close}`?");
                    }
                }
                format!(
                    "`{}` is not declared as an organization, system or person in any file{hint}",
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
    pub fn finish(mut self, problems: &mut dyn Sink) -> Entities {
        for pending in std::mem::take(&mut self.pending) {
            let found = self.declared(&pending.reference.id);
            if let Some(problem) = self.resolve(pending.file, &pending.reference, found) {
                problems.push(problem);
            }
        }
        for field in ["parent", "replaces"] {
            self.cycles(field, problems);
        }
        let name = self.field_index.get("name").copied();
        let unnamed: Vec<(String, Origin)> = self
            .ids
            .iter()
            .map(|(id, &index)| (id, self.records[index as usize]))
            .filter(|(_, record)| !fields(&self.store.bytes(record.fields)).any(|field| Some(field.name) == name))
            .map(|(id, record)| (id.to_string(), record.first))
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
        // Each entity's sources next to each other, for `Entities::entity` to find.
        self.sources.sort_unstable();
        Entities {
            files: self.files,
            source_ids: self.source_ids,
            field_names: self.field_names,
            ids: self.ids,
            records: self.records,
            store: self.store,
            sources: self.sources,
        }
    }

    /// Refuses a chain of `field` links (`parent`, `replaces`) that comes back to where it
    /// started, a link to itself included: each cycle once, at its smallest id. Every entity has
    /// at most one such link, so following them visits each entity once.
    fn cycles(&mut self, field: &str, problems: &mut dyn Sink) {
        let name = self.field_index.get(field).copied();
        let target = |record: &Record| {
            let stored = self.store.bytes(record.fields);
            let link = fields(&stored).find(|f| Some(f.name) == name)?;
            let FieldValue::Text(id) = FieldValue::decode(link.value) else {
                return None;
            };
            Some((id, link.origin))
        };
        let links: BTreeMap<&str, (String, Origin)> = self
            .ids
            .iter()
            .filter_map(|(id, &index)| Some((&**id, target(&self.records[index as usize])?)))
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
                "`{id}` is declared here as {} {}, but elsewhere as {} {}; organizations, systems and people share one id namespace",
                article(found),
                found.as_str(),
                article(first),
                first.as_str()
            ),
        )
        .with_note(&first_path, first_position, "declared here")
    }
}

/// Most code points shown of each side of a difference.
const MAX_CODE_POINTS: usize = 16;

/// What tells apart two values (JSON texts) that differ but look alike, for the message of their
/// conflict: `; they look alike but are written differently: U+0065 U+0301 here against U+00E9
/// there` (`é` decomposed and composed). Two values look alike when they have the same confusable
/// skeleton (`skeleton`); the code points shown are those of the part that differs, widened to
/// whole characters. Nothing when the values differ visibly.
fn look_alike(here: &str, there: &str) -> String {
    let skeleton_of = |json: &str| {
        let value = serde_json::from_str(json).unwrap_or_else(|_| serde_json::Value::String(json.to_owned()));
        skeleton(value)
    };
    if here == there || skeleton_of(here) != skeleton_of(there) {
        return String::new();
    }
    let (here, there): (Vec<char>, Vec<char>) = (here.chars().collect(), there.chars().collect());
    let (mut start, mut common_end) = (0, 0);
    while start < here.len().min(there.len()) && here[start] == there[start] {
        start += 1;
    }
    while common_end < here.len().min(there.len()) - start
        && here[here.len() - 1 - common_end] == there[there.len() - 1 - common_end]
    {
        common_end += 1;
    }
    // A combining mark belongs to the character before it: show the whole character.
    let mark = |chars: &[char], at: usize| {
        chars
            .get(at)
            .is_some_and(|&c| unicode_normalization::char::is_combining_mark(c))
    };
    while start > 0 && (mark(&here, start) || mark(&there, start)) {
        start -= 1;
    }
    while common_end > 0 && (mark(&here, here.len() - common_end) || mark(&there, there.len() - common_end)) {
        common_end -= 1;
    }
    let shown = |chars: &[char]| {
        let part = &chars[start..chars.len() - common_end];
        if part.is_empty() {
            "nothing".to_owned()
        } else {
            crate::escape::code_points(part, MAX_CODE_POINTS)
        }
    };
    format!(
        "; they look alike but are written differently: {} here against {} there",
        shown(&here),
        shown(&there)
    )
}

/// A value as it looks: each of its texts in NFKC, without invisible characters, with each run of
/// white space as one space and none at either end, each dash as `-`, then reduced to its
/// confusable skeleton (Unicode TS #39: Cyrillic `а` and Latin `a` are one letter).
fn skeleton(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    use unicode_general_category::{GeneralCategory, get_general_category};
    use unicode_normalization::UnicodeNormalization;
    match value {
        Value::String(text) => {
            let mut plain = String::with_capacity(text.len());
            for c in text.nfkc().filter(|&c| !crate::escape::is_invisible(c)) {
                if c.is_whitespace() {
                    if !plain.is_empty() && !plain.ends_with(' ') {
                        plain.push(' ');
                    }
                } else if c == '\u{2212}' || get_general_category(c) == GeneralCategory::DashPunctuation {
                    plain.push('-');
                } else {
                    plain.push(c);
                }
            }
            let plain = plain.trim_end();
            Value::String(unicode_security::confusable_detection::skeleton(plain).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(skeleton).collect()),
        Value::Object(members) => Value::Object(members.into_iter().map(|(k, v)| (k, skeleton(v))).collect()),
        other => other,
    }
}

fn article(entity_type: EntityType) -> &'static str {
    entity_type.article()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_look_alike_are_told_apart_by_their_code_points() {
        // The values as the merger holds them: JSON texts, as serde_json writes them.
        let json = |value: serde_json::Value| value.to_string();
        let hint = |here: &str, there: &str| look_alike(&json(here.into()), &json(there.into()));
        assert_eq!(
            hint("Caf\u{e9}", "Cafe\u{301}"),
            "; they look alike but are written differently: U+00E9 here against U+0065 U+0301 there"
        );
        assert_eq!(
            hint("Agency\u{a0}", "Agency"),
            "; they look alike but are written differently: U+00A0 here against nothing there"
        );
        assert_eq!(
            hint("Booz Allen \u{2013} Hamilton", "Booz Allen - Hamilton"),
            "; they look alike but are written differently: U+2013 here against U+002D there"
        );
        assert_eq!(
            hint("Am\u{430}zon", "Amazon"),
            "; they look alike but are written differently: U+0430 here against U+0061 there"
        );
        assert_eq!(
            hint("Ama\u{200b}zon", "Amazon"),
            "; they look alike but are written differently: U+200B here against nothing there"
        );
        assert_eq!(
            hint("Amazon  Web", "Amazon Web"),
            "; they look alike but are written differently: U+0020 here against nothing there"
        );
        // Lists of texts too.
        assert_eq!(
            look_alike(
                &json(serde_json::json!(["ICE", "Caf\u{e9}"])),
                &json(serde_json::json!(["ICE", "Cafe\u{301}"]))
            ),
            "; they look alike but are written differently: U+00E9 here against U+0065 U+0301 there"
        );
        // Values that differ visibly need no code points.
        assert_eq!(hint("Other Agency", "Agency"), "");
        assert_eq!(hint("Amazon", "amazon"), "");
        assert_eq!(hint("Caf\u{e9}", "Cafe"), "");
        assert_eq!(look_alike("10", "11"), "");
    }

    #[test]
    fn the_store_gives_back_every_field_as_packed_from_memory_or_the_spill_file() {
        let large = format!("\"{}\"", "é".repeat(CHUNK_BYTES));
        let origin = |file, place| Origin { file, place };
        let entities = [
            vec![
                Field {
                    name: 0,
                    value: b"\"Agency\"",
                    origin: origin(0, Place::Name),
                },
                Field {
                    name: 3,
                    value: b"[\"a\",\"b\"]",
                    origin: origin(7, Place::Organization(2)),
                },
            ],
            vec![],
            vec![Field {
                name: 1,
                value: large.as_bytes(),
                origin: origin(u32::MAX, Place::System(u32::MAX)),
            }],
            vec![Field {
                name: 2,
                value: b"-5",
                origin: origin(1, Place::System(0)),
            }],
        ];
        let folder = tempfile::tempdir().expect("temporary folder");
        let unwritable = folder.path().join("missing");
        for (spills, at) in [(true, folder.path()), (false, unwritable.as_path())] {
            let mut store = Store::new(at.to_path_buf());
            let spans: Vec<Span> = entities.iter().map(|fields| store.push(fields)).collect();
            let kinds: Vec<bool> = store
                .chunks
                .iter()
                .map(|c| matches!(c, Chunk::Spilled { .. }))
                .collect();
            // The large value has a chunk of its own, the next one a new chunk; the full ones are
            // written out, unless the folder cannot take them.
            assert_eq!(kinds, [spills, spills, false]);
            let show = |f: Field<'_>| (f.name, f.value.to_owned(), f.origin.file, f.origin.place.pointer());
            for (given, span) in entities.iter().zip(spans) {
                let back: Vec<_> = fields(&store.bytes(span)).map(show).collect();
                let given: Vec<_> = given.iter().copied().map(show).collect();
                assert_eq!(back, given);
            }
            match store.error() {
                None => assert!(spills),
                Some(error) => {
                    assert!(!spills);
                    assert_eq!(error.folder, at);
                    assert_eq!(error.error.kind(), io::ErrorKind::NotFound);
                    let message = error.to_string();
                    assert!(message.starts_with(&format!("{}: ", at.display())), "{message}");
                    assert!(message.ends_with("set TMPDIR to a folder with room"), "{message}");
                }
            }
        }
    }

    #[test]
    fn a_spilled_chunk_that_cannot_be_read_back_is_an_error_not_a_panic() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut store = Store::new(folder.path().to_path_buf());
        let field = Field {
            name: 0,
            value: b"\"Agency\"",
            origin: Origin {
                file: 0,
                place: Place::Name,
            },
        };
        let span = store.push(&[field]);
        store.spill_last();
        assert!(matches!(store.chunks[0], Chunk::Spilled { .. }));
        assert!(store.error().is_none());
        // The file lost: what a failed read looks like from here.
        store.spill = None;
        assert_eq!(fields(&store.bytes(span)).count(), 0);
        let error = store.error().expect("the failed read is reported");
        assert_eq!(error.folder, folder.path());
        assert_eq!(error.error.to_string(), "the spill file is gone");
        assert!(store.error().is_none(), "reported once");
    }
}
