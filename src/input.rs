//! The input folder, and the one way in for every file the tool reads and every file `new` writes:
//! the folder is opened once, and every path beneath it is resolved from that descriptor one name
//! at a time, so that a link is followed only while it stays inside the folder (whatever is renamed
//! meanwhile), only regular files are read, and no read goes past the size limit, whatever the
//! file's metadata claims.

use crate::diagnostic::{Code, Diagnostic, Position};
use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;
use std::collections::{HashSet, VecDeque};
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The most symbolic links one path may pass through, as Linux allows (`ELOOP` past it).
pub const MAX_LINKS: usize = 40;

/// The curated folder: the path as the user gave it, where it really is, and the folder itself.
#[derive(Debug, Clone)]
pub struct Input {
    /// The folder as given, so that problems name paths as reached from the current folder.
    path: PathBuf,
    /// The folder with every link resolved: an absolute link is followed only beneath it.
    root: PathBuf,
    /// The folder, opened once: every path beneath it is resolved from here, never by name.
    folder: Arc<OwnedFd>,
    /// What the folder is, in the words of its messages: `input folder`, `archive folder`.
    kind: &'static str,
}

/// Why a path beneath the input folder cannot be used.
#[derive(Debug)]
pub enum Refusal {
    /// It leads through the symbolic link `link` (as reached from the current folder) to `to`,
    /// outside the folder read.
    Outside {
        /// The link, or the path asked for if it climbs out with `..` itself.
        link: PathBuf,
        /// Where it leads, written out without looking at anything outside.
        to: PathBuf,
        /// What the folder read is: `input folder`, `archive folder`.
        folder: &'static str,
    },
    /// It passes through more than `MAX_LINKS` symbolic links: a loop of links, most likely.
    TooManyLinks,
    /// The system refused: a folder on the way is missing or not a folder, or cannot be opened.
    Io(io::Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Outside { to, folder, .. } => write!(
                f,
                "leads through a symbolic link to {}, outside the {folder}: links are followed only inside it",
                crate::escape::path(to)
            ),
            Refusal::TooManyLinks => write!(
                f,
                "cannot be read: it leads through more than {MAX_LINKS} symbolic links (a loop of links?)"
            ),
            Refusal::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl Refusal {
    /// The problem of the file or folder at `path`.
    fn diagnostic(&self, path: &Path) -> Diagnostic {
        let code = match self {
            Refusal::Outside { .. } => Code::SymlinkOutside,
            Refusal::TooManyLinks | Refusal::Io(_) => Code::Io,
        };
        Diagnostic::new(code, path, Position::START, self.to_string())
    }
}

impl From<Errno> for Refusal {
    fn from(errno: Errno) -> Refusal {
        Refusal::Io(errno.into())
    }
}

/// Why `new` could not create a file.
#[derive(Debug)]
pub enum CreateError {
    /// Something of that name exists already, and is left as it is.
    Exists,
    /// Its folder cannot be reached or made inside the input.
    Refused(Refusal),
    /// It was created but could not be written (and was removed again).
    Write(io::Error),
}

/// Where a resolution stands: the folders held from the input folder down, each opened by its name
/// in the one before (so `..` is the one before, never a name looked up again), and those names.
#[derive(Debug, Clone)]
struct Trail {
    /// The input folder first.
    folders: Vec<Arc<OwnedFd>>,
    /// The name of each folder but the first in the one before it.
    names: Vec<OsString>,
}

impl Trail {
    /// The folder where the walk stands.
    fn here(&self) -> BorrowedFd<'_> {
        self.folders.last().expect("a trail starts at the input folder").as_fd()
    }

    /// The folder where the walk stands, as a path from the input folder.
    fn relative(&self) -> PathBuf {
        self.names.iter().collect()
    }
}

/// One step of a path: a name to open, or `..`.
#[derive(Debug, Clone)]
enum Step {
    Name(OsString),
    Up,
}

/// The steps of a path (`.` and a leading `/` say nothing).
fn steps(path: &Path) -> Vec<Step> {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(Step::Name(name.to_owned())),
            Component::ParentDir => Some(Step::Up),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// `base` followed by the steps left, with `..` taken away by name: where a refused path leads,
/// written without looking at anything outside the input.
fn written_out(base: &Path, pending: &VecDeque<Step>) -> PathBuf {
    let mut path = PathBuf::from("/");
    let rest = pending.iter().map(|step| match step {
        Step::Name(name) => Component::Normal(name),
        Step::Up => Component::ParentDir,
    });
    for component in base.components().chain(rest) {
        match component {
            Component::ParentDir => {
                path.pop();
            }
            Component::Normal(name) => path.push(name),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    path
}

/// What a path beneath the input leads to.
#[derive(Debug)]
enum Reached {
    /// A folder: the trail ends with it.
    Folder(Trail),
    /// Something that is not a folder (a regular file, a FIFO, a device...): its folder, its name
    /// there and its type.
    Entry {
        trail: Trail,
        name: OsString,
        kind: FileType,
    },
    /// Nothing of that name in the folder last reached, after following `links` links.
    Missing { links: usize },
}

impl Input {
    /// The input folder at `path`, which must be a folder: opened once, here.
    pub fn open(path: &Path) -> Result<Input, String> {
        Input::open_as(path, "input folder")
    }

    /// The folder at `path` read as the input is, named `kind` (`archive folder`) in messages.
    pub fn open_as(path: &Path, kind: &'static str) -> Result<Input, String> {
        let unreadable = |e: io::Error| format!("the {kind} {} cannot be read: {e}", crate::escape::path(path));
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let folder = rustix::fs::open(path, flags, Mode::empty()).map_err(|e| match e {
            Errno::NOTDIR => format!("the {kind} {} is not a folder", crate::escape::path(path)),
            e => unreadable(e.into()),
        })?;
        let root = fs::canonicalize(path).map_err(unreadable)?;
        // The name may have been given to another folder between the two looks; the descriptor is
        // what is read, and absolute links are judged by the path, so both must be the same folder.
        let held = rustix::fs::fstat(&folder).map_err(|e| unreadable(e.into()))?;
        let named = rustix::fs::stat(&root).map_err(|e| unreadable(e.into()))?;
        if (held.st_dev, held.st_ino) != (named.st_dev, named.st_ino) {
            return Err(format!(
                "the {kind} {} was replaced while it was opened; run again",
                crate::escape::path(path)
            ));
        }
        Ok(Input {
            path: path.to_owned(),
            root,
            folder: Arc::new(folder),
            kind,
        })
    }

    /// The folder as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the folder really is, every link resolved.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The trail of the input folder itself.
    fn start(&self) -> Trail {
        Trail {
            folders: vec![Arc::clone(&self.folder)],
            names: Vec::new(),
        }
    }

    /// `path` (as reached from the current folder) as a path from the input folder.
    fn relative<'p>(&self, path: &'p Path) -> Result<&'p Path, Refusal> {
        path.strip_prefix(&self.path).map_err(|_| {
            Refusal::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "it is not a path under the input folder {}",
                    crate::escape::path(&self.path)
                ),
            ))
        })
    }

    /// Resolves `path` from `trail`, one name at a time: each name is opened beneath the folder
    /// held before it without following a link; a link is read and its target walked instead (a
    /// relative one from the folder that holds it, an absolute one only if it names a place beneath
    /// the input folder, from the input folder); `..` goes back to the folder held before, and never
    /// above the input folder. With `make_folders`, a missing name is made a folder.
    fn resolve(&self, mut trail: Trail, path: &Path, make_folders: bool) -> Result<Reached, Refusal> {
        let mut pending: VecDeque<Step> = steps(path).into();
        let mut links = 0;
        // The last link followed, as reached from the current folder, to name it when it leads out.
        let mut last_link: Option<PathBuf> = None;
        let outside = |last_link: Option<PathBuf>, to: PathBuf| Refusal::Outside {
            link: last_link.unwrap_or_else(|| self.path.join(path)),
            to,
            folder: self.kind,
        };
        while let Some(step) = pending.pop_front() {
            let name = match step {
                Step::Up if trail.folders.len() == 1 => {
                    let to = written_out(&self.root.join(".."), &pending);
                    return Err(outside(last_link, to));
                }
                Step::Up => {
                    trail.folders.pop();
                    trail.names.pop();
                    continue;
                }
                Step::Name(name) => name,
            };
            let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let opened = match rustix::fs::openat(trail.here(), &name, flags, Mode::empty()) {
                Ok(opened) => opened,
                Err(Errno::NOENT) if make_folders => {
                    // Made, or made by someone else meanwhile: either way, open it again by its
                    // name and look at what it is. Each try counts as a link, so that a name
                    // removed again and again cannot keep the walk going forever.
                    match rustix::fs::mkdirat(trail.here(), &name, Mode::from_raw_mode(0o777)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(e.into()),
                    }
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(Refusal::TooManyLinks);
                    }
                    pending.push_front(Step::Name(name));
                    continue;
                }
                Err(Errno::NOENT) if pending.is_empty() => return Ok(Reached::Missing { links }),
                Err(e) => return Err(e.into()),
            };
            let kind = FileType::from_raw_mode(rustix::fs::fstat(&opened)?.st_mode);
            match kind {
                FileType::Symlink => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(Refusal::TooManyLinks);
                    }
                    let target = rustix::fs::readlinkat(&opened, "", Vec::new())?;
                    let target = PathBuf::from(OsString::from_vec(target.into_bytes()));
                    last_link = Some(self.path.join(trail.relative()).join(&name));
                    if target.is_absolute() {
                        // Only the input's own path leads back in; anything else (`/proc/self/...`
                        // included, which the kernel would follow by magic) is outside.
                        let Ok(beneath) = target.strip_prefix(&self.root) else {
                            return Err(outside(last_link, written_out(&target, &pending)));
                        };
                        trail.folders.truncate(1);
                        trail.names.clear();
                        for step in steps(beneath).into_iter().rev() {
                            pending.push_front(step);
                        }
                    } else {
                        for step in steps(&target).into_iter().rev() {
                            pending.push_front(step);
                        }
                    }
                }
                FileType::Directory => {
                    trail.folders.push(Arc::new(opened));
                    trail.names.push(name);
                }
                kind if pending.is_empty() => return Ok(Reached::Entry { trail, name, kind }),
                _ => return Err(Errno::NOTDIR.into()),
            }
        }
        Ok(Reached::Folder(trail))
    }

    /// The bytes of the regular file at `path` (as reached from the current folder, inside the
    /// input), at most `limit` of them.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
        let reached = self
            .relative(path)
            .and_then(|relative| self.resolve(self.start(), relative, false))
            .map_err(|refusal| refusal.diagnostic(path))?;
        self.read_reached(path, reached, limit)
    }

    /// The bytes of the regular file that a resolution of `path` reached: opened by its name beneath
    /// the folder the resolution holds, so that no folder renamed or replaced by a link since can
    /// lead it elsewhere.
    fn read_reached(&self, path: &Path, reached: Reached, limit: u64) -> Result<Vec<u8>, Diagnostic> {
        let problem = |code, message: String| Diagnostic::new(code, path, Position::START, message);
        let unreadable = |e: io::Error| problem(Code::Io, format!("cannot be read: {e}"));
        let not_a_file = |kind: FileType| {
            problem(
                Code::NotAFile,
                format!("is {}, not a regular file: only regular files are read", describe(kind)),
            )
        };
        let (trail, name) = match reached {
            Reached::Entry {
                trail,
                name,
                kind: FileType::RegularFile,
            } => (trail, name),
            // Sockets and devices are refused before opening.
            Reached::Entry { kind, .. } => return Err(not_a_file(kind)),
            Reached::Folder(_) => return Err(not_a_file(FileType::Directory)),
            Reached::Missing { .. } => return Err(unreadable(Errno::NOENT.into())),
        };
        // A FIFO swapped in meanwhile is opened without waiting for a writer and refused by the
        // second look; a link swapped in is not followed.
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let file = rustix::fs::openat(trail.here(), &name, flags, Mode::empty()).map_err(|e| unreadable(e.into()))?;
        let meta = rustix::fs::fstat(&file).map_err(|e| unreadable(e.into()))?;
        let kind = FileType::from_raw_mode(meta.st_mode);
        if kind != FileType::RegularFile {
            return Err(not_a_file(kind));
        }
        let too_large = |size: String| {
            problem(
                Code::FileTooLarge,
                format!("is {size} bytes, more than the limit of {limit} bytes (see --max-file-size)"),
            )
        };
        let size = u64::try_from(meta.st_size).unwrap_or_default();
        if size > limit {
            return Err(too_large(size.to_string()));
        }
        read_at_most(File::from(file), limit)
            .map_err(unreadable)?
            .ok_or_else(|| too_large(format!("more than {limit}")))
    }

    /// Every file under `profiles/`, sorted, with the problems of walking there (see `walk`): a link
    /// out of the input folder is a problem, never a silent skip. The paths are as reached from the
    /// current folder.
    pub fn profile_files(&self) -> (Vec<PathBuf>, Vec<Diagnostic>) {
        let files = Vec::new();
        let mut problems = Vec::new();
        let profiles = self.path.join("profiles");
        let trail = match self.resolve(self.start(), Path::new("profiles"), false) {
            Ok(Reached::Folder(trail)) => trail,
            Ok(Reached::Entry { .. }) => {
                let message = "is not a folder: the input folder needs a profiles/ folder";
                problems.push(Diagnostic::new(Code::Io, &profiles, Position::START, message));
                return (files, problems);
            }
            Ok(Reached::Missing { .. }) => {
                let message = "is missing: the input folder needs a profiles/ folder";
                problems.push(Diagnostic::new(Code::Io, &profiles, Position::START, message));
                return (files, problems);
            }
            Err(refusal) => return (files, vec![refusal.diagnostic(&profiles)]),
        };
        self.walk(profiles, trail)
    }

    /// Every file in the whole folder (dotfiles skipped), sorted, with the problems of walking there,
    /// walked as `profile_files` walks `profiles/`: what `--archive` reads.
    pub fn all_files(&self) -> (Vec<PathBuf>, Vec<Diagnostic>) {
        self.walk(self.path.clone(), self.start())
    }

    /// The files beneath `folder` (reached as `trail`), sorted, with the problems of walking there:
    /// links followed only while they stay inside, each folder listed through its descriptor and
    /// walked once even if linked twice or in a loop, dotfiles (`.gitkeep`, editor files) skipped.
    ///
    /// A folder waiting to be walked holds no descriptor of its own, only its parent's (shared by
    /// its siblings): it is reached again from there when its turn comes, and must still be the
    /// folder it was. So the descriptors open at once grow with the depth of the folder, not with
    /// the number of folders (100,000 profiles once took 100,000, past the system's limit).
    fn walk(&self, folder: PathBuf, trail: Trail) -> (Vec<PathBuf>, Vec<Diagnostic>) {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        let mut folders: Vec<(PathBuf, Pending)> = Vec::new();
        if let Some(identity) = identity(trail.here()) {
            seen.insert(identity);
        }
        folders.push((folder, Pending::Reached(trail)));
        while let Some((folder, pending)) = folders.pop() {
            let trail = match pending {
                Pending::Reached(trail) => trail,
                Pending::Beneath { parent, name, was } => match self.resolve(parent, Path::new(&name), false) {
                    Ok(Reached::Folder(trail)) if identity(trail.here()) == was => trail,
                    Ok(_) => {
                        let message = "was replaced while the folder was read; run again";
                        problems.push(Diagnostic::new(Code::Io, &folder, Position::START, message));
                        continue;
                    }
                    Err(refusal) => {
                        problems.push(refusal.diagnostic(&folder));
                        continue;
                    }
                },
            };
            let names = match list(trail.here()) {
                Ok(names) => names,
                Err(e) => {
                    problems.push(Refusal::Io(e).diagnostic(&folder));
                    continue;
                }
            };
            // Folders before links, each in order of name: a folder listed beside a link to it is
            // walked under its own name, and which of two links to one folder is walked does not
            // depend on how the file system lists them.
            let mut names = names;
            names.sort_by_key(|(_, kind)| *kind != FileType::Directory);
            for (name, kind) in names {
                if name.as_bytes().starts_with(b".") {
                    continue;
                }
                let path = folder.join(&name);
                // A regular file needs no second look here: `read` looks at it when it reads it.
                if !matches!(kind, FileType::Directory | FileType::Symlink | FileType::Unknown) {
                    files.push(path);
                    continue;
                }
                match self.resolve(trail.clone(), Path::new(&name), false) {
                    // A folder, or a link to one inside, walked once even if linked twice.
                    Ok(Reached::Folder(inner)) => {
                        let was = identity(inner.here());
                        drop(inner);
                        if was.is_none_or(|identity| seen.insert(identity)) {
                            let parent = trail.clone();
                            folders.push((path, Pending::Beneath { parent, name, was }));
                        }
                    }
                    Ok(Reached::Missing { links }) if links > 0 => problems.push(Diagnostic::new(
                        Code::Io,
                        &path,
                        Position::START,
                        format!("is a broken symbolic link: {}", io::Error::from(Errno::NOENT)),
                    )),
                    // Anything else is a file to read: `read` refuses what is not a regular file.
                    Ok(Reached::Entry { .. } | Reached::Missing { .. }) => files.push(path),
                    Err(refusal) => problems.push(refusal.diagnostic(&path)),
                }
            }
        }
        files.sort();
        (files, problems)
    }

    /// The names in the folder at `path` (as reached from the current folder, inside the input),
    /// dotfiles included, listed through its descriptor; `None` if there is nothing of that name.
    pub fn names_in(&self, path: &Path) -> Result<Option<Vec<OsString>>, Refusal> {
        match self.resolve(self.start(), self.relative(path)?, false)? {
            Reached::Folder(trail) => Ok(Some(
                list(trail.here())
                    .map_err(Refusal::Io)?
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect(),
            )),
            Reached::Missing { links: 0 } => Ok(None),
            Reached::Missing { .. } => Err(Errno::NOENT.into()),
            Reached::Entry { .. } => Err(Errno::NOTDIR.into()),
        }
    }

    /// Creates the file at `path` (as reached from the current folder, inside the input) holding
    /// `bytes`, making its missing folders: every folder is reached and made beneath the input's
    /// descriptor, and the file is created beneath its folder's with `O_CREAT | O_EXCL`, so that
    /// nothing is written through a link out, and nothing that exists, even a link, is replaced.
    pub fn create_file(&self, path: &Path, bytes: &[u8]) -> Result<(), CreateError> {
        let relative = self.relative(path).map_err(CreateError::Refused)?;
        let (Some(folder), Some(name)) = (relative.parent(), relative.file_name()) else {
            return Err(CreateError::Refused(Errno::INVAL.into()));
        };
        let trail = match self.resolve(self.start(), folder, true) {
            Ok(Reached::Folder(trail)) => trail,
            Ok(Reached::Entry { .. }) => return Err(CreateError::Refused(Errno::NOTDIR.into())),
            Ok(Reached::Missing { .. }) => return Err(CreateError::Refused(Errno::NOENT.into())),
            Err(refusal) => return Err(CreateError::Refused(refusal)),
        };
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut file = match rustix::fs::openat(trail.here(), name, flags, Mode::from_raw_mode(0o666)) {
            Ok(file) => File::from(file),
            Err(Errno::EXIST) => return Err(CreateError::Exists),
            Err(e) => return Err(CreateError::Refused(e.into())),
        };
        if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
            // Removed by its name in the folder held, never by a path looked up again.
            let _ = rustix::fs::unlinkat(trail.here(), name, rustix::fs::AtFlags::empty());
            return Err(CreateError::Write(e));
        }
        Ok(())
    }
}

