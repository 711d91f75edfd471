//! Publishing: `build` replaces only a folder that it wrote itself (a dataset carries the mark
//! `.profile-export`), an empty folder, or one that does not exist yet; it writes beside it into a
//! staging folder of a name no other build can share, under an advisory lock that makes builds into
//! one place take turns, and swaps the staging folder in whole.
//!
//! Every step after the checks goes through descriptors, never through a name checked earlier:
//! whoever can write in the folder that holds the output can rename anything in it at any moment.
//! That folder is opened once and locked; folders in it are opened with `O_NOFOLLOW` relative to it,
//! their marks read through them, and what is removed is removed entry by entry through them, never
//! following a link. Writers reach the staging folder through `/proc/self/fd/<fd>`, which the kernel
//! resolves through the descriptor, so a link put in its place is never written through.

use rustix::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, FlockOperation, Gid, Mode, OFlags, RenameFlags, Stat, Uid};
use rustix::io::Errno;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Once};

/// Why publishing failed: the output folder is not one `build` may replace, or a folder or file of
/// publishing could not be read or written. The previous output is untouched in every case.
#[derive(Debug)]
pub enum PublishError {
    /// Reading or writing a file or folder failed.
    Io(PathBuf, io::Error),
    /// The output folder is not one that build may replace.
    Refused(String),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Io(path, e) => write!(f, "{}: {e}", crate::escape::path(path)),
            PublishError::Refused(message) => f.write_str(message),
        }
    }
}

/// An error of the writer that may name paths as the writers were given them
/// (`/proc/self/fd/<fd>/...`): it names them by the staging folder's name instead.
pub trait StagingPaths {
    /// The error with `given` (the path writers were given) replaced by `shown` in the paths it names.
    fn shown(self, given: &Path, shown: &Path) -> Self;
}

/// What was published, and what went wrong after it was (it is in place all the same).
#[derive(Debug)]
pub struct Published<T> {
    /// What the writer gave.
    pub written: T,
    /// Warnings, e.g. a previous dataset that could not be removed.
    pub warnings: Vec<String>,
}

/// The file that marks a folder as a dataset written by profile-export.
pub const MARK: &str = ".profile-export";

const MARK_TEXT: &str = "This folder is a dataset written by profile-export.\n\
`profile-export build` replaces it as a whole: keep nothing else in it.\n";

/// A folder opened to be listed, locked, or used as the base of further calls; never a link.
const FOLDER: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// A folder only passed through on the way down (which needs no permission to read it); never a link.
#[cfg(target_os = "linux")]
const PASSAGE: OFlags = OFlags::PATH
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);
#[cfg(not(target_os = "linux"))]
const PASSAGE: OFlags = FOLDER;

/// Folders nested deeper than this inside a folder being removed stop the removal: a dataset is two
/// levels deep, and each level holds a descriptor open.
const DEEPEST: usize = 256;

/// The set-group-ID bit of a folder: files made in it take its group.
const SETGID: u32 = 0o2000;

/// An output folder that `build` may write: checked to be one it owns.
#[derive(Debug)]
pub struct Target {
    /// The folder as the user named it, for messages.
    pub output: PathBuf,
    /// The folder as an absolute path, links resolved but in its own name (a link there is refused).
    absolute: PathBuf,
    /// The input folder, absolute, links resolved.
    input: PathBuf,
}

/// What is at the output folder's name.
enum Found {
    /// Nothing: the dataset is made there.
    Missing,
    /// A folder that build may replace (a dataset of its own or an empty folder), held open, with
    /// its status (owner, group, mode), which the new dataset keeps.
    Folder(OwnedFd, Stat),
}

/// Checks that `output` is a folder `build` may replace: one that does not exist, an empty folder,
/// or a dataset it wrote. Everything else is refused with the reason and what to do.
pub fn claim(output: &Path, input: &Path) -> Result<Target, String> {
    let shown = crate::escape::path(output);
    let absolute = resolve_output(output).map_err(|e| format!("the output folder {shown} cannot be examined: {e}"))?;
    let input_absolute = resolve(input).map_err(|e| {
        format!(
            "the input folder {} cannot be examined: {e}",
            crate::escape::path(input)
        )
    })?;
    let target = Target {
        output: output.to_owned(),
        absolute,
        input: input_absolute,
    };
    target.verify(None)?;
    Ok(target)
}

impl Target {
    /// The checks of `claim`, made again under the lock just before writing, when `parent` is the
    /// locked folder that holds the output folder. Gives what is at the output folder's name.
    fn verify(&self, parent: Option<BorrowedFd<'_>>) -> Result<Found, String> {
        let shown = crate::escape::path(&self.output);
        let (absolute, input) = (&self.absolute, &self.input);
        let refuse = |why: String| Err(format!("the output folder {shown} {why}"));
        let what_to_do = "choose a new folder with --output";
        if absolute.parent().is_none() {
            return refuse(format!("is the root of the file system; {what_to_do}"));
        }
        if let Some(home) = std::env::var_os("HOME").and_then(|home| resolve(Path::new(&home)).ok())
            && home == *absolute
        {
            return refuse(format!("is your home folder; {what_to_do}"));
        }
        if absolute == input {
            return refuse(format!("is the input folder; {what_to_do}"));
        }
        if input.starts_with(absolute) {
            return refuse(format!(
                "holds the input folder {}; {what_to_do}",
                crate::escape::path(&self.input)
            ));
        }
        if absolute.starts_with(input) {
            return refuse(format!(
                "is inside the input folder {}, where it would be read as input; {what_to_do} outside it",
                crate::escape::path(&self.input)
            ));
        }
        let current = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .map_err(|e| format!("the current folder cannot be examined: {e}"))?;
        if current == *absolute {
            return refuse(format!("is the current folder; {what_to_do}"));
        }
        if current.starts_with(absolute) {
            return refuse(format!("holds the current folder; {what_to_do}"));
        }
        let walked = self
            .ancestors()
            .map_err(|why| format!("the output folder {shown} {why}"))?;
        match (parent, &walked) {
            (Some(parent), _) => self.examine(parent),
            (None, Some(parent)) => self.examine(parent.as_fd()),
            (None, None) => Ok(Found::Missing),
        }
    }

