//! The input folder, and the one way in for every file the tool reads: a link is followed only
//! while it stays inside the folder, only regular files are read, and no read goes past the size
//! limit, whatever the file's metadata claims.

use crate::diagnostic::{Code, Diagnostic, Position};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The curated folder: the path as the user gave it, and where it really is.
#[derive(Debug, Clone)]
pub struct Input {
    /// The folder as given, so that problems name paths as reached from the current folder.
    path: PathBuf,
    /// The folder with every link resolved: nothing outside it is read.
    root: PathBuf,
}

impl Input {
    /// The input folder at `path`, which must be a folder.
    pub fn open(path: &Path) -> Result<Input, String> {
        let root =
            fs::canonicalize(path).map_err(|e| format!("the input folder {} cannot be read: {e}", path.display()))?;
        if !root.is_dir() {
            return Err(format!("the input folder {} is not a folder", path.display()));
        }
        Ok(Input {
            path: path.to_owned(),
            root,
        })
    }

    /// The folder as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `path` exists and really is inside the input folder, links resolved.
    pub fn holds(&self, path: &Path) -> bool {
        fs::canonicalize(path).is_ok_and(|real| real.starts_with(&self.root))
    }

    /// The bytes of the regular file at `path` (as reached from the current folder, inside the
    /// input), at most `limit` of them.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
        let problem = |code, message: String| Diagnostic::new(code, path, Position::START, message);
        let unreadable = |e: io::Error| problem(Code::Io, format!("cannot be read: {e}"));
        let real = fs::canonicalize(path).map_err(unreadable)?;
        if !real.starts_with(&self.root) {
            return Err(outside(path, &real));
        }
        let not_a_file = |meta: &fs::Metadata| {
            problem(
                Code::NotAFile,
                format!("is {}, not a regular file: only regular files are read", kind(meta)),
            )
        };
        // Sockets and devices are refused before opening; a FIFO swapped in meanwhile is opened
        // without waiting for a writer and refused by the second look. No link is followed at the
        // last step: the path is resolved already.
        let meta = fs::symlink_metadata(&real).map_err(unreadable)?;
        if !meta.is_file() {
            return Err(not_a_file(&meta));
        }
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let file = File::from(rustix::fs::open(&real, flags, Mode::empty()).map_err(|e| unreadable(e.into()))?);
        let meta = file.metadata().map_err(unreadable)?;
        if !meta.is_file() {
            return Err(not_a_file(&meta));
        }
        let too_large = |size: String| {
            problem(
                Code::FileTooLarge,
                format!("is {size} bytes, more than the limit of {limit} bytes (see --max-file-size)"),
            )
        };
        if meta.len() > limit {
            return Err(too_large(meta.len().to_string()));
        }
        read_at_most(file, limit)
            .map_err(unreadable)?
            .ok_or_else(|| too_large(format!("more than {limit}")))
    }

    /// Every file under `profiles/`, sorted, with the problems of walking there. Links are walked
    /// when they stay inside the input folder; a link out of it is a problem, never a silent skip.
    /// Dotfiles (`.gitkeep`, editor files) are skipped.
    pub fn profile_files(&self) -> (Vec<PathBuf>, Vec<Diagnostic>) {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let profiles = self.path.join("profiles");
        let folder = match self.folder(&profiles) {
            Ok(Some(real)) => real,
            Ok(None) => {
                let message = match fs::symlink_metadata(&profiles) {
                    Ok(_) => "is not a folder: the input folder needs a profiles/ folder",
                    Err(_) => "is missing: the input folder needs a profiles/ folder",
                };
                problems.push(Diagnostic::new(Code::Io, &profiles, Position::START, message));
                return (files, problems);
            }
            Err(problem) => return (files, vec![problem]),
        };
        let mut seen = HashSet::from([folder]);
        let mut folders = vec![profiles];
        while let Some(folder) = folders.pop() {
            let unreadable =
                |e: io::Error| Diagnostic::new(Code::Io, &folder, Position::START, format!("cannot be read: {e}"));
            let entries = match fs::read_dir(&folder) {
                Ok(entries) => entries,
                Err(e) => {
                    problems.push(unreadable(e));
                    continue;
                }
            };
            for entry in entries {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        problems.push(unreadable(e));
                        continue;
                    }
                };
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let path = entry.path();
                match self.folder(&path) {
                    // A folder, or a link to one inside, walked once even if linked twice.
                    Ok(Some(real)) => {
                        if seen.insert(real) {
                            folders.push(path);
                        }
                    }
                    // Anything else is a file to read: `read` refuses what is not a regular file.
                    Ok(None) => files.push(path),
                    Err(problem) => problems.push(problem),
                }
            }
        }
        files.sort();
        (files, problems)
    }

    /// Where the folder at `path` really is, if it is one (or a link to one inside the input);
    /// `None` if it is missing or not a folder.
    fn folder(&self, path: &Path) -> Result<Option<PathBuf>, Diagnostic> {
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Diagnostic::new(
                    Code::Io,
                    path,
                    Position::START,
                    format!("cannot be read: {e}"),
                ));
            }
        };
        if !meta.file_type().is_symlink() && !meta.is_dir() {
            return Ok(None);
        }
        let real = fs::canonicalize(path).map_err(|e| {
            let what = if meta.is_dir() {
                "cannot be read"
            } else {
                "is a broken symbolic link"
            };
            Diagnostic::new(Code::Io, path, Position::START, format!("{what}: {e}"))
        })?;
        if !real.starts_with(&self.root) {
            return Err(outside(path, &real));
        }
        Ok(real.is_dir().then_some(real))
    }
}

fn outside(path: &Path, real: &Path) -> Diagnostic {
    Diagnostic::new(
        Code::SymlinkOutside,
        path,
        Position::START,
        format!(
            "leads through a symbolic link to {}, outside the input folder: links are followed only inside it",
            real.display()
        ),
    )
}

/// What a file that is not a regular file is, in words.
fn kind(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let file_type = meta.file_type();
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

/// Reads everything if it is at most `limit` bytes, and `None` as soon as it is more.
fn read_at_most(reader: impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_limit_whatever_the_size_claimed() {
        // A reader that never ends, like /dev/zero or a file that grows while it is read.
        assert_eq!(read_at_most(io::repeat(b'x'), 10).expect("read"), None);
        assert_eq!(
            read_at_most(&b"0123456789"[..], 10).expect("read"),
            Some(b"0123456789".to_vec())
        );
    }
}
