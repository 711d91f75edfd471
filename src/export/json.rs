//! `json/profiles.jsonl` for downstream apps: one revision a line, fully resolved, each line a
//! `ProfileDocument` of `schema/profiles.schema.json`.
//!
//! A document embeds the organizations and systems it names as merged across the whole dataset,
//! which is known only once every file is checked. So while the revisions are written, each
//! document's own part (a `RevisionDocument`) goes to a part file in the staging folder, with a line
//! naming its entities; the entities, when their rows come, are serialized once each into a second
//! part file; at the end each document gets the entities it names spliced in, and the part files
//! are removed. Memory holds one batch and an index of the entities, never the documents.
//!
//! Documents are valid by construction: they are serialized from the very types the schema is
//! generated from (the splicing writes what serializing `ProfileDocument` would; a unit test holds
//! it to that), and the tests validate them against the schema (`tests/it/documents.rs` and the
//! conformance suite).

use super::{Batch, DataFile, Dataset, ExportError, Writer, WrittenFile};
use crate::tables::{IdentifierColumns, Names, Normalized};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Where the documents go, relative to the output folder.
pub const PATH: &str = "json/profiles.jsonl";

/// The part files, in the staging folder only.
const DOCUMENTS_PART: &str = "json/.profiles.part";
const ENTITIES_PART: &str = "json/.entities.part";

/// Documents are finished in parallel, this many at a time, or fewer once their text reaches
/// `BATCH_BYTES`: a few large revisions must not fill memory. At 4,096 documents or 64 MiB this
/// step was the peak of a whole build (10,000 profiles: 318 MB against 276 MB, for the same time).
const BATCH_DOCUMENTS: usize = 1024;
const BATCH_BYTES: usize = 8 << 20;

/// The list of a document an entity goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Organizations,
    Systems,
    People,
}

/// Where an entity's serialized columns are in the entities' part file.
#[derive(Debug)]
struct Fragment {
    id: Box<str>,
    list: List,
    offset: u64,
    len: u32,
}

/// The documents being written.
pub struct Documents {
    staging: PathBuf,
    documents: Part,
    entities: Part,
    /// Every entity's fragment, by id.
    index: Vec<Fragment>,
}

/// A part file being written, with how many bytes it has.
struct Part {
    path: PathBuf,
    file: BufWriter<File>,
    bytes: u64,
}

impl Part {
    fn create(staging: &Path, relative: &str) -> Result<Part, ExportError> {
        let path = staging.join(relative);
        let file = File::create_new(&path).map_err(|e| ExportError::Io(path.clone(), e))?;
        Ok(Part {
            path,
            file: BufWriter::with_capacity(1 << 20, file),
            bytes: 0,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<u64, ExportError> {
        let at = self.bytes;
        self.file
            .write_all(bytes)
            .map_err(|e| ExportError::Io(self.path.clone(), e))?;
        self.bytes += bytes.len() as u64;
        Ok(at)
    }

    /// The file, flushed, for reading back.
    fn close(self) -> Result<(PathBuf, File), ExportError> {
        let Part { path, file, .. } = self;
        let file = file
            .into_inner()
            .map_err(|e| ExportError::Io(path.clone(), e.into_error()))?;
        Ok((path, file))
    }
}

impl Documents {
    /// Empty part files in the staging folder.
    pub fn create(staging: &Path) -> Result<Documents, ExportError> {
        super::format_folder(&staging.join("json"))?;
        Ok(Documents {
            staging: staging.to_owned(),
            documents: Part::create(staging, DOCUMENTS_PART)?,
            entities: Part::create(staging, ENTITIES_PART)?,
            index: Vec::new(),
        })
    }

    /// The documents of a batch of revisions: two lines each, the revision's own part and the
    /// entities it names.
    fn append_revisions(&mut self, rows: &Normalized) -> Result<(), ExportError> {
        let lines: Vec<Vec<u8>> = (0..rows.rows.profiles.len())
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
            self.documents.write(&line)?;
        }
        Ok(())
    }

    /// The entities of a batch, each serialized once as its document shows it: its columns and its
    /// identifiers (the sources a revision cites for it are added per document).
    fn append_entities(&mut self, rows: &Normalized) -> Result<(), ExportError> {
        let rows = &rows.rows;
        let mut identifiers: HashMap<&str, Vec<&IdentifierColumns>> = HashMap::new();
        for row in &rows.identifiers {
            identifiers.entry(&row.entity_id).or_default().push(&row.identifier);
        }
        let of = |id: &str| identifiers.get(id).map(Vec::as_slice).unwrap_or_default();
        let mut all: Vec<Serialized<'_>> = rows
            .organizations
            .par_iter()
            .map(|o| {
                let id = o.organization.id.as_str();
                (List::Organizations, id, serialized(&o.organization, of(id)))
            })
            .collect();
        all.par_extend(rows.systems.par_iter().map(|s| {
            let id = s.system.id.as_str();
            (List::Systems, id, serialized(&s.system, of(id)))
        }));
        all.par_extend(rows.people.par_iter().map(|p| {
            let id = p.person.id.as_str();
            (List::People, id, serialized(&p.person, of(id)))
        }));
        for (list, id, text) in all {
            let text = text?;
            let offset = self.entities.write(&text)?;
            self.index.push(Fragment {
                id: id.into(),
                list,
                offset,
                len: text.len() as u32,
            });
        }
        Ok(())
    }
}

/// An entity's list, id and columns as JSON text.
type Serialized<'a> = (List, &'a str, Result<Vec<u8>, ExportError>);

/// An entity's columns and identifiers, as the first members of `Named` serialize.
fn serialized<T: Serialize>(columns: &T, identifiers: &[&IdentifierColumns]) -> Result<Vec<u8>, ExportError> {
    let mut text = serde_json::to_vec(columns).map_err(encode)?;
    if text.pop() != Some(b'}') {
        return Err(encode("an entity that is not an object"));
    }
    text.extend_from_slice(b",\"identifiers\":");
    serde_json::to_writer(&mut text, identifiers).map_err(encode)?;
    text.push(b'}');
    Ok(text)
}
impl Writer for Documents {
    fn append(&mut self, batch: &Batch<'_>) -> Result<(), ExportError> {
        self.append_revisions(batch.rows)?;
        self.append_entities(batch.rows)
    }