    /// Opens every folder above the output folder that exists, from the root down, never through a
    /// link, and refuses an output folder inside a dataset of ours or one of its staging folders:
    /// the next build of that one would replace it, and this one with it. Gives the folder that
    /// holds the output folder, if it exists.
    fn ancestors(&self) -> Result<Option<OwnedFd>, String> {
        let Some(parent) = self.absolute.parent() else {
            return Ok(None);
        };
        let mut walked = PathBuf::from("/");
        let mut folder = rustix::fs::openat(rustix::fs::CWD, "/", PASSAGE, Mode::empty())
            .map_err(|e| format!("cannot be examined: /: {}", io::Error::from(e)))?;
        for component in parent.components() {
            let Component::Normal(name) = component else { continue };
            folder = match rustix::fs::openat(&folder, name, PASSAGE, Mode::empty()) {
                Ok(next) => next,
                Err(Errno::NOENT) => return Ok(None),
                Err(e) => {
                    let path = walked.join(name);
                    return Err(format!(
                        "cannot be examined: {}: {}",
                        crate::escape::path(&path),
                        io::Error::from(e)
                    ));
                }
            };
            walked.push(name);
            if is_marked(folder.as_fd()) {
                let text = name.to_string_lossy();
                let what = match text.starts_with('.') && (text.contains(".staging-") || text.contains(".previous-")) {
                    true => "the staging folder of a build, which the next build there removes",
                    false => "a dataset written by profile-export, which its next build replaces whole",
                };
                return Err(format!(
                    "is inside {}, {what}; choose a folder outside it with --output",
                    crate::escape::path(&walked)
                ));
            }
        }
        Ok(Some(folder))
    }

    /// What is at the output folder's name in `parent`: nothing, or a folder build may replace.
    /// A link, a file, a mount point and a folder that is neither empty nor a dataset of ours are
    /// refused.
    fn examine(&self, parent: BorrowedFd<'_>) -> Result<Found, String> {
        let shown = crate::escape::path(&self.output);
        let refuse = |why: String| Err(format!("the output folder {shown} {why}"));
        let what_to_do = "choose a new folder with --output";
        let (_, name, _, _) = self.places();
        let cannot = |e: Errno| format!("the output folder {shown} cannot be examined: {}", io::Error::from(e));
        match rustix::fs::statat(parent, &name, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => return Ok(Found::Missing),
            Err(e) => return Err(cannot(e)),
            Ok(stat) => match FileType::from_raw_mode(stat.st_mode) {
                FileType::Directory => {}
                FileType::Symlink => return refuse("is a symbolic link; name the folder it points to instead".into()),
                _ => return refuse(format!("exists and is not a folder; {what_to_do}")),
            },
        }
        let folder = rustix::fs::openat(parent, &name, FOLDER, Mode::empty()).map_err(cannot)?;
        let stat = rustix::fs::fstat(&folder).map_err(cannot)?;
        let parent_stat = rustix::fs::fstat(parent).map_err(cannot)?;
        if is_mount_point(folder.as_fd(), &stat, &parent_stat) {
            return refuse(format!(
                "is a mount point (the root of a file system mounted there), which build cannot replace; \
                 choose a folder inside it with --output, e.g. {}",
                crate::escape::path(&self.output.join("dataset"))
            ));
        }
        if is_marked(folder.as_fd()) {
            return Ok(Found::Folder(folder, stat));
        }
        match entries(folder.as_fd()) {
            Ok(names) if names.is_empty() => Ok(Found::Folder(folder, stat)),
            Ok(_) => refuse(format!(
                "is not empty and is not a dataset written by profile-export (it has no `{MARK}` \
                 file), so build will not replace it; {what_to_do}, or empty this one yourself"
            )),
            Err(e) => refuse(format!("cannot be read: {e}")),
        }
    }

    /// Whether `path` is in a staging folder of this target (`<parent>/.<name>.staging-…`): what a
    /// failed build's error names, in a folder removed by the time it is printed.
    pub fn in_staging(&self, path: &Path) -> bool {
        let (parent, _, staging, _) = self.places();
        path.strip_prefix(&parent)
            .ok()
            .and_then(|rest| rest.components().next())
            .is_some_and(|first| first.as_os_str().to_string_lossy().starts_with(&staging))
    }

    /// The folder that holds the output folder, its name, and the prefixes of the staging folders
    /// and of the previous dataset set aside while swapping without `RENAME_EXCHANGE`.
    fn places(&self) -> (PathBuf, OsString, String, String) {
        let parent = self.absolute.parent().map(Path::to_owned).unwrap_or_else(|| "/".into());
        let name = self
            .absolute
            .file_name()
            .map(OsStr::to_owned)
            .unwrap_or_else(|| "output".into());
        let text = name.to_string_lossy();
        let staging = format!(".{text}.staging-");
        let aside = format!(".{text}.previous-");
        (parent, name, staging, aside)
    }
}

/// Whether `folder` is the root of a mounted file system: its device differs from the folder's
/// that holds it, or (a bind mount of the same device) `statx` says so.
fn is_mount_point(folder: BorrowedFd<'_>, stat: &Stat, parent: &Stat) -> bool {
    if stat.st_dev != parent.st_dev {
        return true;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{StatxAttributes, StatxFlags};
        let root = StatxAttributes::MOUNT_ROOT;
        if let Ok(status) = rustix::fs::statx(folder, "", AtFlags::EMPTY_PATH, StatxFlags::empty()) {
            return status.stx_attributes_mask.contains(root) && status.stx_attributes.contains(root);
        }
    }
    let _ = folder;
    false
}

