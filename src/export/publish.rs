//! Publishing: `build` replaces only a folder that it wrote itself (a dataset carries the mark
//! `.profile-export`), an empty folder, or one that does not exist yet; it writes beside it into a
//! staging folder of a name no other build can share, under an advisory lock that makes builds into
//! one place take turns, and swaps the staging folder in whole.

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
            PublishError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            PublishError::Refused(message) => f.write_str(message),
        }
    }
}
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, Once};

/// The file that marks a folder as a dataset written by profile-export.
pub const MARK: &str = ".profile-export";

const MARK_TEXT: &str = "This folder is a dataset written by profile-export.\n\
`profile-export build` replaces it as a whole: keep nothing else in it.\n";

/// An output folder that `build` may write: checked to be one it owns.
#[derive(Debug)]
pub struct Target {
    /// The folder as the user named it, for messages.
    pub output: PathBuf,
    /// The folder as an absolute path, links resolved.
    absolute: PathBuf,
    /// The input folder, absolute, links resolved.
    input: PathBuf,
}

/// Checks that `output` is a folder `build` may replace: one that does not exist, an empty folder,
/// or a dataset it wrote. Everything else is refused with the reason and what to do.
pub fn claim(output: &Path, input: &Path) -> Result<Target, String> {
    let shown = output.display();
    let absolute = resolve(output).map_err(|e| format!("the output folder {shown} cannot be examined: {e}"))?;
    let input_absolute =
        resolve(input).map_err(|e| format!("the input folder {} cannot be examined: {e}", input.display()))?;
    let target = Target {
        output: output.to_owned(),
        absolute,
        input: input_absolute,
    };
    target.verify()?;
    Ok(target)
}

impl Target {
    /// The checks of `claim`, made again under the lock just before writing.
    fn verify(&self) -> Result<(), String> {
        let shown = self.output.display();
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
            return refuse(format!("holds the input folder {}; {what_to_do}", self.input.display()));
        }
        if absolute.starts_with(input) {
            return refuse(format!(
                "is inside the input folder {}, where it would be read as input; {what_to_do} outside it",
                self.input.display()
            ));
        }
        let current = std::env::current_dir()
            .and_then(fs::canonicalize)
            .map_err(|e| format!("the current folder cannot be examined: {e}"))?;
        if current == *absolute {
            return refuse(format!("is the current folder; {what_to_do}"));
        }
        if current.starts_with(absolute) {
            return refuse(format!("holds the current folder; {what_to_do}"));
        }
        match fs::symlink_metadata(&self.output) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => refuse(format!("cannot be examined: {e}")),
            Ok(meta) if meta.file_type().is_symlink() => {
                refuse("is a symbolic link; name the folder it points to instead".into())
            }
            Ok(meta) if !meta.is_dir() => refuse(format!("exists and is not a folder; {what_to_do}")),
            Ok(_) if is_marked(&self.output) => Ok(()),
            Ok(_) => match is_empty(&self.output) {
                Ok(true) => Ok(()),
                Ok(false) => refuse(format!(
                    "is not empty and is not a dataset written by profile-export (it has no `{MARK}` \
                     file), so build will not replace it; {what_to_do}, or empty this one yourself"
                )),
                Err(e) => refuse(format!("cannot be read: {e}")),
            },
        }
    }

    /// The folder that holds the output folder, its name, and the prefixes of the staging folders
    /// and of the previous dataset set aside while swapping without `RENAME_EXCHANGE`.
    fn places(&self) -> (PathBuf, String, String, String) {
        let parent = self.absolute.parent().map(Path::to_owned).unwrap_or_else(|| "/".into());
        let name = self
            .absolute
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let staging = format!(".{name}.staging-");
        let aside = format!(".{name}.previous-");
        (parent, name, staging, aside)
    }
}

/// Writes a dataset with `write` into a fresh staging folder beside the target, then puts it in
/// place of the target in one step. On any error the target is as it was and the staging folder is
/// gone; on SIGINT, SIGTERM or SIGHUP the staging folder is removed before the process exits.
pub fn publish<T, E: From<PublishError>>(target: &Target, write: impl FnOnce(&Path) -> Result<T, E>) -> Result<T, E> {
    let (parent, _, staging_prefix, _) = target.places();
    fs::create_dir_all(&parent).map_err(|e| PublishError::Io(parent.clone(), e))?;
    let _lock = lock(&parent)?;
    recover(target);
    target.verify().map_err(PublishError::Refused)?;
    let staging = staging_folder(&parent, &staging_prefix)?;
    let result = write_mark(&staging)
        .map_err(E::from)
        .and_then(|()| write(&staging))
        .and_then(|written| swap_in(&staging, &target.output).map(|()| written).map_err(E::from));
    let mut registered = lock_staging();
    if result.is_err() {
        let _ = remove_marked(&staging);
    }
    *registered = None;
    result
}

