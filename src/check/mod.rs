//! Checking: every curated file against the input JSON Schema, then against the rules of the data,
//! all problems at once, sorted by file and position. The result is a dataset that later stages can
//! trust without checking again.

mod merge;
mod rules;

use crate::diagnostic::{Code, Diagnostic, Position};
use crate::input::Input;
use crate::load::{self, Document, Limits};
use crate::model::{DatasetMeta, Revision};
use crate::progress::Progress;
use crate::schema;
use jsonschema::Validator;
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

pub use merge::{Entities, Entity, EntityType};
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
    /// A fingerprint of the file's text (see `load::Document::fingerprint`).
    pub fingerprint: u64,
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
    /// A fingerprint of its text when it was checked.
    pub fingerprint: u64,
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

/// Why checking stopped: problems in the input, or an error of whoever was handed the revisions.
#[derive(Debug)]
pub enum Failure<E> {
    /// Every problem found, sorted.
    Problems(Vec<Diagnostic>),
    /// The error of the visitor.
    Visit(E),
}

/// Files are checked in parallel a batch at a time: large enough to keep every core busy, small
/// enough that a batch's revisions take little memory.
const BATCH_FILES: usize = 512;

/// The checked dataset: its description, its revisions sorted by (profile, updated), and the merged
/// organizations and systems by id.
#[derive(Debug)]
pub struct Dataset {
    /// `dataset.yaml`.
    pub meta: DatasetMeta,
    /// Every revision, sorted by profile, then date.
    pub revisions: Vec<CheckedRevision>,
    /// Every organization and system, merged across files, sorted by id.
    pub entities: std::collections::BTreeMap<String, Entity>,
}

static REVISION_VALIDATOR: LazyLock<Validator> = LazyLock::new(|| validator(&schema::input_revision()));
static DATASET_VALIDATOR: LazyLock<Validator> = LazyLock::new(|| validator(&schema::input_dataset()));

fn validator(schema: &serde_json::Value) -> Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("the generated schema is a valid JSON Schema")
}

/// Checks the curated folder: the dataset with every revision, or every problem found, sorted.
/// Keeps every revision in memory: for `diff` and tests; `stream` is the way for large folders.
pub fn check(input: &Input, limits: &Limits, quiet: bool) -> Result<Dataset, Vec<Diagnostic>> {
    let mut revisions = Vec::new();
    let visit = |batch: Vec<CheckedRevision>| -> Result<(), std::convert::Infallible> {
        revisions.extend(batch);
        Ok(())
    };
    match stream(input, limits, quiet, visit) {
        Ok(checked) => Ok(Dataset {
            meta: checked.meta,
            revisions,
            entities: checked.entities.iter().map(|e| (e.id.clone(), e)).collect(),
        }),
        Err(Failure::Problems(problems)) => Err(problems),
        Err(Failure::Visit(never)) => match never {},
    }
}

/// Checks the curated folder a batch of whole profiles at a time, handing each batch's revisions
/// (sorted by profile and date) to `visit` as long as no problem has been found, and returns what
/// the cross-file rules keep, or every problem found, sorted.
pub fn stream<E>(
    input: &Input,
    limits: &Limits,
    quiet: bool,
    mut visit: impl FnMut(Vec<CheckedRevision>) -> Result<(), E>,
) -> Result<Checked, Failure<E>> {
    let mut problems = Vec::new();
    let meta = load_dataset_meta(input, limits, &mut problems);
    let (files, walk_problems) = input.profile_files();
    if files.is_empty() && walk_problems.is_empty() {
        problems.push(Diagnostic::new(
            Code::NoRevisions,
            &input.path().join("profiles"),
            Position::START,
            "holds no revision: a dataset needs at least one file profiles/<profile>/<updated>.yaml",
        ));
    }
    problems.extend(walk_problems);
    let mut merger = merge::Merger::new(input, limits);
    let progress = Progress::new("checking", files.len(), quiet);
    for batch in batches(&files, BATCH_FILES, |a, b| a.parent() == b.parent()) {
        let results: Vec<(Option<CheckedRevision>, Vec<Diagnostic>)> = batch
            .par_iter()
            .map(|path| {
                let mut problems = Vec::new();
                let checked = check_file(input, path, limits, &mut problems);
                (checked, problems)
            })
            .collect();
        let mut revisions = Vec::with_capacity(results.len());
        for (checked, file_problems) in results {
            problems.extend(file_problems);
            revisions.extend(checked);
        }
        revisions.sort_by(|a, b| {
            (&a.revision.profile, &a.revision.updated, &a.path).cmp(&(
                &b.revision.profile,
                &b.revision.updated,
                &b.path,
            ))
        });
        progress.advance(batch.len());
        merger.add(&revisions, &mut problems);
        if problems.is_empty() && meta.is_some() {
            visit(revisions).map_err(Failure::Visit)?;
        }
    }
    progress.finish();
    let entities = merger.finish(&mut problems);
    problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    problems.dedup();
    match meta {
        Some(meta) if problems.is_empty() => Ok(Checked {
            input: input.clone(),
            meta,
            entities,
        }),
        _ => Err(Failure::Problems(problems)),
    }
}

