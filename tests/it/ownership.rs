//! `build` owns only its own output: it replaces a dataset it wrote (marked `.profile-export`), an
//! empty folder or a new one, and refuses every other folder with exit 2, touching nothing.

use crate::generate;
use crate::support::{REVISION, Workdir, run_in, run_with_env, tree};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Everything under `root`, links and empty folders included, to prove a refusal touched nothing.
fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable folder") {
            let path = entry.expect("entry").path();
            let relative = path.strip_prefix(root).expect("inside").to_string_lossy().into_owned();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                found.push((relative + "/", Vec::new()));
                folders.push(path);
            } else if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("link");
                found.push((relative, target.to_string_lossy().into_owned().into_bytes()));
            } else {
                found.push((relative, std::fs::read(&path).expect("readable file")));
            }
        }
    }
    found.sort();
    found
}

/// Runs `build --output <output>` in `dir` and asserts that it is refused, naming `why`, and that
/// nothing under `dir` changed.
#[track_caller]
fn assert_refused(dir: &Path, args: &[&str], env: &[(&str, &str)], why: &str) {
    let before = snapshot(dir);
    let outcome = run_with_env(dir, args, env);
    assert_eq!(outcome.code, 2, "{args:?}: {}", outcome.stderr);
    assert!(
        outcome.stderr.contains(why),
        "{args:?}: expected `{why}` in:\n{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("nothing was written"), "{}", outcome.stderr);
    assert!(snapshot(dir) == before, "{args:?} changed the folder");
}

#[test]
fn a_folder_holding_the_input_is_refused() {
    // The reported case: `cd ws && profile-export build --output ../ws`.
    let work = Workdir::with_revision(REVISION);
    std::fs::create_dir_all(work.path("notes")).expect("folder");
    std::fs::write(work.path("notes/draft.md"), "my notes").expect("write");
    std::fs::create_dir_all(work.path(".git")).expect("folder");
    let name = work
        .dir
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let up = format!("../{name}");
    let dir = work.dir.path();
    assert_refused(dir, &["build", "--output", &up], &[], "holds the input folder");
    assert_refused(dir, &["build", "--output", "."], &[], "holds the input folder");
    assert_refused(dir, &["build", "--output", "input"], &[], "is the input folder");
    assert_refused(
        dir,
        &["build", "--output", "input/profiles/.."],
        &[],
        "is the input folder",
    );
}

#[test]
fn a_non_empty_folder_that_is_not_a_dataset_is_refused() {
    let work = Workdir::with_revision(REVISION);
    std::fs::create_dir_all(work.path("docs/guide")).expect("folder");
    std::fs::write(work.path("docs/guide/index.md"), "the user's own file").expect("write");
    assert_refused(
        work.dir.path(),
        &["build", "--output", "docs"],
        &[],
        "is not a dataset written by profile-export",
    );
    // A folder that only looks like a dataset: the mark must be a file of its own.
    std::fs::create_dir_all(work.path("look/.profile-export")).expect("folder");
    std::fs::write(work.path("look/datapackage.json"), "{}").expect("write");
    assert_refused(
        work.dir.path(),
        &["build", "--output", "look"],
        &[],
        "is not a dataset written by profile-export",
    );
}

#[test]
fn the_current_folder_and_those_holding_it_are_refused() {
    let work = Workdir::with_revision(REVISION);
    std::fs::create_dir_all(work.path("here")).expect("folder");
    let here = work.path("here");
    let input = work.path("input");
    let input = input.to_str().expect("utf-8");
    assert_refused(
        &here,
        &["build", "--input", input, "--output", "."],
        &[],
        "is the current folder",
    );
    assert_refused(
        &here,
        &["build", "--input", input, "--output", ".."],
        &[],
        "holds the input folder",
    );
    std::fs::create_dir_all(work.path("here/deeper")).expect("folder");
    let deeper = work.path("here/deeper");
    assert_refused(
        &deeper,
        &["build", "--input", input, "--output", ".."],
        &[],
        "holds the current folder",
    );
}

#[test]
fn a_folder_inside_the_input_is_refused_even_when_it_does_not_exist_yet() {
    let work = Workdir::with_revision(REVISION);
    let dir = work.dir.path();
    assert_refused(
        dir,
        &["build", "--output", "input/new/deeper/out"],
        &[],
        "inside the input folder",
    );
    assert!(!work.path("input/new").exists());
    // Through a link to the input, and through `..` past folders that do not exist.
    std::os::unix::fs::symlink(work.path("input"), work.path("alias")).expect("link");
    assert_refused(dir, &["build", "--output", "alias/out"], &[], "inside the input folder");
    assert_refused(
        dir,
        &["build", "--output", "missing/../input/out"],
        &[],
        "inside the input folder",
    );
}

#[test]
fn the_root_and_the_home_folder_are_refused() {
    let work = Workdir::with_revision(REVISION);
    let dir = work.dir.path();
    assert_refused(dir, &["build", "--output", "/"], &[], "is the root of the file system");
    std::fs::create_dir_all(work.path("home")).expect("folder");
    let home = work.path("home");
    let home = home.to_str().expect("utf-8");
    assert_refused(
        dir,
        &["build", "--output", home],
        &[("HOME", home)],
        "is your home folder",
    );
}

#[test]
fn a_link_or_a_file_in_the_way_is_refused() {
    let work = Workdir::with_revision(REVISION);
    let dir = work.dir.path();
    std::fs::create_dir_all(work.path("elsewhere")).expect("folder");
    std::os::unix::fs::symlink(work.path("elsewhere"), work.path("output")).expect("link");
    assert_refused(dir, &["build"], &[], "is a symbolic link");
    std::fs::remove_file(work.path("output")).expect("remove");
    std::fs::write(work.path("output"), "a file").expect("write");
    assert_refused(dir, &["build"], &[], "is not a folder");
}

#[test]
fn a_new_folder_an_empty_one_and_a_dataset_of_its_own_are_written() {
    let work = Workdir::with_revision(REVISION);
    let fresh = work.run(&["build", "--output", "new/out"]);
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    assert!(
        work.path("new/out/.profile-export").is_file(),
        "every dataset is marked"
    );
    std::fs::create_dir_all(work.path("empty")).expect("folder");
    assert_eq!(work.run(&["build", "--output", "empty"]).code, 0);
    assert!(work.path("empty/datapackage.json").is_file());
    let again = work.run(&["build", "--output", "new/out"]);
    assert_eq!(again.code, 0, "a dataset it wrote is replaced: {}", again.stderr);
    assert!(tree(&work.path("new/out")) == tree(&work.path("empty")));
}

#[test]
fn staging_folders_of_dead_builds_are_removed_and_nothing_else() {
    let work = Workdir::with_revision(REVISION);
    assert_eq!(work.run(&["build"]).code, 0);
    // A killed build's staging folder: the name build gives it, and the mark it writes first.
    let mark = std::fs::read(work.path("output/.profile-export")).expect("mark");
    std::fs::create_dir_all(work.path(".output.staging-Ab12Cd/csv")).expect("a killed build's staging");
    std::fs::write(work.path(".output.staging-Ab12Cd/.profile-export"), &mark).expect("write");
    std::fs::write(work.path(".output.staging-Ab12Cd/csv/x.csv"), "half").expect("write");
    std::fs::create_dir_all(work.path(".output.staging-Zz99zz")).expect("killed before the mark");
    // Folders of the user's that only look like staging folders.
    for name in [".output.staging-mine", ".output.staging-Xy34Wv", ".output.staging-"] {
        std::fs::create_dir_all(work.path(name)).expect("folder");
        std::fs::write(work.path(name).join("thesis.txt"), "precious").expect("write");
    }
    std::fs::create_dir_all(work.path("output.tmp-1")).expect("a folder of the user's");
    assert_eq!(work.run(&["build"]).code, 0);
    assert!(!work.path(".output.staging-Ab12Cd").exists());
    assert!(!work.path(".output.staging-Zz99zz").exists());
    for name in [".output.staging-mine", ".output.staging-Xy34Wv", ".output.staging-"] {
        assert!(
            work.path(name).join("thesis.txt").is_file(),
            "{name} is not ours and stays"
        );
    }
    assert!(
        work.path("output.tmp-1").is_dir(),
        "a folder that is not a staging folder stays"
    );
}

#[test]
fn a_mark_must_say_what_build_writes() {
    let work = Workdir::with_revision(REVISION);
    std::fs::create_dir_all(work.path("mine")).expect("folder");
    std::fs::write(work.path("mine/keep.txt"), "precious").expect("write");
    std::fs::write(work.path("mine/.profile-export"), "").expect("an empty file of that name");
    assert_refused(
        work.dir.path(),
        &["build", "--output", "mine"],
        &[],
        "is not a dataset written by profile-export",
    );
}

#[test]
fn a_build_waits_for_the_lock_of_another() {
    let work = Workdir::with_revision(REVISION);
    let folder = std::fs::File::open(work.dir.path()).expect("open");
    folder.lock().expect("lock");
    let mut child = Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(["build", "--quiet"])
        .current_dir(work.dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Checking a one-file input takes milliseconds; the build then waits for the lock.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the build did not wait for the lock"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !work.path("output").exists(),
        "nothing is published while another build holds the lock"
    );
    folder.unlock().expect("unlock");
    let outcome = child.wait_with_output().expect("wait");
    assert!(outcome.status.success());
    assert!(String::from_utf8_lossy(&outcome.stderr).contains("waiting for another build"));
    assert!(work.path("output/datapackage.json").is_file());
}

#[test]
fn two_builds_into_one_output_take_turns() {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate::generate(30, 3, &dir.path().join("input")).expect("input");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_profile-export"))
                .args(["build", "--quiet"])
                .current_dir(dir.path())
                .stderr(Stdio::null())
                .spawn()
                .expect("the binary runs")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("wait").success());
    }
    let alone = tempfile::tempdir().expect("temporary folder");
    generate::generate(30, 3, &alone.path().join("input")).expect("input");
    assert_eq!(run_in(alone.path(), &["build", "--quiet"]).code, 0);
    assert!(tree(&dir.path().join("output")) == tree(&alone.path().join("output")));
    let names = crate::support::leftovers(dir.path(), &["input", "output"]);
    assert_eq!(names, Vec::<String>::new());
}

