//! Checking: every curated file against the input JSON Schema, then against the rules of the data,
//! all problems at once, sorted by file and position. The result is a dataset that later stages can
//! trust without checking again.

mod fields;
mod merge;
mod messages;
mod problems;
mod quotes;
mod rules;

use crate::archive::Archive;
use crate::diagnostic::{Code, Diagnostic, Position, Source};
use crate::input::Input;
use crate::load::{self, Document, Limits};
use crate::model::{CELL_UNITS, DatasetMeta, Revision};
use crate::progress::Progress;
use jsonschema::Validator;
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

pub use fields::FieldValue;
pub use merge::{Entities, Entity, Seen, SpillError};
pub use problems::{FileProblems, MAX_FILE_PROBLEMS, MAX_PROBLEMS, Problems, Sink};
pub use rules::{ClaimRef, Declaration, Reference};

/// A revision that passed every per-file check, with what the cross-file checks need.
#[derive(Debug)]
pub struct CheckedRevision {
    /// The file, as reached from the current folder.
    pub path: PathBuf,
    /// The revision as curated.
    pub revision: Revision,
    /// The key of every claim, in file order per kind.
    pub claims: Vec<ClaimRef>,
    /// Organizations and systems this revision declares (the profiled company first).
    pub declarations: Vec<Declaration>,
    /// Every reference to an entity.
    pub references: Vec<Reference>,
}

/// A revision file that passed checking.
#[derive(Debug, Clone)]
pub struct RevisionFile {
    /// The file, as reached from the current folder.
    pub path: PathBuf,
    /// Its profile.
    pub profile: String,
    /// Its date.
    pub updated: String,
}

/// What checking leaves once every revision has been seen: the revisions themselves were handed out
/// a batch at a time and are not kept, so memory grows with the number of entities, not of files.
#[derive(Debug)]
pub struct Checked {
    /// The input folder.
    pub input: Input,
    /// `dataset.yaml`.
    pub meta: DatasetMeta,
    /// Every organization and system, merged across files, and every revision file.
    pub entities: Entities,
}

/// Why checking stopped: problems in the input, the temporary folder, or an error of whoever was
/// handed the revisions.
#[derive(Debug)]
pub enum Failure<E> {
    /// Every problem found, sorted.
    Problems(Vec<Diagnostic>),
    /// The temporary folder could not take or give back the merged entities. It wins over the
    /// problems: a failed read gives no fields, which can make a problem of a sound entity.
    Spill(merge::SpillError),
    /// The error of the visitor.
    Visit(E),
}

/// Files are checked in parallel a batch at a time: large enough to keep every core busy, small
/// enough that a batch's revisions take little memory (up to four batches are in flight in
/// `build`: one checked, one merged, one queued, one written). A batch is closed at the first
/// profile that ends once it holds `BATCH_FILES` files or `BATCH_BYTES` bytes of them.
pub const BATCH_FILES: usize = 256;

/// Bytes of files in a batch. A batch takes about 20 times its bytes of memory while it is
/// checked, merged and written, and `build` holds up to four. 256 generated profiles (6 to 10 KB
/// each) weigh less than this, so their batches still close at 256 files; files of megabytes go a
/// few at a time. Measured on 120 files of 1.5 MB: `build` peaks at 280 MB with batches of 4 MiB
/// (264 MB with 2 MiB, 430 MB with 8, 940 MB with 16, in about the same time), against 4 GB when
/// the 120 files were one batch.
///
/// A batch holds whole profiles only: the revisions of one profile are merged together and each is
/// compared with the one before, so a profile is never split. What bounds the memory of one profile
/// with many large revisions is therefore the profile itself: about 20 times the bytes of all its
/// revisions (each at most `--max-file-size`), in each of the four batches in flight.
pub const BATCH_BYTES: u64 = 4 << 20;

/// A compiled input schema, with the schema itself (messages look up the fields a mapping has) and
/// what its documents are called in messages.
struct Schema {
    validator: Validator,
    root: serde_json::Value,
    noun: &'static str,
}

static REVISION_VALIDATOR: LazyLock<Schema> =
    LazyLock::new(|| validator(crate::model::revision_schema(), "a revision"));
static DATASET_VALIDATOR: LazyLock<Schema> =
    LazyLock::new(|| validator(crate::model::dataset_schema(), "dataset.yaml"));

fn validator(root: serde_json::Value, noun: &'static str) -> Schema {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .expect("the generated schema is a valid JSON Schema");
    Schema { validator, root, noun }
}

