//! One way in for every input file: links are followed only inside the input folder, only regular
//! files are read, and an input with no revision is an error.

use crate::support::{DATASET, Outcome, REVISION, REVISION_PATH, Workdir};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary in `dir`, failing the test if it does not end within a minute (a hang).
fn run_bounded(dir: &Path, args: &[&str]) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `check` and `build` both report exactly `expected` (`path:line:column: error[code]`), and
/// `build` writes nothing.
#[track_caller]
fn assert_refused_everywhere(work: &Workdir, expected: &str) {
    run_bounded(work.dir.path(), &["check"]).assert_one_problem(expected);
    run_bounded(work.dir.path(), &["build"]).assert_one_problem(expected);
    assert!(!work.path("output").exists(), "build wrote something");
}

/// A folder outside the input, holding a file of `content`.
fn outside(work: &Workdir, name: &str, content: &str) -> std::path::PathBuf {
    let folder = work.path("elsewhere");
    std::fs::create_dir_all(&folder).expect("folder");
    let path = folder.join(name);
    std::fs::write(&path, content).expect("write");
    path
}

#[test]
fn a_dataset_yaml_linked_from_outside_is_refused() {
    let work = Workdir::with_revision(REVISION);
    let target = outside(&work, "dataset.yaml", DATASET);
    std::fs::remove_file(work.path("input/dataset.yaml")).expect("remove");
    symlink(target, work.path("input/dataset.yaml")).expect("link");
    assert_refused_everywhere(&work, "input/dataset.yaml:1:1: error[E0005]");
}

#[test]
fn a_profiles_folder_linked_from_outside_is_refused() {
    let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes())]);
    let shelf = work.path("shelf/acme");
    std::fs::create_dir_all(&shelf).expect("folder");
    std::fs::write(shelf.join("2020-01-01.yaml"), REVISION).expect("write");
    symlink(work.path("shelf"), work.path("input/profiles")).expect("link");
    assert_refused_everywhere(&work, "input/profiles:1:1: error[E0005]");
}

#[test]
fn a_profile_folder_linked_from_outside_is_refused_not_skipped() {
    let work = Workdir::with_revision(REVISION);
    let shelf = work.path("shelf/beta");
    std::fs::create_dir_all(&shelf).expect("folder");
    std::fs::write(shelf.join("2020-01-01.yaml"), REVISION.replace("acme", "beta")).expect("write");
    symlink(&shelf, work.path("input/profiles/beta")).expect("link");
    assert_refused_everywhere(&work, "input/profiles/beta:1:1: error[E0005]");
}

#[test]
fn links_inside_the_input_are_walked_and_read() {
    let work = Workdir::with_revision(REVISION);
    // A profile folder kept elsewhere inside the input, linked into profiles/, and a link loop.
    work.write(
        "shelf/beta/2020-01-01.yaml",
        REVISION.replace("profile: acme", "profile: beta").as_bytes(),
    );
    symlink(work.path("input/shelf/beta"), work.path("input/profiles/beta")).expect("link");
    symlink(work.path("input/profiles"), work.path("input/profiles/acme/loop")).expect("link");
    let outcome = run_bounded(work.dir.path(), &["build"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let profiles = std::fs::read_to_string(work.path("output/csv/profiles.csv")).expect("csv");
    assert!(profiles.contains("beta/2020-01-01"), "{profiles}");
}

#[test]
fn a_revision_linked_to_a_file_outside_is_refused() {
    let work = Workdir::with_revision(REVISION);
    // Like a link to /proc/self/environ: no byte of the refused file may be printed.
    let target = outside(&work, "2020-01-01.yaml", "CI_TOKEN=hunter2-secret\n");
    std::fs::remove_file(work.path(&format!("input/{REVISION_PATH}"))).expect("remove");
    symlink(target, work.path(&format!("input/{REVISION_PATH}"))).expect("link");
    assert_refused_everywhere(&work, "input/profiles/acme/2020-01-01.yaml:1:1: error[E0005]");
    let outcome = run_bounded(work.dir.path(), &["check"]);
    assert!(!outcome.stderr.contains("hunter2"), "{}", outcome.stderr);
    // A device is outside the input too.
    std::fs::remove_file(work.path(&format!("input/{REVISION_PATH}"))).expect("remove");
    symlink("/dev/zero", work.path(&format!("input/{REVISION_PATH}"))).expect("link");
    assert_refused_everywhere(&work, "input/profiles/acme/2020-01-01.yaml:1:1: error[E0005]");
}

#[test]
fn a_fifo_is_refused_at_once() {
    let work = Workdir::with_revision(REVISION);
    let fifo = work.path("input/profiles/acme/2021-01-01.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    assert_refused_everywhere(&work, "input/profiles/acme/2021-01-01.yaml:1:1: error[E0012]");
    let outcome = run_bounded(work.dir.path(), &["check"]);
    assert!(outcome.stderr.contains("FIFO"), "{}", outcome.stderr);

    std::fs::remove_file(&fifo).expect("remove");
    std::fs::remove_file(work.path("input/dataset.yaml")).expect("remove");
    let made = Command::new("mkfifo")
        .arg(work.path("input/dataset.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    assert_refused_everywhere(&work, "input/dataset.yaml:1:1: error[E0012]");
}

#[test]
fn a_socket_is_refused() {
    let work = Workdir::with_revision(REVISION);
    let socket = work.path("input/profiles/acme/2021-01-01.json");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("socket");
    assert_refused_everywhere(&work, "input/profiles/acme/2021-01-01.json:1:1: error[E0012]");
}

#[test]
fn an_input_with_no_revision_is_an_error() {
    let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes()), ("profiles/.gitkeep", b"")]);
    assert_refused_everywhere(&work, "input/profiles:1:1: error[E0013]");
}