/// Writes a dataset with `write` into a fresh staging folder beside the target, then puts it in
/// place of the target in one step. On any error the target is as it was, and the staging folder
/// and the folders made to hold the output are gone; on SIGINT, SIGTERM or SIGHUP they are removed
/// before the process exits.
pub fn publish<T, E: From<PublishError> + StagingPaths>(
    target: &Target,
    write: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<Published<T>, E> {
    remove_on_signal();
    let parent = match open_parent(target) {
        Ok(parent) => parent,
        Err(e) => {
            lock_unfinished().remove(1);
            return Err(e.into());
        }
    };
    let result = publish_into(target, &parent, write);
    if result.is_err() {
        lock_unfinished().remove(1);
    }
    // The lock of the folder that holds the output is released last, once what was made is gone.
    drop(parent);
    result
}

fn publish_into<T, E: From<PublishError> + StagingPaths>(
    target: &Target,
    parent: &Arc<OwnedFd>,
    write: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<Published<T>, E> {
    let (parent_path, _, staging_prefix, _) = target.places();
    recover(parent.as_fd(), target);
    let found = target.verify(Some(parent.as_fd())).map_err(PublishError::Refused)?;
    let staging = Staging::create(parent, &parent_path, &staging_prefix, &found)?;
    write_mark(&staging)?;
    let written = write(&staging.path).map_err(|e| e.shown(&staging.path, &staging.shown))?;
    staging.settle(&found)?;
    let warnings = swap_in(&staging, target, found)?.into_iter().collect();
    Ok(Published { written, warnings })
}

/// A folder made to hold the output folder: removed again, if still empty, when nothing is published.
struct Made {
    /// The folder that holds it.
    container: OwnedFd,
    name: OsString,
    identity: Identity,
}

/// The build's own staging folder, held open: every write into it and its removal go through its
/// descriptor.
struct Staging {
    /// The folder that holds it (and the output folder), locked.
    parent: Arc<OwnedFd>,
    name: OsString,
    folder: OwnedFd,
    identity: Identity,
    /// Its name, for messages.
    shown: PathBuf,
    /// The path writers are given: `/proc/self/fd/<fd>` where it leads to `folder`, else `shown`.
    path: PathBuf,
}

/// A file's device and inode: what it is, whatever its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity(u64, u64);

impl Identity {
    // `st_dev` and `st_ino` are not `u64` on every target.
    #[allow(clippy::unnecessary_cast)]
    fn of(stat: &Stat) -> Identity {
        Identity(stat.st_dev as u64, stat.st_ino as u64)
    }

    fn of_fd(fd: BorrowedFd<'_>) -> io::Result<Identity> {
        Ok(Identity::of(&rustix::fs::fstat(fd)?))
    }
}

/// Opens the folder that holds the output folder, making it and the folders above it that are
/// missing (each registered, so that a build that publishes nothing removes it again), and takes its
/// advisory lock, waiting for a build that holds it.
fn open_parent(target: &Target) -> Result<Arc<OwnedFd>, PublishError> {
    let (path, ..) = target.places();
    let io = |e: Errno| PublishError::Io(path.clone(), e.into());
    let mut said = false;
    for _ in 0..100 {
        let folder = make_folders(&path)?;
        match rustix::fs::flock(&folder, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(Errno::WOULDBLOCK) => {
                if !said {
                    say!(
                        "waiting for another build writing into {} to finish",
                        crate::escape::path(&path)
                    );
                    said = true;
                }
                rustix::fs::flock(&folder, FlockOperation::LockExclusive).map_err(io)?;
            }
            Err(e) => return Err(io(e)),
        }
        // The build that held the lock may have removed the folder (it made it and published
        // nothing), or someone renamed it: work in the folder that has the name now.
        let named = rustix::fs::stat(&path).map(|stat| Identity::of(&stat));
        if named.is_ok_and(|named| Identity::of_fd(folder.as_fd()).is_ok_and(|held| held == named)) {
            return Ok(Arc::new(folder));
        }
    }
    Err(PublishError::Io(
        path.clone(),
        io::Error::other("the folder was removed or replaced again and again while build waited for it"),
    ))
}

/// Opens the folder `path` (absolute) from the root down, never through a link, making the folders
/// that are missing as `mkdir -p` would; each one made is registered for removal.
fn make_folders(path: &Path) -> Result<OwnedFd, PublishError> {
    let mut walked = PathBuf::from("/");
    let io = |path: &Path, e: Errno| PublishError::Io(path.to_owned(), e.into());
    let mut folder = rustix::fs::openat(rustix::fs::CWD, "/", PASSAGE, Mode::empty()).map_err(|e| io(&walked, e))?;
    let names: Vec<&OsStr> = path
        .components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    for (index, name) in names.iter().enumerate() {
        walked.push(name);
        let made = match rustix::fs::mkdirat(&folder, *name, Mode::from_raw_mode(0o777)) {
            Ok(()) => true,
            Err(Errno::EXIST) => false,
            // A folder that exists may refuse new names (a read-only file system, /proc); opening
            // it says whether it is there.
            Err(e) => match rustix::fs::statat(&folder, *name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(_) => false,
                Err(_) => return Err(io(&walked, e)),
            },
        };
        let flags = if index + 1 == names.len() { FOLDER } else { PASSAGE };
        let next = rustix::fs::openat(&folder, *name, flags, Mode::empty()).map_err(|e| io(&walked, e))?;
        if made {
            let identity = Identity::of_fd(next.as_fd()).map_err(|e| PublishError::Io(walked.clone(), e))?;
            lock_unfinished().made.push(Made {
                container: folder,
                name: name.to_os_string(),
                identity,
            });
        }
        folder = next;
    }
    if names.is_empty() {
        folder = rustix::fs::openat(rustix::fs::CWD, "/", FOLDER, Mode::empty()).map_err(|e| io(&walked, e))?;
    }
    Ok(folder)
}

impl Staging {
    /// A new staging folder of a unique name in `parent`, registered for removal on a signal as it
    /// is made (a signal between the two would leave it behind). Only the build's user can enter it
    /// while it is written (mode 0700); it takes the group and the set-group-ID bit of the folder it
    /// replaces at once, so that the files made in it take that group.
    fn create(
        parent: &Arc<OwnedFd>,
        parent_path: &Path,
        prefix: &str,
        found: &Found,
    ) -> Result<Arc<Staging>, PublishError> {
        let mut unfinished = lock_unfinished();
        let (name, folder) = make_unique(parent.as_fd(), prefix)
            .map_err(|e| PublishError::Io(parent_path.join(format!("{prefix}…")), e))?;
        let shown = parent_path.join(&name);
        let stat = rustix::fs::fstat(&folder).map_err(|e| PublishError::Io(shown.clone(), e.into()))?;
        let identity = Identity::of(&stat);
        let path = path_through(folder.as_fd(), identity, &shown);
        let staging = Arc::new(Staging {
            parent: Arc::clone(parent),
            name,
            folder,
            identity,
            shown,
            path,
        });
        unfinished.staging = Some(Arc::clone(&staging));
        drop(unfinished);
        let io = |e: Errno| PublishError::Io(staging.shown.clone(), e.into());
        // What was opened must be what was made: a folder of this user's that no one else can enter.
        if stat.st_uid != rustix::process::geteuid().as_raw() || stat.st_mode & 0o077 != 0 {
            return Err(PublishError::Io(
                staging.shown.clone(),
                io::Error::other("another folder was put in place of the staging folder as it was made"),
            ));
        }
        let setgid = match found {
            Found::Folder(_, old) => {
                if old.st_gid != stat.st_gid {
                    // Allowed to the group's members and to root; otherwise the folder keeps this
                    // user's group.
                    let _ = rustix::fs::fchown(&staging.folder, None, Some(Gid::from_raw(old.st_gid)));
                }
                old.st_mode & SETGID
            }
            Found::Missing => stat.st_mode & SETGID,
        };
        rustix::fs::fchmod(&staging.folder, Mode::from_raw_mode(0o700 | setgid)).map_err(io)?;
        Ok(staging)
    }

    /// Gives the staging folder, just before the swap, what the output folder had: its mode, its
    /// group when allowed, and its owner when running as root. A new output folder gets what `mkdir`
    /// would give it (0777 without the umask, and the set-group-ID bit of the folder that holds it).
    fn settle(&self, found: &Found) -> Result<(), PublishError> {
        let io = |e: Errno| PublishError::Io(self.shown.clone(), e.into());
        let mode = match found {
            Found::Folder(_, old) => {
                let owner = rustix::process::geteuid().is_root().then(|| Uid::from_raw(old.st_uid));
                let _ = rustix::fs::fchown(&self.folder, owner, Some(Gid::from_raw(old.st_gid)));
                old.st_mode & 0o7777
            }
            Found::Missing => {
                let now = rustix::fs::fstat(&self.folder).map_err(io)?;
                self.mkdir_mode().map_err(io)? | (now.st_mode & SETGID)
            }
        };
        rustix::fs::fchmod(&self.folder, Mode::from_raw_mode(mode)).map_err(io)?;
        rustix::fs::fsync(&self.folder).map_err(io)
    }

    /// The permissions `mkdir` gives a new folder here: those of a folder made with 0777 inside the
    /// staging folder (which no one else can enter), so the umask, and a default ACL if there is one,
    /// apply as they would to the output folder, without reading or changing the process's umask.
    fn mkdir_mode(&self) -> Result<u32, Errno> {
        const PROBE: &str = ".mkdir-mode";
        rustix::fs::mkdirat(&self.folder, PROBE, Mode::from_raw_mode(0o777))?;
        let probe = rustix::fs::statat(&self.folder, PROBE, AtFlags::SYMLINK_NOFOLLOW);
        rustix::fs::unlinkat(&self.folder, PROBE, AtFlags::REMOVEDIR)?;
        Ok(probe?.st_mode & 0o777)
    }

    /// Whether the staging folder's name still leads to it.
    fn still_named(&self) -> bool {
        rustix::fs::statat(&self.parent, &self.name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|stat| Identity::of(&stat) == self.identity)
    }

    /// Removes what the staging folder holds, its mark last, then the folder itself if its name
    /// still leads to it.
    fn remove(&self) -> io::Result<()> {
        empty_folder(self.folder.as_fd(), Some(MARK), 0)?;
        remove_mark(self.folder.as_fd())?;
        remove_if_same(self.parent.as_fd(), &self.name, self.identity)
    }
}

/// The path writers use to reach `folder`: `/proc/self/fd/<fd>`, which the kernel resolves through
/// the descriptor, so that renaming the folder and putting a link in its place changes nothing for
/// them. Where /proc is not mounted (or leads elsewhere), the folder's name `shown`: the one place a
/// name is then trusted. (SQLite resolves the link itself and opens the name it finds, which is the
/// folder's name at that moment; see `sqlite::open`.)
fn path_through(folder: BorrowedFd<'_>, identity: Identity, shown: &Path) -> PathBuf {
    let path = PathBuf::from(format!("/proc/self/fd/{}", folder.as_raw_fd()));
    match rustix::fs::stat(&path) {
        Ok(stat) if Identity::of(&stat) == identity => path,
        _ => shown.to_owned(),
    }
}

/// Makes a folder of a new name, `prefix` and six random letters or digits, in `parent`, readable
/// and writable by this user only, and opens it.
fn make_unique(parent: BorrowedFd<'_>, prefix: &str) -> io::Result<(OsString, OwnedFd)> {
    use std::hash::BuildHasher;
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let keys = std::hash::RandomState::new();
    for attempt in 0..1u32 << 16 {
        // The keys are random (the operating system's randomness, once per thread).
        let mut bits = keys.hash_one((std::process::id(), attempt));
        let mut name = String::from(prefix);
        for _ in 0..6 {
            name.push(char::from(LETTERS[(bits % 62) as usize]));
            bits /= 62;
        }
        match rustix::fs::mkdirat(parent, &name, Mode::from_raw_mode(0o700)) {
            Ok(()) => {
                let folder = rustix::fs::openat(parent, &name, FOLDER, Mode::empty())?;
                return Ok((name.into(), folder));
            }
            Err(Errno::EXIST) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "every name tried is taken",
    ))
}

/// What this build has made and not published: removed on failure, or on a signal before the
/// process exits.
struct Unfinished {
    /// Folders made to hold the output folder, outermost first.
    made: Vec<Made>,
    staging: Option<Arc<Staging>>,
}

impl Unfinished {
    /// Removes the staging folder (trying up to `attempts` times: writers may still be adding
    /// files), then the folders made for the output that are still empty, innermost first, and
    /// forgets them.
    fn remove(&mut self, attempts: usize) {
        let staging = self.staging.take();
        if let Some(staging) = &staging {
            for _ in 0..attempts {
                if staging.remove().is_ok() {
                    break;
                }
            }
        }
        for made in self.made.drain(..).rev() {
            let _ = remove_if_same(made.container.as_fd(), &made.name, made.identity);
        }
        // The staging folder holds the locked folder open until what was made is gone.
        drop(staging);
    }
}

/// What a signal removes before the process exits. The lock is held while the staging folder is
/// swapped in, so a signal never removes half of a folder being published.
static UNFINISHED: Mutex<Unfinished> = Mutex::new(Unfinished {
    made: Vec::new(),
    staging: None,
});

fn lock_unfinished() -> MutexGuard<'static, Unfinished> {
    UNFINISHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs, once, the handler that removes what the build made and did not publish on SIGINT,
/// SIGTERM or SIGHUP and exits with 128 + the signal's number, as a shell reports it.
fn remove_on_signal() {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Writers may still be adding files; once the folder itself is gone, none can add
                // any (they create files, never the staging folder). The lock is held until the
                // process exits: a build failing for want of its staging folder waits for it, and
                // does not report that failure.
                let mut unfinished = lock_unfinished();
                unfinished.remove(1000);
                std::process::exit(128 + signal);
            }
        });
    });
}