/// Sorted items in batches of at least `size` (but the last), never splitting a run of items that
/// `together` says belong together (the files of one profile).
pub fn batches<T>(items: &[T], size: usize, together: impl Fn(&T, &T) -> bool) -> Vec<&[T]> {
    let mut batches = Vec::new();
    let mut start = 0;
    for (index, pair) in items.windows(2).enumerate() {
        if index + 1 - start >= size && !together(&pair[0], &pair[1]) {
            batches.push(&items[start..=index]);
            start = index + 1;
        }
    }
    if start < items.len() {
        batches.push(&items[start..]);
    }
    batches
}

/// Reads a revision file again for a build, after `stream` checked it: the same revision, or an
/// error if the file changed in between.
pub fn reread(file: &RevisionFile, input: &Input, limits: &Limits) -> Result<CheckedRevision, String> {
    let changed = || format!("{} changed while the build was running", file.path.display());
    let document = load::load_file(input, &file.path, limits).map_err(|_| changed())?;
    if document.fingerprint() != file.fingerprint {
        return Err(changed());
    }
    let mut problems = Vec::new();
    let revision = Revision::deserialize(&document.value).map_err(|_| changed())?;
    let relative = file
        .path
        .strip_prefix(input.path().join("profiles"))
        .unwrap_or(&file.path);
    rules::check_revision(&document, relative, revision, &mut problems)
        .filter(|_| problems.is_empty())
        .ok_or_else(changed)
}

fn load_dataset_meta(input: &Input, limits: &Limits, problems: &mut Vec<Diagnostic>) -> Option<DatasetMeta> {
    let path = input.path().join("dataset.yaml");
    if std::fs::symlink_metadata(&path).is_err() {
        problems.push(Diagnostic::new(
            Code::MissingDataset,
            &path,
            Position::START,
            "is missing: the input folder needs a dataset.yaml that names and licenses the dataset",
        ));
        return None;
    }
    let document = load::load_file(input, &path, limits)
        .map_err(|d| problems.push(d))
        .ok()?;
    validate(&document, &DATASET_VALIDATOR, problems)
}

/// Checks one revision file given as bytes, as if it were `profiles/<relative>`, against the schema
/// and the per-file rules (not the cross-file ones): the entry point of the fuzzers.
pub fn check_bytes(relative: &Path, bytes: &[u8], limits: &Limits) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let Some(format) = load::Format::of(relative) else {
        return problems;
    };
    let document = match load::parse(relative, bytes, format, limits) {
        Ok(document) => document,
        Err(problem) => return vec![problem],
    };
    if let Some(revision) = validate::<Revision>(&document, &REVISION_VALIDATOR, &mut problems) {
        rules::check_revision(&document, relative, revision, &mut problems);
    }
    problems
}

fn check_file(input: &Input, path: &Path, limits: &Limits, problems: &mut Vec<Diagnostic>) -> Option<CheckedRevision> {
    let document = load::load_file(input, path, limits)
        .map_err(|d| problems.push(d))
        .ok()?;
    let revision: Revision = validate(&document, &REVISION_VALIDATOR, problems)?;
    let relative = path.strip_prefix(input.path().join("profiles")).unwrap_or(path);
    rules::check_revision(&document, relative, revision, problems)
}

/// Validates a document against a schema, then reads it into its type.
fn validate<T: DeserializeOwned>(
    document: &Document,
    validator: &Validator,
    problems: &mut Vec<Diagnostic>,
) -> Option<T> {
    let before = problems.len();
    for error in validator.iter_errors(&document.value) {
        let pointer = error.instance_path().to_string();
        let diagnostic = match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for field in unexpected {
                    let child = load::pointer_child(&pointer, field);
                    problems.push(
                        Diagnostic::new(
                            Code::UnknownField,
                            &document.path,
                            document.key_position(&child),
                            format!("unknown field `{field}`"),
                        )
                        .at_pointer(&child),
                    );
                }
                continue;
            }
            _ => document.error(Code::Schema, &pointer, error.to_string()),
        };
        problems.push(diagnostic);
    }
    if problems.len() > before {
        return None;
    }
    match serde_path_to_error::deserialize(&document.value) {
        Ok(value) => Some(value),
        Err(e) => {
            // The schema is generated from these types, so this only happens if they disagree.
            let pointer = format!("/{}", e.path().to_string().replace('.', "/"));
            problems.push(document.error(Code::Schema, &pointer, e.inner().to_string()));
            None
        }
    }
}