/// `dataset.yaml`, read and checked before any revision: its description if it is a valid one,
/// its document (where any later problem of it is placed, such as a failed publication gate), and
/// its problems, which the problems of the revisions join.
#[derive(Debug)]
pub struct Dataset {
    /// Where `dataset.yaml` is, as reached from the current folder.
    pub path: PathBuf,
    /// The description, if `dataset.yaml` passed checking.
    pub meta: Option<DatasetMeta>,
    /// The document, if `dataset.yaml` could be read and parsed.
    pub document: Option<Document>,
    /// Its problems; whoever adds to them stops the revisions from being handed out.
    pub problems: FileProblems,
}

/// Reads and checks `dataset.yaml`: the first step of checking, before `stream`.
pub fn dataset(input: &Input, limits: &Limits) -> Dataset {
    let path = input.path().join("dataset.yaml");
    let mut problems = FileProblems::new(MAX_FILE_PROBLEMS);
    let (meta, document) = load_dataset_meta(&path, input, limits, &mut problems);
    Dataset {
        path,
        meta,
        document,
        problems,
    }
}

/// Checks the curated folder, keeping only the revisions of `profile` (sorted by date), for
/// `diff`: every file is checked, but memory holds one profile's revisions, not the dataset's.
pub fn revisions_of(
    input: &Input,
    limits: &Limits,
    quiet: bool,
    profile: &str,
) -> Result<Vec<CheckedRevision>, Failure<std::convert::Infallible>> {
    let mut revisions = Vec::new();
    let visit = |batch: Vec<CheckedRevision>| -> Result<(), std::convert::Infallible> {
        revisions.extend(
            batch
                .into_iter()
                .filter(|revision| revision.revision.profile == profile),
        );
        Ok(())
    };
    stream(input, dataset(input, limits), limits, quiet, None, visit)?;
    Ok(revisions)
}

/// Checks the curated folder, whose `dataset.yaml` is `dataset`, a batch of whole profiles at a
/// time, handing each batch's revisions (sorted by profile and date) to `visit` as long as no
/// problem has been found, and returns what the cross-file rules keep, or every problem found,
/// sorted. With an `archive`, every quote is looked for in it (and the archive's own problems are
/// among those found).
pub fn stream<E>(
    input: &Input,
    dataset: Dataset,
    limits: &Limits,
    quiet: bool,
    archive: Option<&Archive>,
    mut visit: impl FnMut(Vec<CheckedRevision>) -> Result<(), E>,
) -> Result<Checked, Failure<E>> {
    let mut problems = Problems::new(input.path());
    let Dataset {
        path,
        meta,
        problems: found,
        ..
    } = dataset;
    let (kept, counted) = found.finish();
    problems.add_file(&path, kept, counted);
    let (files, walk_problems) = input.profile_files();
    if files.is_empty() && walk_problems.is_empty() {
        problems.push(Diagnostic::new(
            Code::NoRevisions,
            &input.path().join("profiles"),
            Position::START,
            "holds no revision: a dataset needs at least one file profiles/<profile>/<updated>.yaml",
        ));
    }
    for problem in walk_problems {
        problems.push(problem);
    }
    for problem in archive.iter().flat_map(|archive| archive.problems.iter().cloned()) {
        problems.push(problem);
    }
    let mut merger = merge::Merger::new(input, limits);
    let progress = Progress::new("checking", files.len(), quiet);
    // A wrong size (a file replaced meanwhile) only moves where a batch ends: the file is read once,
    // within the size limit, when it is checked.
    let bytes = |path: &PathBuf| std::fs::symlink_metadata(path).map_or(0, |meta| meta.len());
    let profile_ends = |a: &PathBuf, b: &PathBuf| a.parent() != b.parent();
    let mut batches = batches(&files, BATCH_FILES, BATCH_BYTES, bytes, profile_ends).into_iter();
    // The merger is serial: it takes each batch while the next one is checked, so no core idles.
    let mut merging: Option<Vec<CheckedRevision>> = None;
    loop {
        let batch = batches.next();
        if batch.is_none() && merging.is_none() {
            break;
        }
        let check_next = || batch.map(|batch| check_batch(input, batch, limits, archive));
        let merge = || {
            if let Some(revisions) = &merging {
                merger.add(revisions, &mut problems);
            }
        };
        let (checked, ()) = rayon::join(check_next, merge);
        // Handed out on this thread, never from the pool: a visitor may block (the writer's queue).
        if let Some(revisions) = merging.take()
            && problems.is_empty()
            && meta.is_some()
        {
            visit(revisions).map_err(Failure::Visit)?;
        }
        if let Some((revisions, file_problems)) = checked {
            for (path, kept, counted) in file_problems {
                problems.add_file(&path, kept, counted);
            }
            progress.advance(batch.map_or(0, <[PathBuf]>::len));
            merging = Some(revisions);
        }
    }
    progress.finish();
    let entities = merger.finish(&mut problems);
    if let Some(error) = entities.spill_error() {
        return Err(Failure::Spill(error));
    }
    let mut problems = problems.finish();
    cross_file_snippets(&mut problems, input, entities.files(), limits);
    match meta {
        Some(meta) if problems.is_empty() => Ok(Checked {
            input: input.clone(),
            meta,
            entities,
        }),
        _ => Err(Failure::Problems(problems)),
    }
}