/// A new staging folder, registered for removal on a signal as it is made (a signal between the
/// two would leave it behind).
fn staging_folder(parent: &Path, prefix: &str) -> Result<PathBuf, PublishError> {
    remove_on_signal();
    let mut registered = lock_staging();
    let staging = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(parent)
        .map_err(|e| PublishError::Io(parent.join(format!("{prefix}…")), e))?
        .keep();
    *registered = Some(staging.clone());
    Ok(staging)
}

/// Takes the advisory lock of the folder that holds the output, waiting for a build that holds it.
fn lock(parent: &Path) -> Result<File, PublishError> {
    let io = |e: io::Error| PublishError::Io(parent.to_owned(), e);
    let folder = File::open(parent).map_err(io)?;
    match folder.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let _ = writeln!(
                io::stderr(),
                "waiting for another build writing into {} to finish",
                parent.display()
            );
            folder.lock().map_err(io)?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    Ok(folder)
}

/// Cleans up after builds that died, under the lock (so none of them is still running): their
/// staging folders are removed, and a previous dataset set aside by an unfinished swap goes back in
/// place if the output folder is missing, or is removed.
fn recover(target: &Target) {
    let (parent, _, staging_prefix, aside_prefix) = target.places();
    let Ok(entries) = fs::read_dir(&parent) else { return };
    let mut names: Vec<_> = entries.flatten().map(|entry| entry.file_name()).collect();
    names.sort();
    for name in names {
        let text = name.to_string_lossy();
        let path = parent.join(&name);
        let is_folder = fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_dir());
        if !is_folder {
            continue;
        }
        if let Some(suffix) = text.strip_prefix(&staging_prefix) {
            // Only what a build of ours made: `tempfile`'s six random characters, and the mark
            // (written first), the start of it (a build killed while writing it) or nothing at
            // all. Any other folder of that name is left alone.
            let ours = suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric());
            if ours && is_marked(&path) {
                let _ = remove_marked(&path);
            } else if ours && holds_only_an_unfinished_mark(&path) {
                let _ = fs::remove_file(path.join(MARK)).and_then(|()| fs::remove_dir(&path));
            } else if ours {
                let _ = fs::remove_dir(&path); // fails unless empty
            }
        } else if text.starts_with(&aside_prefix) && is_marked(&path) {
            if fs::symlink_metadata(&target.output).is_err() {
                let _ = fs::rename(&path, &target.output);
            } else {
                let _ = remove_marked(&path);
            }
        }
    }
}

/// Removes a folder of ours, its mark last: a build killed while removing it leaves a folder that
/// is still marked, so the next build knows it and finishes the job.
fn remove_marked(folder: &Path) -> io::Result<()> {
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_name() == MARK {
            continue;
        }
        match entry.file_type()?.is_dir() {
            true => fs::remove_dir_all(entry.path())?,
            false => fs::remove_file(entry.path())?,
        }
    }
    match fs::remove_file(folder.join(MARK)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(folder)
}

fn write_mark(staging: &Path) -> Result<(), PublishError> {
    let path = staging.join(MARK);
    let io = |e: io::Error| PublishError::Io(path.clone(), e);
    let mut file = File::create_new(&path).map_err(io)?;
    file.write_all(MARK_TEXT.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Whether `folder` holds the mark: a regular file (not a link) that says what `MARK_TEXT` says.
fn is_marked(folder: &Path) -> bool {
    use std::io::Read;
    let path = folder.join(MARK);
    if !fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_file()) {
        return false;
    }
    let first_line = MARK_TEXT.lines().next().unwrap_or(MARK_TEXT);
    let mut start = Vec::new();
    File::open(&path)
        .and_then(|file| file.take(first_line.len() as u64).read_to_end(&mut start))
        .is_ok_and(|_| start == first_line.as_bytes())
}

/// Whether the only thing in `folder` is a mark cut short: a regular file whose bytes are the start
/// of `MARK_TEXT` (none at all included), which is what a build killed between creating the mark
/// and writing it leaves.
fn holds_only_an_unfinished_mark(folder: &Path) -> bool {
    use std::io::Read;
    let names: Vec<_> = match fs::read_dir(folder) {
        Ok(entries) => entries.take(2).map(|entry| entry.map(|e| e.file_name())).collect(),
        Err(_) => return false,
    };
    if !matches!(names.as_slice(), [Ok(name)] if name == MARK) {
        return false;
    }
    let path = folder.join(MARK);
    if !fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_file()) {
        return false;
    }
    let mut text = Vec::new();
    File::open(&path)
        .and_then(|file| file.take(MARK_TEXT.len() as u64).read_to_end(&mut text))
        .is_ok_and(|_| text.len() < MARK_TEXT.len() && MARK_TEXT.as_bytes().starts_with(&text))
}

fn is_empty(folder: &Path) -> io::Result<bool> {
    Ok(fs::read_dir(folder)?.next().is_none())
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
                if fs::symlink_metadata(&resolved).is_ok() {
                    resolved = fs::canonicalize(&resolved)?;
                }
            }
        }
    }
    Ok(resolved)
}