    /// Writes `json/profiles.jsonl` from the part files, each document completed with the entities
    /// it names, and removes the part files.
    fn finish(self: Box<Self>, _: &Dataset<'_>) -> Result<Vec<WrittenFile>, ExportError> {
        let Documents {
            staging,
            documents,
            entities,
            mut index,
        } = *self;
        index.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let (documents_path, documents) = documents.close()?;
        let (entities_path, entities) = entities.close()?;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |e: io::Error| ExportError::Io(path.clone(), e)
        };
        let source = Fragments {
            index: &index,
            file: &entities,
            path: &entities_path,
        };
        let mut lines =
            BufReader::with_capacity(1 << 20, File::open(&documents_path).map_err(io(&documents_path))?).lines();
        drop(documents);
        let mut out = DataFile::create(&staging, PATH)?;
        loop {
            let (mut batch, mut bytes) = (Vec::new(), 0);
            while batch.len() < BATCH_DOCUMENTS
                && bytes < BATCH_BYTES
                && let Some(own) = lines.next()
            {
                let named = lines.next().ok_or_else(|| encode("a document without its entities"))?;
                let (own, named) = (own.map_err(io(&documents_path))?, named.map_err(io(&documents_path))?);
                bytes += own.len() + named.len();
                batch.push((own, named));
            }
            if batch.is_empty() {
                break;
            }
            let completed: Vec<String> = batch
                .into_par_iter()
                .map(|(own, named)| complete(own, &named, &source))
                .collect::<Result<_, _>>()?;
            for document in completed {
                out.write_all(document.as_bytes())
                    .map_err(|e| ExportError::Io(out.path.clone(), e))?;
            }
        }
        std::fs::remove_file(&documents_path).map_err(io(&documents_path))?;
        std::fs::remove_file(&entities_path).map_err(io(&entities_path))?;
        Ok(vec![out.finish()?])
    }
}

/// The entities' serialized columns, read back by id.
struct Fragments<'a> {
    index: &'a [Fragment],
    file: &'a File,
    path: &'a Path,
}

impl Fragments<'_> {
    /// The list an entity goes into and its columns as JSON text; none for an id no batch had (a
    /// checked dataset resolves every reference, so none is missing).
    fn get(&self, id: &str) -> Result<Option<(List, String)>, ExportError> {
        let Ok(at) = self.index.binary_search_by(|f| (*f.id).cmp(id)) else {
            return Ok(None);
        };
        let fragment = &self.index[at];
        let mut bytes = vec![0; fragment.len as usize];
        self.file
            .read_exact_at(&mut bytes, fragment.offset)
            .map_err(|e| ExportError::Io(self.path.to_owned(), e))?;
        let text = String::from_utf8(bytes).map_err(encode)?;
        Ok(Some((fragment.list, text)))
    }
}

/// A document's line: its own part with the entities it names added as its last members, exactly
/// as `ProfileDocument` serializes: each entity's columns, then the sources this revision cites
/// for it (`Named`).
fn complete(mut own: String, named: &str, fragments: &Fragments<'_>) -> Result<String, ExportError> {
    let names: Names = serde_json::from_str(named).map_err(encode)?;
    let (mut organizations, mut systems, mut people) = (Vec::new(), Vec::new(), Vec::new());
    for (id, sources) in names {
        let Some((list, mut entity)) = fragments.get(&id)? else {
            continue;
        };
        if entity.pop() != Some('}') {
            return Err(encode("an entity that is not an object"));
        }
        entity.push_str(",\"sources\":");
        entity.push_str(&serde_json::to_string(&sources).map_err(encode)?);
        entity.push('}');
        match list {
            List::Organizations => organizations.push(entity),
            List::Systems => systems.push(entity),
            List::People => people.push(entity),
        }
    }
    if own.pop() != Some('}') {
        return Err(encode("a document that is not an object"));
    }
    for (name, list) in [
        ("organizations", organizations),
        ("systems", systems),
        ("people", people),
    ] {
        own.push_str(&format!(",\"{name}\":["));
        own.push_str(&list.join(","));
        own.push(']');
    }
    own.push_str("}\n");
    Ok(own)
}

fn encode(e: impl std::fmt::Display) -> ExportError {
    ExportError::Encode(format!("{PATH}: {e}"))
}
