//! `json/profiles.jsonl` for downstream apps: one revision a line, fully resolved, each line a
//! `ProfileDocument` of `schema/profiles.schema.json`.
//!
//! A document embeds the organizations and systems it names as merged across the whole dataset,
//! which is known only once every file is checked. So while the revisions are checked, each
//! document's own part (a `RevisionDocument`) goes to a part file in the staging folder, with a line
//! naming its entities; at the end each line gets its entities added, and the part file is removed.
//! Memory holds one batch, never the documents.
//!
//! Documents are valid by construction: they are serialized from the very types the schema is
//! generated from, and the tests validate them against it (`tests/it/documents.rs` and the
//! conformance suite).

use super::{DataFile, ExportError, WrittenFile};
use crate::check::Entities;
use crate::tables::{self, Names, Normalized};
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where the documents go, relative to the output folder.
pub const PATH: &str = "json/profiles.jsonl";

/// The part file, in the staging folder only.
const PART: &str = "json/.profiles.part";

/// Documents are finished in parallel, this many at a time, or fewer once their text reaches
/// `BATCH_BYTES`: a few large revisions must not fill memory. At 4,096 documents or 64 MiB this
/// step was the peak of a whole build (10,000 profiles: 318 MB against 276 MB, for the same time).
const BATCH_DOCUMENTS: usize = 1024;
const BATCH_BYTES: usize = 8 << 20;

/// The documents being written.
pub struct Documents {
    path: PathBuf,
    part: BufWriter<File>,
}

impl Documents {
    /// An empty part file in the staging folder.
    pub fn create(staging: &Path) -> Result<Documents, ExportError> {
        super::format_folder(&staging.join("json"))?;
        let path = staging.join(PART);
        let file = File::create(&path).map_err(|e| ExportError::Io(path.clone(), e))?;
        Ok(Documents {
            path,
            part: BufWriter::with_capacity(1 << 20, file),
        })
    }

    /// Appends the documents of a batch of revisions: two lines each, the revision's own part and
    /// the entities it names.
    pub fn append(&mut self, rows: &Normalized) -> Result<(), ExportError> {
        let lines: Vec<Vec<u8>> = (0..rows.profiles.len())
            .into_par_iter()
            .map(|index| {
                let mut line = serde_json::to_vec(&rows.document(index)).map_err(encode)?;
                line.push(b'\n');
                serde_json::to_writer(&mut line, &rows.spans[index].named).map_err(encode)?;
                line.push(b'\n');
                Ok(line)
            })
            .collect::<Result<_, ExportError>>()?;
        for line in lines {
            self.part.write_all(&line).map_err(|e| self.io(e))?;
        }
        Ok(())
    }

    /// Writes `json/profiles.jsonl` from the part file, each document completed with the entities
    /// it names, and removes the part file.
    pub fn finish(self, staging: &Path, entities: &Entities) -> Result<WrittenFile, ExportError> {
        let Documents { path, part } = self;
        let io = |e: io::Error| ExportError::Io(path.clone(), e);
        part.into_inner().map_err(|e| io(e.into_error()))?;
        let mut lines = BufReader::with_capacity(1 << 20, File::open(&path).map_err(io)?).lines();
        let mut out = DataFile::create(staging, PATH)?;
        loop {
            let (mut batch, mut bytes) = (Vec::new(), 0);
            while batch.len() < BATCH_DOCUMENTS
                && bytes < BATCH_BYTES
                && let Some(own) = lines.next()
            {
                let named = lines.next().ok_or_else(|| encode("a document without its entities"))?;
                let (own, named) = (own.map_err(io)?, named.map_err(io)?);
                bytes += own.len() + named.len();
                batch.push((own, named));
            }
            if batch.is_empty() {
                break;
            }
            let documents: Vec<String> = batch
                .into_par_iter()
                .map(|(own, named)| complete(own, &named, entities))
                .collect::<Result<_, _>>()?;
            for document in documents {
                out.write_all(document.as_bytes())
                    .map_err(|e| ExportError::Io(out.path.clone(), e))?;
            }
        }
        std::fs::remove_file(&path).map_err(io)?;
        out.finish()
    }

    fn io(&self, e: io::Error) -> ExportError {
        ExportError::Io(self.path.clone(), e)
    }
}

/// A document's line: its own part with the entities it names added as its last members, exactly
/// as `ProfileDocument` serializes.
fn complete(mut own: String, named: &str, entities: &Entities) -> Result<String, ExportError> {
    let names: Names = serde_json::from_str(named).map_err(encode)?;
    let (organizations, systems) = tables::named(entities, names);
    if own.pop() != Some('}') {
        return Err(encode("a document that is not an object"));
    }
    own.push_str(",\"organizations\":");
    own.push_str(&serde_json::to_string(&organizations).map_err(encode)?);
    own.push_str(",\"systems\":");
    own.push_str(&serde_json::to_string(&systems).map_err(encode)?);
    own.push_str("}\n");
    Ok(own)
}

fn encode(e: impl std::fmt::Display) -> ExportError {
    ExportError::Encode(format!("{PATH}: {e}"))
}