/// The problems of one file's own checks: the file, the first problems (sorted) and how many more.
type FileFound = (PathBuf, Vec<Diagnostic>, u64);

/// Checks a batch of files in parallel: its revisions, sorted by profile and date, and the
/// problems of its files.
fn check_batch(
    input: &Input,
    batch: &[PathBuf],
    limits: &Limits,
    archive: Option<&Archive>,
) -> (Vec<CheckedRevision>, Vec<FileFound>) {
    let results: Vec<(Option<CheckedRevision>, FileFound)> = batch
        .par_iter()
        .map(|path| {
            let mut problems = FileProblems::new(MAX_FILE_PROBLEMS);
            let checked = check_file(input, path, limits, archive, &mut problems);
            let (kept, counted) = problems.finish();
            (checked, (path.clone(), kept, counted))
        })
        .collect();
    let mut revisions = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for (checked, file_problems) in results {
        if !file_problems.1.is_empty() {
            problems.push(file_problems);
        }
        revisions.extend(checked);
    }
    revisions.sort_by(|a, b| {
        (&a.revision.profile, &a.revision.updated, &a.path).cmp(&(&b.revision.profile, &b.revision.updated, &b.path))
    });
    (revisions, problems)
}

/// Sorted items in batches, never splitting a run of items that belong together (the files of one
/// profile; `apart` says where a run ends): a batch is closed at the first end of a run once it
/// holds `count` items or `limit` of their `weight` (bytes), whichever comes first.
pub fn batches<T>(
    items: &[T],
    count: usize,
    limit: u64,
    weight: impl Fn(&T) -> u64,
    apart: impl Fn(&T, &T) -> bool,
) -> Vec<&[T]> {
    let mut batches = Vec::new();
    let (mut start, mut weighed) = (0, 0);
    for (index, item) in items.iter().enumerate() {
        weighed += weight(item);
        let full = index + 1 - start >= count || weighed >= limit;
        if full && items.get(index + 1).is_some_and(|next| apart(item, next)) {
            batches.push(&items[start..=index]);
            (start, weighed) = (index + 1, 0);
        }
    }
    if start < items.len() {
        batches.push(&items[start..]);
    }
    batches
}

/// Reads and checks the `dataset.yaml` at `path`: its description if it is a valid one, and its
/// document if it could be read, its problems (with their source lines) added to `problems`.
fn load_dataset_meta(
    path: &Path,
    input: &Input,
    limits: &Limits,
    problems: &mut FileProblems,
) -> (Option<DatasetMeta>, Option<Document>) {
    if std::fs::symlink_metadata(path).is_err() {
        problems.push(Diagnostic::new(
            Code::MissingDataset,
            path,
            Position::START,
            "is missing: the input folder needs a dataset.yaml that names and licenses the dataset",
        ));
        return (None, None);
    }
    let document = match load::load_file(input, path, limits) {
        Ok(document) => document,
        Err(problem) => {
            problems.push(problem);
            return (None, None);
        }
    };
    let meta: Option<DatasetMeta> = validate(&document, &DATASET_VALIDATOR, problems);
    if let Some(meta) = &meta {
        dataset_name(&document, meta, problems);
    }
    with_snippets(&document, problems.kept_mut());
    (meta, Some(document))
}

/// The longest file name a system takes, in bytes (`NAME_MAX` on Linux, macOS and the BSDs).
const NAME_MAX: usize = 255;

/// The longest suffix the dataset's `name` is given in a file name of the dataset.
const NAME_SUFFIXES: [&str; 3] = [".xlsx", ".sqlite", ".metadata.json"];

/// Refuses a dataset `name` too long for the file names `build` gives it (`xlsx/<name>.xlsx`,
/// `sqlite/<name>.sqlite`, `sqlite/<name>.metadata.json`): found here, not when `build` writes.
fn dataset_name(document: &Document, meta: &DatasetMeta, problems: &mut FileProblems) {
    let longest = NAME_SUFFIXES
        .iter()
        .map(|suffix| suffix.len())
        .max()
        .unwrap_or_default();
    let room = NAME_MAX - longest;
    if meta.name.len() > room {
        problems.push(document.error(
            Code::NameTooLong,
            "/name",
            format!(
                "is {} bytes long, too long for the file names it gives: `sqlite/<name>.metadata.json` \
                 must fit the {NAME_MAX} bytes a file name holds, so a name has at most {room}",
                meta.name.len()
            ),
        ));
    }
}