/// The staging folder that a signal removes before the process exits. The lock is held while the
/// staging folder is swapped in, so a signal never removes half of a folder being published.
static STAGING: Mutex<Option<PathBuf>> = Mutex::new(None);

fn lock_staging() -> std::sync::MutexGuard<'static, Option<PathBuf>> {
    STAGING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs, once, the handler that removes the registered staging folder on SIGINT, SIGTERM or
/// SIGHUP and exits with 128 + the signal's number, as a shell reports it.
fn remove_on_signal() {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let staging = lock_staging();
                if let Some(path) = staging.as_ref() {
                    // Writers may still be adding files; once the folder itself is gone, none can
                    // make it again (they create files, never the staging folder).
                    for _ in 0..1000 {
                        if remove_marked(path).is_ok() || fs::symlink_metadata(path).is_err() {
                            break;
                        }
                    }
                }
                std::process::exit(128 + signal);
            }
        });
    });
}

pub(super) fn sync_folder(folder: &Path) {
    // Directory fsync makes the new names durable; a failure here loses nothing already written.
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}

/// Puts the staging folder in place of `output` in one step; the previous dataset is removed.
fn swap_in(staging: &Path, output: &Path) -> Result<(), PublishError> {
    let io = |e: io::Error| PublishError::Io(output.to_owned(), e);
    // A signal waits until the swap is done, then removes what `staging` names: the old dataset.
    let _swapping = lock_staging();
    match fs::symlink_metadata(output) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::rename(staging, output).map_err(io)?,
        Err(e) => return Err(io(e)),
        Ok(_) => {
            exchange(staging, output).map_err(io)?;
            // `staging` now holds the previous dataset.
            let _ = remove_marked(staging);
        }
    }
    if let Some(parent) = output.parent() {
        sync_folder(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        });
    }
    Ok(())
}

/// Swaps two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`), or, where the file system
/// cannot, by renames that leave nothing behind.
#[cfg(target_os = "linux")]
fn exchange(staging: &Path, output: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, output, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => exchange_by_renames(staging, output),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staging: &Path, output: &Path) -> io::Result<()> {
    exchange_by_renames(staging, output)
}

/// Two renames: the output moves aside under a name of this build's own (`.<name>.previous-…`,
/// which the next build puts back if it finds the output missing), the staging folder takes its
/// place, and the old dataset ends up at the staging folder's name. Between the two renames the
/// output is briefly missing, but never half-written.
fn exchange_by_renames(staging: &Path, output: &Path) -> io::Result<()> {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = staging.parent().unwrap_or(Path::new("."));
    let aside = tempfile::Builder::new()
        .prefix(&format!(".{name}.previous-"))
        .tempdir_in(parent)?
        .keep();
    // `rename` replaces an empty folder: the unique name is held until the output takes it.
    fs::rename(output, &aside)?;
    if let Err(e) = fs::rename(staging, output) {
        let _ = fs::rename(&aside, output);
        return Err(e);
    }
    fs::rename(&aside, staging)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(root: &Path, name: &str, file: &str) -> PathBuf {
        let folder = root.join(name);
        fs::create_dir_all(&folder).expect("folder");
        fs::write(folder.join(file), name).expect("file");
        folder
    }

    #[test]
    fn the_fallback_swap_exchanges_and_leaves_nothing_else() {
        let root = tempfile::tempdir().expect("temporary folder");
        let staging = folder_with(root.path(), ".output.staging-x", "new.txt");
        let output = folder_with(root.path(), "output", "old.txt");
        exchange_by_renames(&staging, &output).expect("swap");
        assert!(output.join("new.txt").is_file());
        assert!(staging.join("old.txt").is_file());
        let mut names: Vec<_> = fs::read_dir(root.path())
            .expect("read")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".output.staging-x", "output"]);
    }

    #[test]
    fn a_dataset_set_aside_by_an_unfinished_swap_is_put_back() {
        let root = tempfile::tempdir().expect("temporary folder");
        let aside = root.path().join(".output.previous-abc");
        fs::create_dir_all(&aside).expect("folder");
        write_mark(&aside).expect("mark");
        let dead = root.path().join(".output.staging-def123");
        fs::create_dir_all(&dead).expect("folder");
        write_mark(&dead).expect("mark");
        folder_with(root.path(), ".output.staging-mine", "thesis.txt");
        let target = Target {
            output: root.path().join("output"),
            absolute: root.path().join("output"),
            input: root.path().join("input"),
        };
        recover(&target);
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
        let target = Target {
            output: root.path().join("output"),
            absolute: root.path().join("output"),
            input: root.path().join("input"),
        };
        recover(&target);
        assert!(!empty_mark.exists(), "an empty mark: removed");
        assert!(!half_mark.exists(), "the start of the mark: removed");
        assert_eq!(fs::read(other_text.join(MARK)).expect("kept"), b"my notes");
        assert!(more_files.join("thesis.txt").is_file(), "not only a mark: kept");
        assert!(more_files.join(MARK).is_file());
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
