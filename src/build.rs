//! `build`: the pipeline, composed here and nowhere else. Files are checked a batch at a time
//! (`check`), each batch of checked revisions becomes rows (`tables`), and the rows go to every
//! format (`export`), inside a staging folder that is swapped in whole only if nothing was wrong
//! (`publish`). Data flows one way: no stage calls back into an earlier one.

use crate::archive::Archive;
use crate::check::{self, CheckedRevision};
use crate::diagnostic::Diagnostic;
use crate::export::{self, Batch, ExportError, Format, Summary};
use crate::gates::Gates;
use crate::input::Input;
use crate::load::Limits;
use crate::publish::{self, PublishError, StagingPaths, Target};
use crate::tables::{self, Normalized, Table};
use std::fmt;
use std::path::Path;

/// Why a build wrote nothing. The previous output is untouched in every case.
#[derive(Debug)]
pub enum BuildError {
    /// The input has problems: every one found, sorted.
    Problems(Vec<Diagnostic>),
    /// The temporary folder could not take or give back the merged entities.
    Spill(check::SpillError),
    /// A format could not be written.
    Export(ExportError),
    /// The output folder is not one build may replace, or could not be written.
    Publish(PublishError),
    /// The rows did not fit their tables: a bug, reported rather than written.
    Encode(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Problems(problems) => write!(f, "the input has {} problems", problems.len()),
            BuildError::Spill(error) => error.fmt(f),
            BuildError::Export(error) => error.fmt(f),
            BuildError::Publish(error) => error.fmt(f),
            BuildError::Encode(message) => write!(f, "cannot encode the tables: {message}"),
        }
    }
}

impl BuildError {
    /// The file or folder that could not be read or written, if the error is one of those.
    pub fn path(&self) -> Option<&Path> {
        match self {
            BuildError::Export(ExportError::Io(path, _)) | BuildError::Publish(PublishError::Io(path, _)) => Some(path),
            _ => None,
        }
    }
}

impl From<ExportError> for BuildError {
    fn from(error: ExportError) -> Self {
        BuildError::Export(error)
    }
}

impl From<PublishError> for BuildError {
    fn from(error: PublishError) -> Self {
        BuildError::Publish(error)
    }
}

impl StagingPaths for BuildError {
    fn shown(self, given: &Path, shown: &Path) -> Self {
        match self {
            BuildError::Export(error) => BuildError::Export(error.shown(given, shown)),
            BuildError::Publish(PublishError::Io(path, e)) => match path.strip_prefix(given) {
                Ok(rest) => BuildError::Publish(PublishError::Io(shown.join(rest), e)),
                Err(_) => BuildError::Publish(PublishError::Io(path, e)),
            },
            other => other,
        }
    }
}

/// Checks the input and writes the dataset in the given formats in the same pass, replacing the
/// target atomically. Each batch of checked revisions goes into the staging folder as it comes, so
/// every file is read and parsed once and memory holds one batch of rows, not the dataset; what
/// needs every file (the entity tables, the entities each document names) is written at the end.
/// A problem anywhere stops the writing, and the staging folder is discarded: bad input publishes
/// nothing, and the previous output stays.
pub fn build(
    input: &Input,
    limits: &Limits,
    quiet: bool,
    archive: Option<&Archive>,
    target: &Target,
    formats: &[Format],
) -> Result<Summary, BuildError> {
    let published = publish::publish(target, |staging| {
        write_all(input, limits, quiet, archive, formats, staging)
    })?;
    Ok(Summary {
        warnings: published.warnings,
        ..published.written
    })
}

/// The tables being written, every format's writer, and the publication gates counting the rows.
struct Writing {
    tables: Vec<Table>,
    writers: export::Writers,
    /// Per table: whether its record batches are made (JSON Lines alone needs none; a gate on a
    /// column's filled values needs its table's).
    records: Vec<bool>,
    gates: Gates,
}