/// Checks one revision file given as bytes, as if it were `profiles/<relative>`, against the schema
/// and the per-file rules (not the cross-file ones): the entry point of the fuzzers.
pub fn check_bytes(relative: &Path, bytes: &[u8], limits: &Limits) -> Vec<Diagnostic> {
    let mut problems = FileProblems::new(MAX_FILE_PROBLEMS);
    let Some(format) = load::Format::of(relative) else {
        return Vec::new();
    };
    let document = match load::parse(relative, bytes, format, limits) {
        Ok(document) => document,
        Err(problem) => return vec![problem],
    };
    check_document(&document, relative, &mut problems);
    problems.into_vec(relative)
}

fn check_file(
    input: &Input,
    path: &Path,
    limits: &Limits,
    archive: Option<&Archive>,
    problems: &mut FileProblems,
) -> Option<CheckedRevision> {
    let document = load::load_file(input, path, limits)
        .map_err(|d| problems.push(d))
        .ok()?;
    let relative = path.strip_prefix(input.path().join("profiles")).unwrap_or(path);
    let checked = check_document(&document, relative, problems);
    if let (Some(checked), Some(archive)) = (&checked, archive) {
        for problem in quotes::check(&document, &checked.revision, archive) {
            problems.push(problem);
        }
    }
    with_snippets(&document, problems.kept_mut());
    checked
}

/// The schema, then the per-file rules, on a loaded revision file. A file that fails the schema
/// still gets the rules on every part that is well-typed, and its declarations still count for the
/// cross-file rules (the run fails anyway, so nothing is built from it): one run shows every
/// mistake, and a reference to an id declared in a broken file is not reported as undeclared.
fn check_document(document: &Document, relative: &Path, problems: &mut FileProblems) -> Option<CheckedRevision> {
    let value = checked_value(document);
    let checked = check_value(document, &value, relative, problems);
    cell_lengths(document, &value, problems);
    checked
}

/// The schema, then the per-file rules, on the value of a revision file.
fn check_value(
    document: &Document,
    value: &serde_json::Value,
    relative: &Path,
    problems: &mut FileProblems,
) -> Option<CheckedRevision> {
    let broken = schema_problems(document, &REVISION_VALIDATOR, value, problems);
    // Dates and amounts are parsed as the revision is read: most documents are read at once.
    if broken.is_empty()
        && let Ok(revision) = Revision::deserialize(value)
    {
        return rules::check_revision(document, relative, revision, problems);
    }
    // What the schema cannot see: dates that do not exist, amounts that are not exact decimals. Each
    // is reported at its own place, and set aside like a part the schema refused.
    let unparsed = scalar_problems(document, &REVISION_VALIDATOR.root, value, &broken, problems);
    if broken.is_empty() && unparsed.is_empty() {
        // Neither: a value its type cannot hold (a number too large for it), reported at its place.
        let _: Option<Revision> = deserialize(document, value, problems);
        return None;
    }
    // Repair what the types cannot read: a broken text field the schema requires gets a text in
    // its place (its own words, or nothing), any other broken member the schema does not require is
    // set aside, else the list item that holds it. A broken document leaves nothing to check.
    let root = &REVISION_VALIDATOR.root;
    let mut repaired = value.clone();
    let mut removals = std::collections::HashSet::new();
    // Rules say nothing about a repaired value, nor about the mapping it belongs to as a whole
    // (`an amount needs a value` once `valeu` is set aside): that would be a cascade.
    let (mut shadows, mut owners) = (Vec::new(), Vec::new());
    for (pointer, missing) in &broken {
        match repair(root, &repaired, pointer, missing.as_deref())? {
            Repair::Remove(removed) => {
                owners.push(owner(&removed));
                removals.insert(removed);
            }
            Repair::Set(at, text) => {
                owners.push(owner(&at));
                shadows.push(at.clone());
                let (parent, key) = at.rsplit_once('/')?;
                let key = key.replace("~1", "/").replace("~0", "~");
                if let Some(serde_json::Value::Object(members)) = repaired.pointer_mut(parent) {
                    members.insert(key, serde_json::Value::String(text));
                }
            }
        }
    }
    for pointer in &unparsed {
        let removed = removable(root, pointer)?;
        owners.push(owner(&removed));
        removals.insert(removed);
    }
    owners.retain(|owner| !owner.is_empty());
    let mut kept = Kept::default();
    for removal in &removals {
        for (at, _) in removal.match_indices('/') {
            kept.containers.insert(removal[..at].to_owned());
        }
    }
    let pruned = kept.prune(&repaired, &mut String::new(), &removals);
    let revision = Revision::deserialize(&pruned).ok()?;
    // The rules' problems are taken back to the places in the file, and those about a repaired
    // value left out, as they are found: what is kept is bounded, and kept by its real position.
    let mut found = Repaired {
        document,
        kept: &kept,
        shadows: &shadows,
        owners: &owners,
        problems,
    };
    let mut checked = rules::check_revision(document, relative, revision, &mut found)?;
    if !kept.items.is_empty() {
        for declaration in &mut checked.declarations {
            declaration.pointer = kept.original(&declaration.pointer);
        }
        for reference in &mut checked.references {
            reference.pointer = kept.original(&reference.pointer);
        }
    }
    Some(checked)
}