#[test]
fn sigterm_and_sigint_remove_the_staging_folder() {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate::generate(300, 5, &dir.path().join("input")).expect("input");
    assert_eq!(run_in(dir.path(), &["build", "--quiet"]).code, 0);
    let before = tree(&dir.path().join("output"));
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_profile-export"))
            .args(["build", "--quiet"])
            .current_dir(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        let staging = || {
            crate::support::leftovers(dir.path(), &["input", "output"])
                .into_iter()
                .any(|name| name.starts_with(".output.staging-"))
        };
        let started = Instant::now();
        while !staging() && started.elapsed() < Duration::from_secs(60) {
            assert!(
                child.try_wait().expect("wait").is_none(),
                "the build ended before writing"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(staging(), "the build never started writing");
        let sent = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(128 + number), "SIG{signal}: {status:?}");
        assert_eq!(
            crate::support::leftovers(dir.path(), &["input", "output"]),
            Vec::<String>::new()
        );
        assert!(tree(&dir.path().join("output")) == before, "the previous dataset stays");
    }
}

#[test]
fn sighup_also_removes_the_folders_made_for_the_output() {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate::generate(300, 5, &dir.path().join("input")).expect("input");
    let mut child = Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(["build", "--quiet", "--output", "new/deeper/out"])
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let deeper = dir.path().join("new/deeper");
    let staging = || {
        std::fs::read_dir(&deeper).is_ok_and(|mut entries| {
            entries.any(|entry| entry.is_ok_and(|e| e.file_name().to_string_lossy().starts_with(".out.staging-")))
        })
    };
    let started = Instant::now();
    while !staging() && started.elapsed() < Duration::from_secs(60) {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the build ended before writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(staging(), "the build never started writing");
    let sent = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(128 + 1), "{status:?}");
    assert_eq!(crate::support::leftovers(dir.path(), &["input"]), Vec::<String>::new());
}

#[test]
fn an_output_folder_inside_a_dataset_or_its_staging_folder_is_refused() {
    let work = Workdir::with_revision(REVISION);
    assert_eq!(work.run(&["build"]).code, 0);
    let dir = work.dir.path();
    // The next build of `output` would remove what is inside it; the input is not even read.
    for output in ["output/sub", "output/csv/new/deeper", "output/csv"] {
        assert_refused(
            dir,
            &["build", "--input", "missing", "--output", output],
            &[],
            "is inside",
        );
        let outcome = run_in(dir, &["build", "--output", output]);
        assert!(
            outcome.stderr.contains(&format!(
                "is inside {}, a dataset written by profile-export, which its next build replaces whole",
                work.path("output").display()
            )),
            "{}",
            outcome.stderr
        );
    }
    // A staging folder, of a build running or dead, is as much a dataset's.
    let mark = std::fs::read(work.path("output/.profile-export")).expect("mark");
    std::fs::create_dir_all(work.path(".output.staging-Ab12Cd")).expect("folder");
    std::fs::write(work.path(".output.staging-Ab12Cd/.profile-export"), mark).expect("mark");
    assert_refused(
        dir,
        &["build", "--output", ".output.staging-Ab12Cd/sub"],
        &[],
        "the staging folder of a build, which the next build there removes",
    );
}

#[test]
fn a_mount_point_is_refused_before_the_input_is_read() {
    let work = Workdir::with_revision(REVISION);
    // /proc is a mount point on every Linux system, and stays so whoever runs the test.
    assert_refused(
        work.dir.path(),
        &["build", "--input", "missing", "--output", "/proc"],
        &[],
        "the output folder /proc is a mount point (the root of a file system mounted there), which build \
         cannot replace; choose a folder inside it with --output, e.g. /proc/dataset",
    );
}

/// The user's id and a group the user belongs to other than the first (root may give any group).
fn me_and_a_group_of_mine(dir: &Path) -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let made = std::fs::metadata(dir).expect("metadata");
    let (user, primary) = (made.uid(), made.gid());
    if user == 0 {
        return (user, 4242);
    }
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let groups = status
        .lines()
        .find_map(|line| line.strip_prefix("Groups:"))
        .unwrap_or_default();
    let other = groups
        .split_whitespace()
        .filter_map(|group| group.parse().ok())
        .find(|group| *group != primary);
    (user, other.unwrap_or(primary))
}