impl Writing {
    fn write(&mut self, rows: Normalized) -> Result<(), BuildError> {
        let records = rows
            .rows
            .records_of(&self.tables, &self.records)
            .map_err(|e| BuildError::Encode(e.to_string()))?;
        let counts = rows.rows.counts();
        self.gates.count(&counts, &records);
        for (table, count) in self.tables.iter_mut().zip(counts) {
            table.rows += count;
        }
        let batch = Batch {
            tables: &self.tables,
            records: &records,
            rows: &rows,
        };
        self.writers.append(&batch)?;
        Ok(())
    }
}

fn write_all(
    input: &Input,
    limits: &Limits,
    quiet: bool,
    archive: Option<&Archive>,
    formats: &[Format],
    staging: &Path,
) -> Result<Summary, BuildError> {
    let tables = tables::all();
    let writers = export::Writers::create(formats, staging, &tables)?;
    let mut dataset = check::dataset(input, limits);
    let gates = Gates::of(&mut dataset, &tables);
    let every_table = formats.iter().any(|format| *format != Format::Json);
    let mut writing = Writing {
        writers,
        records: gates
            .records_wanted()
            .iter()
            .map(|wanted| every_table || *wanted)
            .collect(),
        tables,
        gates,
    };
    let checked = rows_of_input(input, dataset, limits, quiet, archive, |rows| writing.write(rows))?;
    // Every row has been counted: a gate that fails publishes nothing.
    let failed = writing.gates.failures();
    if !failed.is_empty() {
        return Err(BuildError::Problems(failed));
    }
    let Writing { tables, writers, .. } = writing;
    let files = writers.finish(staging, &checked.meta, &tables)?;
    Ok(Summary {
        tables: tables.iter().map(|t| (t.name, t.rows)).collect(),
        files,
        warnings: Vec::new(),
    })
}

/// Checks the input, whose `dataset.yaml` (`dataset`) has publication gates, and counts for them
/// the rows that `build` would write, made the same way from the same checked revisions, a batch
/// at a time, with the entities at the end; writes nothing. This is `check` when there are gates:
/// without any, `check` makes no rows at all.
pub fn check_gated(
    input: &Input,
    dataset: check::Dataset,
    mut gates: Gates,
    tables: &[Table],
    limits: &Limits,
    quiet: bool,
    archive: Option<&Archive>,
) -> Result<check::Checked, BuildError> {
    let count = |rows: Normalized| -> Result<(), BuildError> {
        let records = rows
            .rows
            .records_of(tables, gates.records_wanted())
            .map_err(|e| BuildError::Encode(e.to_string()))?;
        gates.count(&rows.rows.counts(), &records);
        Ok(())
    };
    let checked = rows_of_input(input, dataset, limits, quiet, archive, count)?;
    let failed = gates.failures();
    match failed.is_empty() {
        true => Ok(checked),
        false => Err(BuildError::Problems(failed)),
    }
}

/// Checks the input and hands `take` its rows, a batch at a time: each batch of checked revisions
/// made into rows as it comes (on a thread of its own, see `check_while_writing`), then the merged
/// entities. What `build` writes and what `check` counts for the gates are made here, the same way.
fn rows_of_input(
    input: &Input,
    dataset: check::Dataset,
    limits: &Limits,
    quiet: bool,
    archive: Option<&Archive>,
    mut take: impl FnMut(Normalized) -> Result<(), BuildError> + Send,
) -> Result<check::Checked, BuildError> {
    let checked = check_while_writing(input, dataset, limits, quiet, archive, |revisions| {
        let rows = tables::revisions(&revisions);
        // Freeing a batch's revisions takes a while: the pool does it while this thread goes on.
        rayon::spawn(move || drop(revisions));
        take(rows)
    })?;
    for batch in entity_batches(&checked) {
        take(tables::entities(batch))?;
    }
    // Every entity has been read back by now: one that could not be is not published.
    if let Some(error) = checked.entities.spill_error() {
        return Err(BuildError::Spill(error));
    }
    Ok(checked)
}