/// The problems the rules find in a repaired revision, on their way to the file's problems.
struct Repaired<'a> {
    document: &'a Document,
    /// What was set aside: pointers into the pruned value go back to the original.
    kept: &'a Kept,
    /// Values put in place of broken ones: nothing is said about them.
    shadows: &'a [String],
    /// Mappings that lost a member or item: nothing is said about them as a whole.
    owners: &'a [String],
    problems: &'a mut FileProblems,
}

impl Sink for Repaired<'_> {
    fn push(&mut self, mut problem: Diagnostic) {
        if !self.kept.items.is_empty()
            && let Some(pointer) = &problem.pointer
        {
            let original = self.kept.original(pointer);
            problem.position = self.document.position(&original);
            problem.pointer = Some(original.into());
        }
        let pointer = problem.pointer.as_deref().unwrap_or_default();
        let repaired = self.shadows.iter().any(|shadow| inside(pointer, shadow))
            || self.owners.iter().any(|owner| owner == pointer);
        if !repaired {
            self.problems.push(problem);
        }
    }
}

/// Whether `pointer` is `part` or inside it.
fn inside(pointer: &str, part: &str) -> bool {
    pointer == part || pointer.strip_prefix(part).is_some_and(|rest| rest.starts_with('/'))
}

/// Reports every value that the model parses when it is read (a partial date, a day, an amount:
/// see `model::parse_scalar`) and that does not parse, found by walking the document with its
/// schema; parts the schema refused already (`refused`) are left to that problem. Returns their
/// pointers.
fn scalar_problems(
    document: &Document,
    root: &serde_json::Value,
    value: &serde_json::Value,
    refused: &[(String, Option<String>)],
    problems: &mut FileProblems,
) -> Vec<String> {
    let mut found = Vec::new();
    unparsed_scalars(root, root, value, &mut String::new(), &mut found);
    found.retain(|(pointer, _, _)| !refused.iter().any(|(part, _)| inside(pointer, part)));
    for (pointer, scalar, message) in &found {
        let code = match scalar {
            crate::model::Scalar::Date => Code::InvalidDate,
            crate::model::Scalar::Amount => Code::InvalidAmount,
            crate::model::Scalar::Identifier => Code::InvalidIdentifier,
        };
        problems.push(document.error(code, pointer, message.clone()));
    }
    found.into_iter().map(|(pointer, _, _)| pointer).collect()
}

/// The values under `pointer` whose schema names a parsed scalar and that do not parse.
fn unparsed_scalars(
    root: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    pointer: &mut String,
    found: &mut Vec<(String, crate::model::Scalar, String)>,
) {
    use serde_json::Value;
    let (mut schema, mut name) = (schema, None);
    loop {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            name = reference.rsplit('/').next();
            match reference.strip_prefix('#').and_then(|at| root.pointer(at)) {
                Some(target) => schema = target,
                None => return,
            }
        } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            match branches
                .iter()
                .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
            {
                Some(branch) => schema = branch,
                None => return,
            }
        } else {
            break;
        }
    }
    let text = match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    if let (Some(name), Some(text)) = (name, text)
        && let Some(Err((scalar, message))) = crate::model::parse_scalar(name, &text)
    {
        found.push((pointer.clone(), scalar, message));
        return;
    }
    let length = pointer.len();
    match value {
        Value::Object(members) => {
            let Some(properties) = schema.get("properties") else {
                return;
            };
            for (key, member) in members {
                if let Some(property) = properties.get(key) {
                    *pointer = load::pointer_child(pointer, key);
                    unparsed_scalars(root, property, member, pointer, found);
                    pointer.truncate(length);
                }
            }
        }
        Value::Array(items) => {
            let Some(item_schema) = schema.get("items") else { return };
            for (index, item) in items.iter().enumerate() {
                pointer.push_str(&format!("/{index}"));
                unparsed_scalars(root, item_schema, item, pointer, found);
                pointer.truncate(length);
            }
        }
        _ => {}
    }
}