/// Cleans up after builds that died, under the lock (so none of them is still running): their
/// staging folders are removed, and a previous dataset set aside by an unfinished swap goes back in
/// place if the output folder is missing, or is removed. Each is opened through `parent` without
/// following a link, and its mark is read through it.
fn recover(parent: BorrowedFd<'_>, target: &Target) {
    let (_, output, staging_prefix, aside_prefix) = target.places();
    let Ok(mut names) = entries(parent) else { return };
    names.sort();
    for name in names {
        let text = name.to_string_lossy();
        let open = || rustix::fs::openat(parent, &name, FOLDER, Mode::empty());
        if let Some(suffix) = text.strip_prefix(&staging_prefix) {
            // Only what a build of ours made: six random letters or digits, and the mark (written
            // first), the start of it (a build killed while writing it) or nothing at all. Any other
            // folder of that name, and anything that is not a folder, is left alone.
            let ours = suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric());
            if !ours {
                continue;
            }
            let Ok(folder) = open() else { continue };
            let Ok(identity) = Identity::of_fd(folder.as_fd()) else {
                continue;
            };
            if is_marked(folder.as_fd()) {
                let _ = remove_folder(parent, &name, folder.as_fd());
            } else if holds_only_an_unfinished_mark(folder.as_fd()) {
                let _ = remove_mark(folder.as_fd()).and_then(|()| remove_if_same(parent, &name, identity));
            } else {
                let _ = remove_if_same(parent, &name, identity); // fails unless empty
            }
        } else if text.starts_with(&aside_prefix) {
            let Ok(folder) = open() else { continue };
            if !is_marked(folder.as_fd()) {
                continue;
            }
            match rustix::fs::statat(parent, &output, AtFlags::SYMLINK_NOFOLLOW) {
                Err(Errno::NOENT) => {
                    let _ = rename_new(parent, &name, &output);
                }
                _ => {
                    let _ = remove_folder(parent, &name, folder.as_fd());
                }
            }
        }
    }
}