#[test]
fn the_output_folder_keeps_its_mode_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let work = Workdir::with_revision(REVISION);
    assert_eq!(work.run(&["build", "--output", "shared"]).code, 0);
    let shared = work.path("shared");
    let (_, group) = me_and_a_group_of_mine(work.dir.path());
    std::os::unix::fs::chown(&shared, None, Some(group)).expect("chown");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2775)).expect("chmod");
    let again = work.run(&["build", "--output", "shared"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let meta = std::fs::metadata(&shared).expect("metadata");
    assert_eq!(
        (meta.mode() & 0o7777, meta.gid()),
        (0o2775, group),
        "a dataset shared with a group keeps its mode and group"
    );
    let csv = std::fs::metadata(work.path("shared/csv")).expect("metadata");
    assert_eq!(csv.gid(), group, "what the build made in it takes its group");
    assert!(work.path("shared/csv/profiles.csv").is_file());
}

#[test]
fn a_new_output_folder_gets_what_mkdir_gives() {
    use std::os::unix::fs::MetadataExt;
    let work = Workdir::with_revision(REVISION);
    let binary = env!("CARGO_BIN_EXE_profile-export");
    for (umask, mode) in [("027", 0o750), ("002", 0o775)] {
        let output = format!("fresh-{umask}");
        let built = Command::new("sh")
            .args(["-c", "umask \"$1\"; shift; exec \"$@\"", "sh", umask])
            .args([binary, "build", "--quiet", "--output", &output])
            .current_dir(work.dir.path())
            .output()
            .expect("sh runs");
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        let meta = std::fs::metadata(work.path(&output)).expect("metadata");
        assert_eq!(meta.mode() & 0o7777, mode, "umask {umask}");
    }
}

#[test]
fn a_previous_dataset_that_cannot_be_removed_is_reported_and_the_next_build_removes_it() {
    use std::os::unix::fs::PermissionsExt;
    let work = Workdir::with_revision(REVISION);
    let dir = work.dir.path();
    let (user, _) = me_and_a_group_of_mine(dir);
    // Permissions do not stop root, who runs CI: then the builds that must fail to remove run as
    // `nobody` (through `setpriv`), in a folder of theirs, and the folder they cannot empty is root's.
    let as_nobody = user == 0;
    let build = |args: &[&str]| {
        let binary = env!("CARGO_BIN_EXE_profile-export");
        let mut command = match as_nobody {
            true => {
                let mut command = Command::new("setpriv");
                command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
                command
            }
            false => Command::new(binary),
        };
        let output = command.args(args).current_dir(dir).output().expect("the build runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    if as_nobody {
        let mut folders = vec![dir.to_path_buf()];
        while let Some(folder) = folders.pop() {
            std::os::unix::fs::chown(&folder, Some(65534), Some(65534)).expect("chown");
            for entry in std::fs::read_dir(&folder).expect("readable") {
                let path = entry.expect("entry").path();
                std::os::unix::fs::chown(&path, Some(65534), Some(65534)).expect("chown");
                if path.is_dir() {
                    folders.push(path);
                }
            }
        }
    }
    let (code, stderr) = build(&["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    std::fs::create_dir(work.path("output/locked")).expect("folder");
    std::fs::write(work.path("output/locked/kept.txt"), "cannot be removed").expect("file");
    if !as_nobody {
        std::fs::set_permissions(work.path("output/locked"), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    }
    let (code, stderr) = build(&["build"]);
    assert_eq!(code, Some(0), "the new dataset is in place: {stderr}");
    assert!(work.path("output/datapackage.json").is_file() && !work.path("output/locked").exists());
    let left = crate::support::leftovers(dir, &["input", "output"]);
    assert!(
        matches!(left.as_slice(), [name] if name.starts_with(".output.staging-")),
        "{left:?}"
    );
    let aside = work.path(&left[0]);
    assert!(
        stderr.contains(&format!(
            "warning: the previous dataset, moved aside to {}, could not be removed (Permission denied (os \
             error 13)); the new one is in place, and the next build into output removes it",
            aside.display()
        )),
        "{stderr}"
    );
    assert!(aside.join("locked/kept.txt").is_file() && aside.join(".profile-export").is_file());
    // The next build that can remove it does.
    if !as_nobody {
        std::fs::set_permissions(aside.join("locked"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let outcome = run_in(dir, &["build"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("warning"), "{}", outcome.stderr);
    assert_eq!(
        crate::support::leftovers(dir, &["input", "output"]),
        Vec::<String>::new()
    );
}