/// Refuses a text longer than a workbook cell holds (`CELL_UNITS` UTF-16 code units, an emoji
/// counting twice), at the value, unless that value has a problem already (a date or an amount
/// that long is malformed too, and one problem says it). Keys are not texts of the dataset: every
/// key is a field of the input language, and any other is an unknown field.
fn cell_lengths(document: &Document, value: &serde_json::Value, problems: &mut FileProblems) {
    // A text is never longer than the file it was read from, and a UTF-8 byte never makes more than
    // one UTF-16 code unit: most files need no look.
    if document.text().len() <= CELL_UNITS {
        return;
    }
    let mut long = Vec::new();
    long_texts(value, &mut Vec::new(), &mut long);
    for (pointer, text) in long {
        if problems
            .kept()
            .iter()
            .any(|p| p.pointer.as_deref() == Some(pointer.as_str()))
        {
            continue;
        }
        let units = text.encode_utf16().count();
        let chars = text.chars().count();
        problems.push(document.error(
            Code::CellTooLong,
            &pointer,
            format!(
                "has a text of {chars} characters, which take {units} UTF-16 code units: more than the \
                 {CELL_UNITS} a workbook cell holds (an emoji takes two); shorten it"
            ),
        ));
    }
}

/// A member name or an item index on the way to a value.
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// Every text under `value` longer than `CELL_UNITS` UTF-16 code units, with its JSON Pointer
/// (`path` is the way to `value`); pointers are spelled out only for those.
fn long_texts<'a>(value: &'a serde_json::Value, path: &mut Vec<Segment<'a>>, long: &mut Vec<(String, &'a str)>) {
    use serde_json::Value;
    match value {
        Value::String(text) if text.len() > CELL_UNITS && text.encode_utf16().count() > CELL_UNITS => {
            let mut pointer = String::new();
            for segment in path.iter() {
                match segment {
                    Segment::Key(key) => pointer = load::pointer_child(&pointer, key),
                    Segment::Index(index) => pointer.push_str(&format!("/{index}")),
                }
            }
            long.push((pointer, text));
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Segment::Index(index));
                long_texts(item, path, long);
                path.pop();
            }
        }
        Value::Object(members) => {
            for (key, member) in members {
                path.push(Segment::Key(key));
                long_texts(member, path, long);
                path.pop();
            }
        }
        _ => {}
    }
}

/// How a broken part is made readable.
enum Repair {
    /// Set aside the part at this pointer.
    Remove(String),
    /// Put this text at this pointer.
    Set(String, String),
}

/// The repair of the part at `pointer` (or, with `missing`, of the mapping at `pointer` that lacks
/// that required field); `None` if only the whole document could go.
fn repair(root: &serde_json::Value, value: &serde_json::Value, pointer: &str, missing: Option<&str>) -> Option<Repair> {
    let accepts_text = |pointer: &str| {
        messages::schema_at(root, pointer)
            .and_then(|schema| schema.get("type"))
            .is_some_and(|t| t == "string" || t.as_array().is_some_and(|types| types.iter().any(|t| t == "string")))
    };
    if let Some(field) = missing {
        let child = load::pointer_child(pointer, field);
        if accepts_text(&child) {
            return Some(Repair::Set(child, String::new()));
        }
        return removable(root, pointer).map(Repair::Remove);
    }
    let mut pointer = pointer;
    loop {
        let (parent, last) = pointer.rsplit_once('/')?;
        let is_item = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
        if is_item || !required(root, parent, last) {
            return Some(Repair::Remove(pointer.to_owned()));
        }
        if accepts_text(pointer) {
            let text = match value.pointer(pointer) {
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(scalar @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => scalar.to_string(),
                _ => String::new(),
            };
            // An id that is not a slug (`Agency`) stands for the slug it was meant to be, so that
            // references to `agency` still find it.
            let is_id = messages::schema_at(root, pointer)
                .and_then(|schema| schema.get("pattern"))
                .is_some_and(|pattern| pattern == crate::model::SLUG_PATTERN);
            let text = if is_id { slug(&text) } else { text };
            return Some(Repair::Set(pointer.to_owned(), text));
        }
        pointer = parent;
    }
}

/// The slug a text was most likely meant to be: lowercase, other characters as single hyphens.
fn slug(text: &str) -> String {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|word| !word.is_empty())
        .collect();
    words.join("-")
}

/// Whether the mapping at `parent` requires its member `key` (as a pointer segment).
fn required(root: &serde_json::Value, parent: &str, key: &str) -> bool {
    let key = key.replace("~1", "/").replace("~0", "~");
    messages::schema_at(root, parent)
        .and_then(|schema| schema.get("required"))
        .and_then(serde_json::Value::as_array)
        .is_some_and(|required| required.iter().any(|r| r.as_str() == Some(key.as_str())))
}