/// Removes `folder`, which `parent` holds as `name`, when the name still leads to it: what it holds,
/// entry by entry through descriptors and never through a link, then its mark last (a build killed
/// while removing it leaves a folder that is still marked, so the next build knows it and finishes
/// the job), then the folder.
fn remove_folder(parent: BorrowedFd<'_>, name: &OsStr, folder: BorrowedFd<'_>) -> io::Result<()> {
    let identity = Identity::of_fd(folder)?;
    let named = rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW)?;
    if Identity::of(&named) != identity {
        return Err(io::Error::other("its name leads to another folder now"));
    }
    empty_folder(folder, Some(MARK), 0)?;
    remove_mark(folder)?;
    remove_if_same(parent, name, identity)
}

/// Removes every entry of `folder` but `keep`: files and links are unlinked (a link is removed,
/// never followed), folders are opened without following a link and emptied the same way.
fn empty_folder(folder: BorrowedFd<'_>, keep: Option<&str>, depth: usize) -> io::Result<()> {
    if depth > DEEPEST {
        return Err(io::Error::other(format!("it nests more than {DEEPEST} folders")));
    }
    for name in entries(folder)? {
        if keep.is_some_and(|keep| name.as_bytes() == keep.as_bytes()) {
            continue;
        }
        match rustix::fs::unlinkat(folder, &name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => {}
            // Linux says EISDIR for a folder, POSIX allows EPERM.
            Err(refused @ (Errno::ISDIR | Errno::PERM)) => {
                let inner = match rustix::fs::openat(folder, &name, FOLDER, Mode::empty()) {
                    Ok(inner) => inner,
                    Err(Errno::NOTDIR | Errno::LOOP) => return Err(refused.into()),
                    Err(Errno::NOENT) => continue,
                    Err(e) => return Err(e.into()),
                };
                empty_folder(inner.as_fd(), None, depth + 1)?;
                match rustix::fs::unlinkat(folder, &name, AtFlags::REMOVEDIR) {
                    Ok(()) | Err(Errno::NOENT) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Removes the mark of `folder`, if it has one.
fn remove_mark(folder: BorrowedFd<'_>) -> io::Result<()> {
    match rustix::fs::unlinkat(folder, MARK, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Removes the empty folder `name` of `parent` if it is still the folder `identity`; a name that
/// leads elsewhere now, or nowhere, is left as it is.
fn remove_if_same(parent: BorrowedFd<'_>, name: &OsStr, identity: Identity) -> io::Result<()> {
    match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
        Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(e.into()),
        Ok(stat) if Identity::of(&stat) != identity => Ok(()),
        Ok(_) => match rustix::fs::unlinkat(parent, name, AtFlags::REMOVEDIR) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
        },
    }
}

/// The names in `folder`, without `.` and `..`.
fn entries(folder: BorrowedFd<'_>) -> io::Result<Vec<OsString>> {
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::read_from(folder)? {
        let name = entry?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            names.push(OsStr::from_bytes(&name).to_owned());
        }
    }
    Ok(names)
}

/// The mark of `folder`, opened through it: a regular file, never a link (nor a FIFO that would
/// block the open).
fn open_mark(folder: BorrowedFd<'_>) -> Option<File> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let mark = rustix::fs::openat(folder, MARK, flags, Mode::empty()).ok()?;
    let stat = rustix::fs::fstat(&mark).ok()?;
    (FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile).then(|| File::from(mark))
}

/// Whether `folder` holds the mark: a regular file (not a link) that says what `MARK_TEXT` says.
fn is_marked(folder: BorrowedFd<'_>) -> bool {
    let Some(mark) = open_mark(folder) else { return false };
    let first_line = MARK_TEXT.lines().next().unwrap_or(MARK_TEXT);
    let mut start = Vec::new();
    mark.take(first_line.len() as u64)
        .read_to_end(&mut start)
        .is_ok_and(|_| start == first_line.as_bytes())
}

/// Whether the only thing in `folder` is a mark cut short: a regular file whose bytes are the start
/// of `MARK_TEXT` (none at all included), which is what a build killed between creating the mark
/// and writing it leaves.
fn holds_only_an_unfinished_mark(folder: BorrowedFd<'_>) -> bool {
    if !entries(folder).is_ok_and(|names| names.len() == 1 && names[0] == MARK) {
        return false;
    }
    let Some(mark) = open_mark(folder) else { return false };
    let mut text = Vec::new();
    mark.take(MARK_TEXT.len() as u64)
        .read_to_end(&mut text)
        .is_ok_and(|_| text.len() < MARK_TEXT.len() && MARK_TEXT.as_bytes().starts_with(&text))
}

/// Writes the mark into the staging folder, first, through its descriptor.
fn write_mark(staging: &Staging) -> Result<(), PublishError> {
    let path = staging.shown.join(MARK);
    let io = |e: io::Error| PublishError::Io(path.clone(), e);
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mark =
        rustix::fs::openat(&staging.folder, MARK, flags, Mode::from_raw_mode(0o666)).map_err(|e| io(e.into()))?;
    let mut file = File::from(mark);
    file.write_all(MARK_TEXT.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// The absolute form of the output folder `path`, with the links leading to it resolved but not its
/// own name: the name is what build replaces, so a link there must be seen (and refused), not
/// followed.
fn resolve_output(path: &Path) -> io::Result<PathBuf> {
    match (path.components().next_back(), path.parent()) {
        (Some(Component::Normal(name)), Some(parent)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            Ok(resolve(parent)?.join(name))
        }
        _ => resolve(path),
    }
}

/// The absolute form of `path` with every link resolved, also when its last parts do not exist yet
/// (they are then taken as written, `..` and all).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut resolved = PathBuf::from("/");
    for component in std::path::absolute(path)?.components() {
        match component {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if std::fs::symlink_metadata(&resolved).is_ok() {
                    resolved = std::fs::canonicalize(&resolved)?;
                }
            }
        }
    }
    Ok(resolved)
}

/// Puts the staging folder in place of the output folder in one step, relative to the folder that
/// holds both, then removes the previous dataset. Gives a warning when the previous dataset could
/// not be removed: the new one is in place all the same.
fn swap_in(staging: &Staging, target: &Target, found: Found) -> Result<Option<String>, PublishError> {
    let (_, output, _, aside_prefix) = target.places();
    let parent = staging.parent.as_fd();
    let io = |e: io::Error| PublishError::Io(target.output.clone(), e);
    // A signal waits until the swap is done; by then nothing is left for it to remove.
    let mut unfinished = lock_unfinished();
    // What has the staging folder's name now is published: it must still be the staging folder.
    if !staging.still_named() {
        return Err(PublishError::Io(
            staging.shown.clone(),
            io::Error::other("the staging folder was moved or replaced while the build wrote into it"),
        ));
    }
    match &found {
        Found::Missing => rename_new(parent, &staging.name, &output).map_err(io)?,
        Found::Folder(..) => exchange(parent, &staging.name, &output, &aside_prefix).map_err(io)?,
    }
    let _ = rustix::fs::fsync(parent);
    // Published: the folders made for the output hold it now, and the staging folder's name holds
    // the previous dataset (marked, so a build killed from here on leaves it to the next one).
    unfinished.made.clear();
    unfinished.staging = None;
    drop(unfinished);
    let Found::Folder(previous, _) = found else {
        return Ok(None);
    };
    Ok(retire(
        parent,
        &staging.name,
        previous.as_fd(),
        &staging.shown,
        &target.output,
    ))
}

/// Removes the previous dataset, which the swap left at `name` in `parent`, or says why it could
/// not.
fn retire(
    parent: BorrowedFd<'_>,
    name: &OsStr,
    previous: BorrowedFd<'_>,
    shown: &Path,
    output: &Path,
) -> Option<String> {
    let removed = remove_folder(parent, name, previous);
    left_behind(removed, parent, name, shown, output)
}

/// The warning for a previous dataset that could not be removed after the swap: where it is, why,
/// and whether the next build removes it (it does while it is marked, and its mark goes last).
fn left_behind(
    removed: io::Result<()>,
    parent: BorrowedFd<'_>,
    name: &OsStr,
    shown: &Path,
    output: &Path,
) -> Option<String> {
    let error = removed.err()?;
    let next = match rustix::fs::openat(parent, name, FOLDER, Mode::empty()) {
        Ok(folder) if is_marked(folder.as_fd()) => {
            format!("the next build into {} removes it", crate::escape::path(output))
        }
        _ => "it is left as it is".to_owned(),
    };
    Some(format!(
        "the previous dataset, moved aside to {}, could not be removed ({error}); the new one is in place, \
         and {next}",
        crate::escape::path(shown)
    ))
}

/// Moves `from` to the new name `to`, both in `parent`, never replacing what may have appeared at
/// `to` since it was checked.
fn rename_new(parent: BorrowedFd<'_>, from: &OsStr, to: &OsStr) -> io::Result<()> {
    match rustix::fs::renameat_with(parent, from, parent, to, RenameFlags::NOREPLACE) {
        Err(Errno::INVAL | Errno::NOSYS) => Ok(rustix::fs::renameat(parent, from, parent, to)?),
        other => Ok(other?),
    }
}

/// Swaps two folders of `parent` atomically (`renameat2(RENAME_EXCHANGE)`), or, where the file
/// system cannot, by renames that leave nothing behind.
fn exchange(parent: BorrowedFd<'_>, staging: &OsStr, output: &OsStr, aside_prefix: &str) -> io::Result<()> {
    match rustix::fs::renameat_with(parent, staging, parent, output, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(Errno::INVAL | Errno::NOSYS) => exchange_by_renames(parent, staging, output, aside_prefix),
        Err(e) => Err(e.into()),
    }
}

/// Three renames: the output moves aside under a name of this build's own (`.<name>.previous-…`,
/// which the next build puts back if it finds the output missing), the staging folder takes its
/// place, and the old dataset ends up at the staging folder's name. Between the first two the
/// output is briefly missing, but never half-written.
fn exchange_by_renames(parent: BorrowedFd<'_>, staging: &OsStr, output: &OsStr, aside_prefix: &str) -> io::Result<()> {
    // The unique name is held by an empty folder until the output takes it (`rename` replaces an
    // empty folder).
    let (aside, _) = make_unique(parent, aside_prefix)?;
    rustix::fs::renameat(parent, output, parent, &aside)?;
    if let Err(e) = rustix::fs::renameat(parent, staging, parent, output) {
        let _ = rustix::fs::renameat(parent, &aside, parent, output);
        return Err(e.into());
    }
    Ok(rustix::fs::renameat(parent, &aside, parent, staging)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn folder_with(root: &Path, name: &str, file: &str) -> PathBuf {
        let folder = root.join(name);
        fs::create_dir_all(&folder).expect("folder");
        fs::write(folder.join(file), name).expect("file");
        folder
    }

    fn open(path: &Path) -> OwnedFd {
        rustix::fs::openat(rustix::fs::CWD, path, FOLDER, Mode::empty()).expect("open")
    }

    fn target_in(root: &Path) -> Target {
        Target {
            output: root.join("output"),
            absolute: root.join("output"),
            input: root.join("input"),
        }
    }

    fn names(root: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(root)
            .expect("read")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_path_in_a_staging_folder_of_the_target_is_told_from_others() {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir(dir.path().join("in")).expect("input folder");
        let target = claim(&dir.path().join("out"), &dir.path().join("in")).expect("a new output folder");
        let real = std::fs::canonicalize(dir.path()).expect("the real path");
        let at = |relative: &str| real.join(relative);
        assert!(target.in_staging(&at(".out.staging-AbC123/csv/x.csv")));
        assert!(target.in_staging(&at(".out.staging-AbC123")));
        for other in [
            "out/csv/x.csv",
            ".other.staging-AbC123/x.csv",
            "sub/.out.staging-AbC123/x.csv",
            ".out.previous-AbC123/x.csv",
            "in/x.yaml",
        ] {
            assert!(!target.in_staging(&at(other)), "{other}");
        }
    }

    #[test]
    fn the_fallback_swap_exchanges_and_leaves_nothing_else() {
        let root = tempfile::tempdir().expect("temporary folder");
        let staging = folder_with(root.path(), ".output.staging-x", "new.txt");
        let output = folder_with(root.path(), "output", "old.txt");
        let parent = open(root.path());
        exchange_by_renames(
            parent.as_fd(),
            OsStr::new(".output.staging-x"),
            OsStr::new("output"),
            ".output.previous-",
        )
        .expect("swap");
        assert!(output.join("new.txt").is_file());
        assert!(staging.join("old.txt").is_file());
        assert_eq!(names(root.path()), [".output.staging-x", "output"]);
    }

    #[test]
    fn a_dataset_set_aside_by_an_unfinished_swap_is_put_back() {
        let root = tempfile::tempdir().expect("temporary folder");
        let aside = root.path().join(".output.previous-abc");
        fs::create_dir_all(&aside).expect("folder");
        fs::write(aside.join(MARK), MARK_TEXT).expect("mark");
        let dead = root.path().join(".output.staging-def123");
        fs::create_dir_all(dead.join("csv")).expect("folder");
        fs::write(dead.join(MARK), MARK_TEXT).expect("mark");
        fs::write(dead.join("csv/x.csv"), "half").expect("file");
        folder_with(root.path(), ".output.staging-mine", "thesis.txt");
        recover(open(root.path()).as_fd(), &target_in(root.path()));
        assert!(root.path().join("output").join(MARK).is_file());
        assert!(!aside.exists());
        assert!(!dead.exists());
        assert!(
            root.path().join(".output.staging-mine/thesis.txt").is_file(),
            "not ours: kept"
        );
    }

    #[test]
    fn a_staging_folder_killed_while_its_mark_was_written_is_removed_and_no_other() {
        let root = tempfile::tempdir().expect("temporary folder");
        let with_mark = |name: &str, text: &[u8]| {
            let folder = root.path().join(name);
            fs::create_dir_all(&folder).expect("folder");
            fs::write(folder.join(MARK), text).expect("mark");
            folder
        };
        let empty_mark = with_mark(".output.staging-abc123", b"");
        let half_mark = with_mark(".output.staging-def456", &MARK_TEXT.as_bytes()[..20]);
        let other_text = with_mark(".output.staging-ghi789", b"my notes");
        let more_files = with_mark(".output.staging-jkl012", b"");
        fs::write(more_files.join("thesis.txt"), "mine").expect("file");
        recover(open(root.path()).as_fd(), &target_in(root.path()));
        assert!(!empty_mark.exists(), "an empty mark: removed");
        assert!(!half_mark.exists(), "the start of the mark: removed");
        assert_eq!(fs::read(other_text.join(MARK)).expect("kept"), b"my notes");
        assert!(more_files.join("thesis.txt").is_file(), "not only a mark: kept");
        assert!(more_files.join(MARK).is_file());
    }

    /// `publish` keeps what it has made in one place per process (a process runs one build): tests
    /// that publish take turns.
    static ONE_BUILD: Mutex<()> = Mutex::new(());

    fn one_build() -> MutexGuard<'static, ()> {
        ONE_BUILD.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Renames the staging folder of the build running in `root` away and puts a link to
    /// `elsewhere` in its place, as anyone who can write in the folder that holds the output can do
    /// at any moment of a build.
    fn swap_for_link(root: &Path, elsewhere: &Path) {
        let name = names(root)
            .into_iter()
            .find(|name| name.starts_with(".output.staging-"))
            .expect("a staging folder");
        fs::rename(root.join(&name), root.join("moved")).expect("rename");
        std::os::unix::fs::symlink(elsewhere, root.join(&name)).expect("link");
    }

    /// A folder of someone else's, with a file and a folder the names of a dataset's.
    fn precious(root: &Path) -> PathBuf {
        let elsewhere = root.join("elsewhere");
        fs::create_dir_all(elsewhere.join("csv")).expect("folder");
        fs::write(elsewhere.join("README.md"), "keep me").expect("file");
        fs::write(elsewhere.join("csv/profiles.csv"), "keep me too").expect("file");
        elsewhere
    }

    /// Every file under `folder` with its text.
    fn files(folder: &Path) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut folders = vec![folder.to_owned()];
        while let Some(next) = folders.pop() {
            for entry in fs::read_dir(&next).expect("readable") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let relative = path.strip_prefix(folder).expect("inside").display().to_string();
                    found.push((relative, fs::read_to_string(&path).expect("text")));
                }
            }
        }
        found.sort();
        found
    }

    /// What a writer of the tests gives: publishing's errors, the formats', or a stop of its own.
    #[derive(Debug)]
    enum TestError {
        Publish(PublishError),
        Stop,
    }

    impl From<PublishError> for TestError {
        fn from(error: PublishError) -> Self {
            TestError::Publish(error)
        }
    }

    impl StagingPaths for TestError {
        fn shown(self, _: &Path, _: &Path) -> Self {
            self
        }
    }

    impl std::fmt::Display for TestError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                TestError::Publish(error) => error.fmt(f),
                TestError::Stop => f.write_str("the build stops here"),
            }
        }
    }

    /// Writes the way the writers do, by paths under the one they are given: a format's folder and
    /// a new file in it, and a file at the top.
    fn write_like_a_writer(staging: &Path) -> Result<(), TestError> {
        let io = |path: PathBuf| move |e| TestError::Publish(PublishError::Io(path, e));
        fs::create_dir(staging.join("csv")).map_err(io(staging.join("csv")))?;
        let csv = staging.join("csv/profiles.csv");
        File::create_new(&csv)
            .and_then(|mut file| file.write_all(b"written by the build"))
            .map_err(io(csv))?;
        let readme = staging.join("README.md");
        fs::write(&readme, "written by the build").map_err(io(readme))
    }

    #[test]
    fn a_link_put_in_place_of_the_staging_folder_is_neither_written_through_nor_emptied() {
        let root = tempfile::tempdir().expect("temporary folder");
        let elsewhere = precious(root.path());
        let before = files(&elsewhere);
        let _turn = one_build();
        let result = publish(&target_in(root.path()), |staging| {
            swap_for_link(root.path(), &elsewhere);
            write_like_a_writer(staging)?;
            Err::<(), _>(TestError::Stop)
        });
        assert!(matches!(result, Err(TestError::Stop)), "{result:?}");
        assert_eq!(
            files(&elsewhere),
            before,
            "nothing written through the link, nothing removed"
        );
        assert!(!root.path().join("output").exists());
        assert_eq!(files(&root.path().join("moved")), [], "what the build wrote is removed");
    }

    #[test]
    fn a_staging_folder_moved_while_the_build_wrote_is_not_published() {
        let root = tempfile::tempdir().expect("temporary folder");
        let elsewhere = precious(root.path());
        let before = files(&elsewhere);
        let _turn = one_build();
        let result = publish(&target_in(root.path()), |staging| {
            swap_for_link(root.path(), &elsewhere);
            write_like_a_writer(staging)?;
            Ok::<(), TestError>(())
        });
        let message = result.expect_err("not published").to_string();
        assert!(
            message.contains("was moved or replaced while the build wrote"),
            "{message}"
        );
        assert!(
            fs::symlink_metadata(root.path().join("output")).is_err(),
            "the link is not published"
        );
        assert_eq!(files(&elsewhere), before);
    }

    #[test]
    fn removing_never_follows_a_link() {
        let root = tempfile::tempdir().expect("temporary folder");
        let outside = folder_with(root.path(), "outside", "a.txt");
        folder_with(&outside, "sub", "b.txt");
        let marked = folder_with(root.path(), "marked", "data.txt");
        fs::write(marked.join(MARK), MARK_TEXT).expect("mark");
        // Links with the names of a dead build's staging folder and of a dataset set aside.
        std::os::unix::fs::symlink(&marked, root.path().join(".output.staging-Lnk123")).expect("link");
        std::os::unix::fs::symlink(&marked, root.path().join(".output.previous-Lnk456")).expect("link");
        // A dead build's staging folder holding links out: the links go, what they lead to stays.
        let dead = root.path().join(".output.staging-Dead12");
        fs::create_dir_all(dead.join("csv")).expect("folder");
        fs::write(dead.join(MARK), MARK_TEXT).expect("mark");
        std::os::unix::fs::symlink(outside.join("a.txt"), dead.join("csv/x.csv")).expect("link");
        std::os::unix::fs::symlink(&outside, dead.join("parquet")).expect("link");
        let before = (files(&outside), files(&marked));
        recover(open(root.path()).as_fd(), &target_in(root.path()));
        assert_eq!((files(&outside), files(&marked)), before);
        assert!(!dead.exists(), "the dead build's staging folder is removed");
        assert_eq!(
            names(root.path()),
            [".output.previous-Lnk456", ".output.staging-Lnk123", "marked", "outside"],
            "links are left as they are, and none is put in place of the output"
        );
    }

    #[test]
    fn a_previous_dataset_that_cannot_be_removed_is_reported() {
        let root = tempfile::tempdir().expect("temporary folder");
        let old = root.path().join(".output.staging-Old123");
        fs::create_dir(&old).expect("folder");
        fs::write(old.join(MARK), MARK_TEXT).expect("mark");
        let parent = open(root.path());
        let name = OsStr::new(".output.staging-Old123");
        let denied = Err(io::Error::from_raw_os_error(13));
        assert_eq!(
            left_behind(denied, parent.as_fd(), name, &old, Path::new("output")).as_deref(),
            Some(
                format!(
                    "the previous dataset, moved aside to {}, could not be removed (Permission denied (os \
                     error 13)); the new one is in place, and the next build into output removes it",
                    old.display()
                )
                .as_str()
            )
        );
        assert_eq!(
            left_behind(Ok(()), parent.as_fd(), name, &old, Path::new("output")),
            None
        );
        // The previous dataset, and another folder put at its name since: that one is not removed.
        let previous = folder_with(root.path(), "previous", "data.csv");
        let warning =
            retire(parent.as_fd(), name, open(&previous).as_fd(), &old, Path::new("output")).expect("a warning");
        assert!(warning.contains("its name leads to another folder now"), "{warning}");
        assert!(old.join(MARK).is_file() && previous.join("data.csv").is_file());
    }

    #[test]
    fn a_mount_point_is_told_from_a_folder() {
        let status = |fd: &OwnedFd| rustix::fs::fstat(fd).expect("status");
        let (root, proc) = (open(Path::new("/")), open(Path::new("/proc")));
        assert!(is_mount_point(proc.as_fd(), &status(&proc), &status(&root)));
        let temporary = tempfile::tempdir().expect("temporary folder");
        let inner = folder_with(temporary.path(), "inner", "file");
        let (outer, inner) = (open(temporary.path()), open(&inner));
        assert!(!is_mount_point(inner.as_fd(), &status(&inner), &status(&outer)));
    }

    #[test]
    fn the_output_folder_keeps_its_own_name_when_it_is_a_link() {
        let root = tempfile::tempdir().expect("temporary folder");
        let real = fs::canonicalize(root.path()).expect("canonical");
        fs::create_dir(real.join("real")).expect("folder");
        std::os::unix::fs::symlink(real.join("real"), real.join("link")).expect("link");
        assert_eq!(resolve_output(&real.join("link")).expect("resolved"), real.join("link"));
        assert_eq!(
            resolve_output(&real.join("link/out")).expect("resolved"),
            real.join("real/out")
        );
    }

    #[test]
    fn paths_resolve_through_links_and_past_what_does_not_exist() {
        let root = tempfile::tempdir().expect("temporary folder");
        let real = fs::canonicalize(root.path()).expect("canonical");
        fs::create_dir(real.join("real")).expect("folder");
        std::os::unix::fs::symlink(real.join("real"), real.join("link")).expect("link");
        assert_eq!(
            resolve(&real.join("link/new/../deeper")).expect("resolved"),
            real.join("real/deeper")
        );
    }
}
