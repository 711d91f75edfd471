//! The archive of source texts given with `--archive DIR`: every regular file under DIR, read through
//! the same one way in as the input (no link out of DIR, the size limit, nothing printed from a file
//! refused), known by the SHA-256 of its bytes, so that a source's `sha256` names the copy its
//! claims were curated from and every quote can be looked for in it.

use crate::diagnostic::Diagnostic;
use crate::input::Input;
use crate::quote::ArchivedText;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Every file of an archive folder, by the SHA-256 of its bytes, and the problems of reading it.
#[derive(Debug, Default)]
pub struct Archive {
    /// The files, by SHA-256 (64 lower-case hex digits); of two files with the same bytes, the first
    /// in order of path.
    files: HashMap<String, ArchivedFile>,
    /// Files refused or unreadable (a link out of the folder, too large, not a regular file).
    pub problems: Vec<Diagnostic>,
}

/// One file of the archive.
#[derive(Debug)]
pub struct ArchivedFile {
    /// The file, as reached from the current folder.
    pub path: PathBuf,
    /// Its text; or, if its bytes are not UTF-8, the offset of the first byte that is not.
    pub text: Result<String, usize>,
    /// The text prepared for looking up quotes (several times its size), made only for a file that a
    /// source names: an archive may hold much that no source cites.
    prepared: OnceLock<ArchivedText>,
}

impl ArchivedFile {
    /// The text prepared for looking up quotes, if it is UTF-8.
    pub fn prepared(&self) -> Option<&ArchivedText> {
        let text = self.text.as_ref().ok()?;
        Some(self.prepared.get_or_init(|| ArchivedText::new(text)))
    }
}

impl Archive {
    /// Reads every file under `folder`, at most `max_file_bytes` each, in parallel. An error only if
    /// the folder itself cannot be opened; a file that cannot be read is one of `problems`.
    pub fn read(folder: &Path, max_file_bytes: u64) -> Result<Archive, String> {
        let input = Input::open_as(folder, "archive folder")?;
        let (paths, mut problems) = input.all_files();
        let read: Vec<Result<(String, ArchivedFile), Diagnostic>> = paths
            .par_iter()
            .map(|path| {
                let bytes = input.read(path, max_file_bytes)?;
                let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
                let text = String::from_utf8(bytes).map_err(|e| e.utf8_error().valid_up_to());
                Ok((
                    sha256,
                    ArchivedFile {
                        path: path.clone(),
                        text,
                        prepared: OnceLock::new(),
                    },
                ))
            })
            .collect();
        let mut files = HashMap::new();
        for result in read {
            match result {
                Ok((sha256, file)) => {
                    files.entry(sha256).or_insert(file);
                }
                Err(problem) => problems.push(problem),
            }
        }
        Ok(Archive { files, problems })
    }

    /// The file whose bytes have this SHA-256.
    pub fn get(&self, sha256: &str) -> Option<&ArchivedFile> {
        self.files.get(sha256)
    }

    /// How many distinct files the archive holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the archive holds no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