/// A folder found by `walk`, waiting to be walked.
enum Pending {
    /// Reached, and held.
    Reached(Trail),
    /// The entry `name` of the folder `parent`, which was the folder `was` when it was found.
    Beneath {
        parent: Trail,
        name: OsString,
        was: Option<(u64, u64)>,
    },
}

/// The entries of a folder held by `folder` (without `.` and `..`), sorted by name, with the type
/// the listing gives (`Unknown` on file systems that do not say).
fn list(folder: BorrowedFd<'_>) -> io::Result<Vec<(OsString, FileType)>> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let opened = rustix::fs::openat(folder, ".", flags, Mode::empty())?;
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::new(opened)? {
        let entry = entry?;
        let name = OsStr::from_bytes(entry.file_name().to_bytes());
        if name != "." && name != ".." {
            names.push((name.to_owned(), entry.file_type()));
        }
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(names)
}

/// A folder's device and inode: what tells that two links lead to one folder.
fn identity(folder: BorrowedFd<'_>) -> Option<(u64, u64)> {
    rustix::fs::fstat(folder).ok().map(|stat| (stat.st_dev, stat.st_ino))
}

/// What a file that is not a regular file is, in words.
fn describe(kind: FileType) -> &'static str {
    match kind {
        FileType::Directory => "a folder",
        FileType::Fifo => "a FIFO (named pipe)",
        FileType::Socket => "a socket",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        _ => "not a regular file",
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
    use std::os::unix::fs::symlink;

    #[test]
    fn reads_stop_at_the_limit_whatever_the_size_claimed() {
        // A reader that never ends, like /dev/zero or a file that grows while it is read.
        assert_eq!(read_at_most(io::repeat(b'x'), 10).expect("read"), None);
        assert_eq!(
            read_at_most(&b"0123456789"[..], 10).expect("read"),
            Some(b"0123456789".to_vec())
        );
    }

    /// A temporary folder holding `input/` with `input/profiles/acme/a.yaml` ("inside") and
    /// `elsewhere/a.yaml` ("outside"), and the input opened.
    fn fixture() -> (tempfile::TempDir, Input) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let acme = dir.path().join("input/profiles/acme");
        fs::create_dir_all(&acme).expect("folder");
        fs::write(acme.join("a.yaml"), "inside").expect("write");
        fs::create_dir_all(dir.path().join("elsewhere")).expect("folder");
        fs::write(dir.path().join("elsewhere/a.yaml"), "outside").expect("write");
        let input = Input::open(&dir.path().join("input")).expect("the input opens");
        (dir, input)
    }

    fn read(input: &Input, relative: &str) -> Result<Vec<u8>, Diagnostic> {
        input.read(&input.path().join(relative), 100)
    }

    /// The code and message of a refused read.
    fn refused(input: &Input, relative: &str) -> (Code, String) {
        let problem = read(input, relative).expect_err("refused");
        (problem.code, problem.message)
    }

    #[test]
    fn an_absolute_link_that_stays_inside_is_followed() {
        let (dir, input) = fixture();
        let real = input.root().join("profiles/acme");
        symlink(&real, dir.path().join("input/profiles/beta")).expect("link");
        symlink(real.join("a.yaml"), dir.path().join("input/b.yaml")).expect("link");
        assert_eq!(read(&input, "profiles/beta/a.yaml").expect("read"), b"inside");
        assert_eq!(read(&input, "b.yaml").expect("read"), b"inside");
        // Beneath the input's own path only: `..` after it still cannot climb out.
        symlink(
            input.root().join("../elsewhere/a.yaml"),
            dir.path().join("input/c.yaml"),
        )
        .expect("link");
        let (code, message) = refused(&input, "c.yaml");
        assert_eq!(code, Code::SymlinkOutside);
        let to = dir.path().canonicalize().expect("real").join("elsewhere/a.yaml");
        assert!(message.contains(&format!("to {},", to.display())), "{message}");
    }

    #[test]
    fn a_relative_link_out_is_refused_naming_where_it_leads() {
        let (dir, input) = fixture();
        symlink("../../../elsewhere", dir.path().join("input/profiles/acme/out")).expect("link");
        let (code, message) = refused(&input, "profiles/acme/out/a.yaml");
        assert_eq!(code, Code::SymlinkOutside);
        let to = dir.path().canonicalize().expect("real").join("elsewhere/a.yaml");
        assert!(message.contains(&format!("to {},", to.display())), "{message}");
        // A relative link that climbs and comes back in is inside.
        symlink(
            "../../profiles/acme/a.yaml",
            dir.path().join("input/profiles/acme/back.yaml"),
        )
        .expect("link");
        assert_eq!(read(&input, "profiles/acme/back.yaml").expect("read"), b"inside");
    }

    #[test]
    fn dot_dot_never_climbs_above_the_input() {
        let (_dir, input) = fixture();
        assert_eq!(refused(&input, "../elsewhere/a.yaml").0, Code::SymlinkOutside);
        assert_eq!(
            refused(&input, "profiles/../../elsewhere/a.yaml").0,
            Code::SymlinkOutside
        );
        assert_eq!(
            read(&input, "profiles/../profiles/acme/a.yaml").expect("read"),
            b"inside"
        );
    }

    #[test]
    fn a_loop_of_links_is_a_clear_error() {
        let (dir, input) = fixture();
        symlink("b", dir.path().join("input/a")).expect("link");
        symlink("a", dir.path().join("input/b")).expect("link");
        let (code, message) = refused(&input, "a");
        assert_eq!(code, Code::Io);
        assert!(message.contains("more than 40 symbolic links"), "{message}");
        // A chain of 40 links is followed; one of 41 is not.
        for at in 0..40 {
            symlink(format!("l{}", at + 1), dir.path().join(format!("input/l{at}"))).expect("link");
        }
        symlink("profiles/acme/a.yaml", dir.path().join("input/l40")).expect("link");
        assert_eq!(read(&input, "l1").expect("read"), b"inside");
        assert_eq!(refused(&input, "l0").0, Code::Io);
    }

    #[test]
    fn a_magic_link_is_never_followed() {
        let (dir, input) = fixture();
        // The kernel would follow these to the input's own files; they are outside by their words.
        let magic = format!("/proc/self/root{}", input.root().join("profiles/acme/a.yaml").display());
        symlink(&magic, dir.path().join("input/m.yaml")).expect("link");
        let (code, message) = refused(&input, "m.yaml");
        assert_eq!(code, Code::SymlinkOutside);
        assert!(message.contains(&format!("to {magic},")), "{message}");
        let open = File::open(input.root().join("profiles/acme/a.yaml")).expect("open");
        let fd = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&open));
        symlink(&fd, dir.path().join("input/f.yaml")).expect("link");
        assert_eq!(refused(&input, "f.yaml").0, Code::SymlinkOutside);
    }

    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let (dir, input) = fixture();
        let fifo = dir.path().join("input/profiles/acme/p.yaml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let (code, message) = refused(&input, "profiles/acme/p.yaml");
        assert_eq!(code, Code::NotAFile);
        assert!(message.contains("FIFO"), "{message}");
        // Swapped in after the look at its type: opened without blocking, refused by the second look.
        let path = Path::new("profiles/acme/a.yaml");
        let reached = input.resolve(input.start(), path, false).expect("resolved");
        fs::remove_file(dir.path().join("input/profiles/acme/a.yaml")).expect("remove");
        fs::rename(&fifo, dir.path().join("input/profiles/acme/a.yaml")).expect("rename");
        let problem = input.read_reached(path, reached, 100).expect_err("refused");
        assert_eq!(problem.code, Code::NotAFile);
    }

    #[test]
    fn a_folder_swapped_for_a_link_out_after_it_was_reached_is_not_followed() {
        let (dir, input) = fixture();
        let acme = dir.path().join("input/profiles/acme");
        let path = Path::new("profiles/acme/a.yaml");
        let reached = input.resolve(input.start(), path, false).expect("resolved");
        // The folder moves away inside the input, and a link out takes its name.
        fs::rename(&acme, dir.path().join("input/moved")).expect("rename");
        symlink(dir.path().join("elsewhere"), &acme).expect("link");
        let bytes = input.read_reached(path, reached, 100).expect("read");
        assert_eq!(bytes, b"inside", "read through the folder held, not its old name");
        // The next resolution meets the link, and refuses it.
        assert_eq!(refused(&input, "profiles/acme/a.yaml").0, Code::SymlinkOutside);
        // The last name swapped for a link out: not followed either.
        fs::remove_file(&acme).expect("remove");
        fs::rename(dir.path().join("input/moved"), &acme).expect("rename");
        let reached = input.resolve(input.start(), path, false).expect("resolved");
        fs::remove_file(acme.join("a.yaml")).expect("remove");
        symlink(dir.path().join("elsewhere/a.yaml"), acme.join("a.yaml")).expect("link");
        let problem = input.read_reached(path, reached, 100).expect_err("refused");
        assert_eq!(problem.code, Code::Io);
        assert!(!problem.message.contains("outside"), "{}", problem.message);
    }

    #[test]
    fn files_are_created_beneath_the_input_and_never_through_a_link_out() {
        let (dir, input) = fixture();
        let new = input.path().join("profiles/beta/2021-01-01.yaml");
        input.create_file(&new, b"new").expect("created");
        assert_eq!(
            fs::read(dir.path().join("input/profiles/beta/2021-01-01.yaml")).expect("read"),
            b"new"
        );
        assert!(matches!(input.create_file(&new, b"again"), Err(CreateError::Exists)));
        symlink(dir.path().join("elsewhere"), dir.path().join("input/profiles/gamma")).expect("link");
        let through = input.path().join("profiles/gamma/2021-01-01.yaml");
        assert!(matches!(
            input.create_file(&through, b"new"),
            Err(CreateError::Refused(Refusal::Outside { .. }))
        ));
        // A dangling link at the file's name is not written through either.
        symlink(
            dir.path().join("elsewhere/b.yaml"),
            dir.path().join("input/profiles/beta/b.yaml"),
        )
        .expect("link");
        let dangling = input.path().join("profiles/beta/b.yaml");
        assert!(matches!(input.create_file(&dangling, b"new"), Err(CreateError::Exists)));
        assert_eq!(
            fs::read_dir(dir.path().join("elsewhere")).expect("folder").count(),
            1,
            "nothing written outside"
        );
    }

    #[test]
    fn the_walk_lists_through_descriptors_and_walks_a_folder_once() {
        let (dir, input) = fixture();
        symlink("acme", dir.path().join("input/profiles/again")).expect("link");
        symlink("..", dir.path().join("input/profiles/acme/loop")).expect("link");
        fs::write(dir.path().join("input/profiles/acme/.hidden"), "x").expect("write");
        let (files, problems) = input.profile_files();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(files, vec![input.path().join("profiles/acme/a.yaml")]);
    }
}