/// The mapping a repaired part belongs to: the one holding the member, or the one holding the list
/// of the item; the document (`""`) for its own members and top-level lists.
fn owner(pointer: &str) -> String {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return String::new();
    };
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        parent
            .rsplit_once('/')
            .map_or_else(String::new, |(owner, _)| owner.to_owned())
    } else {
        parent.to_owned()
    }
}

/// What can be set aside to leave the value at `pointer` out: itself if it is a list item or a
/// member its mapping does not require, else the nearest enclosing one; `None` if that is the
/// document itself.
fn removable(root: &serde_json::Value, pointer: &str) -> Option<String> {
    let mut pointer = pointer;
    loop {
        let (parent, last) = pointer.rsplit_once('/')?;
        let is_item = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
        if is_item || !required(root, parent, last) {
            return Some(pointer.to_owned());
        }
        pointer = parent;
    }
}

/// A value with parts set aside, and for each list that lost items the original index of each
/// item kept.
#[derive(Default)]
struct Kept {
    items: std::collections::HashMap<String, Vec<usize>>,
    /// Every pointer that holds a part set aside.
    containers: std::collections::HashSet<String>,
}

impl Kept {
    fn prune(
        &mut self,
        value: &serde_json::Value,
        pointer: &mut String,
        removals: &std::collections::HashSet<String>,
    ) -> serde_json::Value {
        use serde_json::Value;
        if !self.containers.contains(pointer.as_str()) {
            return value.clone();
        }
        let length = pointer.len();
        match value {
            Value::Object(members) => {
                let mut kept = serde_json::Map::new();
                for (key, member) in members {
                    *pointer = load::pointer_child(pointer, key);
                    if !removals.contains(pointer.as_str()) {
                        kept.insert(key.clone(), self.prune(member, pointer, removals));
                    }
                    pointer.truncate(length);
                }
                Value::Object(kept)
            }
            Value::Array(items) => {
                let mut kept = Vec::with_capacity(items.len());
                let mut indexes = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    pointer.push_str(&format!("/{index}"));
                    if !removals.contains(pointer.as_str()) {
                        kept.push(self.prune(item, pointer, removals));
                        indexes.push(index);
                    }
                    pointer.truncate(length);
                }
                if indexes.len() < items.len() {
                    self.items.insert(pointer.clone(), indexes);
                }
                Value::Array(kept)
            }
            other => other.clone(),
        }
    }

    /// The pointer, in the original value, of a place in the pruned one.
    fn original(&self, pointer: &str) -> String {
        let mut original = String::with_capacity(pointer.len());
        for segment in pointer.split('/').skip(1) {
            let kept = self.items.get(&original).zip(segment.parse::<usize>().ok());
            let index = kept.and_then(|(kept, index)| kept.get(index).copied());
            original.push('/');
            match index {
                Some(index) => original.push_str(&index.to_string()),
                None => original.push_str(segment),
            }
        }
        original
    }
}

/// Captures the source line of each problem of a document from its text already loaded: no file is
/// read again to show a problem, so a file that was refused never has a byte of it printed.
fn with_snippets(document: &Document, problems: &mut [Diagnostic]) {
    if !problems.is_empty() {
        Source::new(document.text()).attach(&document.path, problems);
    }
}

/// The problems found across files (and their notes) have no snippet yet: their files' texts were
/// let go after the per-file checks. Each such file passed loading in this run, and is loaded once
/// more, as positions are found, to capture them; no other file is read.
fn cross_file_snippets(problems: &mut [Diagnostic], input: &Input, files: &[RevisionFile], limits: &Limits) {
    use std::collections::{BTreeMap, HashSet};
    let loaded: HashSet<&Path> = files.iter().map(|file| file.path.as_path()).collect();
    // For each file: the problems (note `None`) and notes (`Some(index)`) that want a snippet.
    let mut wanted: BTreeMap<PathBuf, Vec<(usize, Option<usize>)>> = BTreeMap::new();
    for (index, problem) in problems.iter().enumerate() {
        // A count of problems not listed is about the whole file: no line of it is shown.
        let shown = problem.code != Code::TooManyProblems;
        if shown && problem.snippet.is_none() && loaded.contains(problem.path.as_path()) {
            wanted.entry(problem.path.clone()).or_default().push((index, None));
        }
        for (note_index, note) in problem.notes.iter().enumerate() {
            if note.snippet.is_none() && loaded.contains(note.path.as_path()) {
                wanted
                    .entry(note.path.clone())
                    .or_default()
                    .push((index, Some(note_index)));
            }
        }
    }
    for (path, places) in wanted {
        let Ok(document) = load::load_file(input, &path, limits) else {
            continue;
        };
        Source::new(document.text()).attach_at(problems, places);
    }
}

