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
fn a_profile_folder_is_walked_under_its_own_name_not_a_link_beside_it() {
    // `0-acme` sorts before `acme` and leads to it: the folder is read once, as `acme`.
    let work = Workdir::with_revision(REVISION);
    symlink("acme", work.path("input/profiles/0-acme")).expect("link");
    let outcome = run_bounded(work.dir.path(), &["build"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let profiles = std::fs::read_to_string(work.path("output/csv/profiles.csv")).expect("csv");
    assert!(profiles.contains("acme/2020-01-01"), "{profiles}");
    assert!(!profiles.contains("0-acme"), "{profiles}");
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

#[test]
fn a_magic_link_under_proc_is_refused_even_when_it_leads_back_inside() {
    let work = Workdir::with_revision(REVISION);
    // The kernel follows /proc/self/root/... to the input's own file; the tool judges a link by
    // its words, and these name a place outside the input folder.
    let real = work.path("input").canonicalize().expect("real").join("shelf.yaml");
    std::fs::rename(work.path(&format!("input/{REVISION_PATH}")), &real).expect("move");
    let magic = format!("/proc/self/root{}", real.display());
    symlink(&magic, work.path(&format!("input/{REVISION_PATH}"))).expect("link");
    assert_refused_everywhere(&work, "input/profiles/acme/2020-01-01.yaml:1:1: error[E0005]");
    let outcome = run_bounded(work.dir.path(), &["check"]);
    assert!(
        outcome.stderr.contains(&format!(
            "leads through a symbolic link to {magic}, outside the input folder"
        )),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_relative_link_out_names_where_it_leads_and_a_loop_of_links_is_a_clear_error() {
    let work = Workdir::with_revision(REVISION);
    outside(&work, "2021-01-01.yaml", "CI_TOKEN=hunter2-secret\n");
    symlink(
        "../../../elsewhere/2021-01-01.yaml",
        work.path("input/profiles/acme/2021-01-01.yaml"),
    )
    .expect("link");
    let outcome = run_bounded(work.dir.path(), &["check"]);
    outcome.assert_one_problem("input/profiles/acme/2021-01-01.yaml:1:1: error[E0005]");
    let to = work
        .dir
        .path()
        .canonicalize()
        .expect("real")
        .join("elsewhere/2021-01-01.yaml");
    assert!(
        outcome
            .stderr
            .contains(&format!("leads through a symbolic link to {},", to.display())),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("hunter2"), "{}", outcome.stderr);

    std::fs::remove_file(work.path("input/profiles/acme/2021-01-01.yaml")).expect("remove");
    symlink("2021-01-02.yaml", work.path("input/profiles/acme/2021-01-01.yaml")).expect("link");
    symlink("2021-01-01.yaml", work.path("input/profiles/acme/2021-01-02.yaml")).expect("link");
    let outcome = run_bounded(work.dir.path(), &["check"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert_eq!(
        outcome.headlines(),
        [
            "input/profiles/acme/2021-01-01.yaml:1:1: error[E0001]: cannot be read: it leads through more than 40 symbolic links (a loop of links?)",
            "input/profiles/acme/2021-01-02.yaml:1:1: error[E0001]: cannot be read: it leads through more than 40 symbolic links (a loop of links?)",
        ],
        "{}",
        outcome.stderr
    );
}

/// How many times each of `check` and `new` runs while a profile folder is swapped for a link out.
const RACE_ROUNDS: usize = 30;

/// How many revisions the swapped profile folder holds.
const RACE_FILES: usize = 40;

/// A stress test of the race between resolving a path and opening it: a thread swaps the profile
/// folder for a link out of the input, over and over, while `check` and `new` run. Its assertion is
/// exact (nothing read or written outside in any run); on code that resolves a path and then opens
/// it again by name it fails in most runs, and it can never pass by luck on code that does not.
#[test]
fn a_profile_folder_swapped_for_a_link_out_is_never_read_or_written_through() {
    const MARKER: &str = "leaked_secret_marker";
    let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes())]);
    // Inside, revisions of the profile; outside, under the same names, revisions that `check` would
    // report by their unknown field if it ever read one, in a folder that `new` must never write
    // to. Many files make many chances for each run to go wrong.
    let secret = REVISION.replace("name: Acme Corp\n", &format!("name: Acme Corp\n{MARKER}: 1\n"));
    let names: Vec<String> = (0..RACE_FILES)
        .map(|at| format!("2020-{:02}-{:02}.yaml", 1 + at / 28, 1 + at % 28))
        .collect();
    for name in &names {
        let date = name.trim_end_matches(".yaml");
        let revision = REVISION.replace("2020-01-01", date);
        work.write(&format!("profiles/acme/{name}"), revision.as_bytes());
        outside(&work, name, &secret.replace("2020-01-01", date));
    }
    // The link waits inside the input but outside profiles/, where the walk never goes.
    std::fs::create_dir_all(work.path("input/stash")).expect("folder");
    symlink(work.path("elsewhere"), work.path("input/stash/acme")).expect("link");
    let (folder, stash) = (work.path("input/profiles/acme"), work.path("input/stash/acme"));
    let stop = std::sync::atomic::AtomicBool::new(false);
    /// Stops the swapper however the rounds end: a failed assertion too, or the scope would wait
    /// for it forever.
    struct Stop<'a>(&'a std::sync::atomic::AtomicBool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let swaps = std::thread::scope(|scope| {
        let stopping = Stop(&stop);
        let swapper = scope.spawn(|| {
            let mut swaps = 0_u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                use rustix::fs::{CWD, RenameFlags, renameat_with};
                renameat_with(CWD, &folder, CWD, &stash, RenameFlags::EXCHANGE).expect("swapped");
                swaps += 1;
            }
            swaps
        });
        for round in 0..RACE_ROUNDS {
            let checked = run_bounded(work.dir.path(), &["check"]);
            assert!(
                !checked.stderr.contains(MARKER),
                "check read outside:\n{}",
                checked.stderr
            );
            let date = format!("2030-{:02}-01", round % 12 + 1).replace("2030", &(2030 + round / 12).to_string());
            let started = run_bounded(work.dir.path(), &["new", "acme", "--updated", &date]);
            assert!(
                !started.stderr.contains(MARKER),
                "new read outside:\n{}",
                started.stderr
            );
        }
        drop(stopping);
        swapper.join().expect("the swapper ends")
    });
    assert!(swaps > 0);
    // Put the folder back, drop the link, and look at what is where.
    if std::fs::symlink_metadata(&folder)
        .expect("folder")
        .file_type()
        .is_symlink()
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, &folder, CWD, &stash, RenameFlags::EXCHANGE).expect("swapped back");
    }
    std::fs::remove_file(&stash).expect("the link");
    let left_outside: Vec<String> = crate::support::tree(&work.path("elsewhere")).into_keys().collect();
    assert_eq!(left_outside, names, "new wrote outside the input");
    for (path, bytes) in crate::support::tree(&work.path("input")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(MARKER),
            "{path} was copied from outside"
        );
    }
}