/// The merged entities of a checked dataset, in the batches they are made into rows.
fn entity_batches(checked: &check::Checked) -> impl Iterator<Item = Vec<check::Entity<'_>>> {
    let sources = |entity: &check::Entity<'_>| entity.sources.len();
    batches(checked.entities.iter(), BATCH_ENTITIES, BATCH_SOURCES, sources)
}

/// Entities are written this many at a time, or fewer once they have `BATCH_SOURCES` sources: an
/// organization many profiles declare lists every one of their sources, and at 100,000 generated
/// profiles the 400 shared ones (1.6 million sources, 4,000 each) fell in one batch of 8,192, which
/// was the peak of the whole build (661 MB against 516 MB at the end of checking).
const BATCH_ENTITIES: usize = 8192;
const BATCH_SOURCES: usize = 65_536;

/// `items` in order, in batches of at most `count` items, each closed as soon as the `weight` of its
/// items reaches `limit` (so an item heavier than `limit` is a batch of its own).
fn batches<T>(
    mut items: impl Iterator<Item = T>,
    count: usize,
    limit: usize,
    weight: impl Fn(&T) -> usize,
) -> impl Iterator<Item = Vec<T>> {
    std::iter::from_fn(move || {
        let (mut batch, mut weighed) = (Vec::new(), 0);
        while batch.len() < count
            && weighed < limit
            && let Some(item) = items.next()
        {
            weighed += weight(&item);
            batch.push(item);
        }
        (!batch.is_empty()).then_some(batch)
    })
}

/// Checks the input on this thread and hands each batch of checked revisions to `write` on a thread
/// of its own, so that one batch is written while the next is checked. Batches are written one at a
/// time and in order, so the output does not depend on timing. Once the writer has stopped on an
/// error, checking still goes on to the end (the batches are dropped): problems in the input win
/// over an error of the writer, as they are what the curator must fix, and which error a build
/// reports must not depend on whether the checker or the writer was ahead.
fn check_while_writing(
    input: &Input,
    dataset: check::Dataset,
    limits: &Limits,
    quiet: bool,
    archive: Option<&Archive>,
    mut write: impl FnMut(Vec<CheckedRevision>) -> Result<(), BuildError> + Send,
) -> Result<check::Checked, BuildError> {
    std::thread::scope(|scope| {
        // One batch waits while another is written: memory holds four batches at most (one checked,
        // one merged, one queued, one written).
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<CheckedRevision>>(1);
        let writer = scope.spawn(move || receiver.into_iter().try_for_each(&mut write));
        let mut sender = Some(sender);
        let checked = check::stream(input, dataset, limits, quiet, archive, |revisions| {
            // Sending fails only once the writer has stopped, on an error of its own.
            if sender.as_ref().is_some_and(|s| s.send(revisions).is_err()) {
                sender = None;
            }
            Ok::<(), std::convert::Infallible>(())
        });
        drop(sender);
        let written = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match checked {
            Ok(checked) => written.map(|()| checked),
            Err(check::Failure::Problems(problems)) => Err(BuildError::Problems(problems)),
            Err(check::Failure::Spill(error)) => Err(BuildError::Spill(error)),
            Err(check::Failure::Visit(never)) => match never {},
        }
    })
}

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn batches_keep_every_item_in_order_and_close_on_count_or_weight() {
        let weights = [1, 1, 1, 1, 1, 9, 1, 4, 4, 1];
        let got: Vec<Vec<usize>> = batches(weights.into_iter(), 3, 5, |w| *w).collect();
        assert_eq!(got, [vec![1, 1, 1], vec![1, 1, 9], vec![1, 4], vec![4, 1]]);
        assert_eq!(batches(std::iter::empty::<usize>(), 3, 5, |w| *w).count(), 0);
    }
}