/// A document's value as checked: a JSON file may name its schema in a `"$schema"` member, as
/// editors expect; it is not part of the input language and is set aside.
fn checked_value(document: &Document) -> std::borrow::Cow<'_, serde_json::Value> {
    use serde_json::Value;
    match &document.value {
        Value::Object(map)
            if map.get("$schema").is_some_and(Value::is_string)
                && load::Format::of(&document.path) == Some(load::Format::Json) =>
        {
            let mut map = map.clone();
            map.shift_remove("$schema");
            std::borrow::Cow::Owned(Value::Object(map))
        }
        value => std::borrow::Cow::Borrowed(value),
    }
}

/// Validates a document against a schema, then reads it into its type.
fn validate<T: DeserializeOwned>(document: &Document, schema: &Schema, problems: &mut FileProblems) -> Option<T> {
    let before = problems.found();
    let value = checked_value(document);
    schema_problems(document, schema, &value, problems);
    if problems.found() > before {
        return None;
    }
    deserialize(document, &value, problems)
}

/// Reports every schema problem of a document; returns the pointers of the parts that are not
/// well-typed (what the types cannot read), each with the name of a required field it lacks.
fn schema_problems(
    document: &Document,
    schema: &Schema,
    value: &serde_json::Value,
    problems: &mut FileProblems,
) -> Vec<(String, Option<String>)> {
    // Most documents are valid: the yes-or-no walk stops at nothing and collects nothing.
    if schema.validator.is_valid(value) {
        return Vec::new();
    }
    let mut broken = Vec::new();
    for error in schema.validator.iter_errors(value) {
        for explained in messages::explain(&schema.root, schema.noun, &error) {
            let position = if explained.at_key {
                document.key_position(&explained.pointer)
            } else {
                document.position(&explained.pointer)
            };
            problems.push(
                Diagnostic::new(explained.code, &document.path, position, explained.message)
                    .at_pointer(&explained.pointer),
            );
            if !explained.well_typed {
                broken.push((explained.pointer, explained.missing));
            }
        }
    }
    broken
}

/// Reads a document that passed its schema into its type.
fn deserialize<T: DeserializeOwned>(
    document: &Document,
    value: &serde_json::Value,
    problems: &mut FileProblems,
) -> Option<T> {
    // Tracking the path costs a fifth of reading; it is needed only to say where a value failed.
    if let Ok(value) = T::deserialize(value) {
        return Some(value);
    }
    match serde_path_to_error::deserialize(value) {
        Ok(value) => Some(value),
        Err(e) => {
            // The schema allows what the types cannot hold: a number too large for its type.
            let mut pointer = String::new();
            for segment in e.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
                    serde_path_to_error::Segment::Map { key } => pointer = load::pointer_child(&pointer, key),
                    serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
                }
            }
            let found = document.value.pointer(&pointer);
            // A number that is not whole is read by a type of the model, which says why it cannot.
            let message = match found {
                Some(serde_json::Value::Number(number)) if !number.as_str().contains(['.', 'e', 'E']) => {
                    format!("the number {number} is too large to be read as one here: write it in quotes, \"{number}\"")
                }
                _ => e.inner().to_string(),
            };
            problems.push(document.error(Code::Schema, &pointer, message));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn batches_close_on_files_or_bytes_and_never_split_a_profile() {
        // (profile, bytes) of each file, sorted.
        let files = [
            ("a", 1),
            ("a", 1),
            ("b", 1),
            ("c", 9),
            ("d", 2),
            ("d", 3),
            ("e", 1),
            ("f", 1),
            ("g", 1),
            ("g", 6),
            ("g", 1),
            ("h", 1),
        ];
        let weight = |file: &(&str, u64)| file.1;
        let apart = |a: &(&str, u64), b: &(&str, u64)| a.0 != b.0;
        let profiles = |batches: Vec<&[(&str, u64)]>| -> Vec<String> {
            batches
                .iter()
                .map(|batch| batch.iter().map(|file| file.0).collect())
                .collect()
        };
        // Three files or five bytes, whichever comes first, at the end of a profile.
        assert_eq!(
            profiles(batches(&files, 3, 5, weight, apart)),
            ["aab", "c", "dd", "efggg", "h"].map(String::from)
        );
        // Bytes alone: a profile heavier than the bound is a batch of its own, whole.
        assert_eq!(
            profiles(batches(&files, 100, 5, weight, apart)),
            ["aabc", "dd", "efggg", "h"].map(String::from)
        );
        // Files alone, as before bytes counted.
        assert_eq!(
            profiles(batches(&files, 4, u64::MAX, weight, apart)),
            ["aabc", "ddef", "gggh"].map(String::from)
        );
        assert!(batches(&files[..0], 3, 5, weight, apart).is_empty());
    }
}
