//! Large folders are checked and written a batch of whole profiles at a time (`check::BATCH_FILES` files): a
//! reference may point to an entity that only a later batch declares, its problems are still
//! reported at their exact place, and the output does not depend on the number of threads.

use crate::generate;
use crate::support::{REVISION, run_with_env, tree};
use profile_export::check::BATCH_FILES;
use std::path::Path;

/// `aaa` sorts before the generated `company-N` profiles and `zzz` after them: with more than one
/// batch of files in between, `aaa`'s buyer is declared only in a later batch.
fn folder(dir: &Path, with_zzz: bool) -> String {
    let input = dir.join("in");
    generate::generate(300, 3, &input).expect("generated input");
    let aaa = REVISION
        .replace("acme", "aaa")
        .replace("buyer: agency", "buyer: zzz-agency");
    let zzz = zzz_revision();
    let mut files = vec![("profiles/aaa/2020-01-01.yaml", aaa.clone())];
    if with_zzz {
        files.push(("profiles/zzz/2020-01-01.yaml", zzz));
    }
    for (path, text) in files {
        let path = input.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, text).expect("file");
    }
    let count = walk(&input.join("profiles"));
    assert!(count > BATCH_FILES, "{count} files: more than one batch");
    aaa
}

/// The profile `zzz`, sorted after every generated one, declaring entities of its own names.
fn zzz_revision() -> String {
    REVISION
        .replace("acme", "zzz")
        .replace("id: agency", "id: zzz-agency")
        .replace("id: db", "id: zzz-db")
        .replace("subject: db", "subject: zzz-db")
        .replace("operator: agency", "operator: zzz-agency")
        .replace("buyer: agency", "buyer: zzz-agency")
}

fn walk(folder: &Path) -> usize {
    std::fs::read_dir(folder)
        .expect("folder")
        .map(|entry| {
            let path = entry.expect("entry").path();
            if path.is_dir() { walk(&path) } else { 1 }
        })
        .sum()
}

#[test]
fn references_resolve_across_batches_and_threads_do_not_matter() {
    let dir = tempfile::tempdir().expect("temporary folder");
    folder(dir.path(), true);
    let one = run_with_env(
        dir.path(),
        &["build", "--input", "in", "--output", "one"],
        &[("RAYON_NUM_THREADS", "1")],
    );
    let three = run_with_env(
        dir.path(),
        &["build", "--input", "in", "--output", "three"],
        &[("RAYON_NUM_THREADS", "3")],
    );
    assert_eq!((one.code, three.code), (0, 0), "{}\n{}", one.stderr, three.stderr);
    let (a, b) = (tree(&dir.path().join("one")), tree(&dir.path().join("three")));
    assert!(a == b, "two builds of the same input differ");

    let json = String::from_utf8(a["json/profiles.jsonl"].clone()).expect("UTF-8");
    let aaa = json
        .lines()
        .find(|line| line.contains(r#""profile":"aaa""#))
        .expect("aaa's document");
    assert!(aaa.contains(r#""id":"zzz-agency","name":"Agency""#), "{aaa}");
}

#[test]
fn a_reference_no_batch_declares_is_reported_where_it_was_written() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let aaa = folder(dir.path(), false);
    let (line, text) = aaa
        .lines()
        .enumerate()
        .find(|(_, line)| line.contains("zzz-agency"))
        .expect("the reference");
    let column = text.find("zzz-agency").expect("value") + 1;
    let outcome = run_with_env(dir.path(), &["build", "--input", "in", "--output", "out"], &[]);
    outcome.assert_one_problem(&format!(
        "in/profiles/aaa/2020-01-01.yaml:{}:{column}: error[E0211]",
        line + 1
    ));
    assert!(!dir.path().join("out").exists(), "nothing written");
    // Every batch was staged before the reference was found unresolved: the staging folder is gone.
    assert_eq!(crate::support::leftovers(dir.path(), &["in"]), Vec::<String>::new());
}

/// `build` of `in/` into `out/` as CSV, on a disk that fills up: a process whose files cannot grow
/// past 2 MiB (`ulimit -f` counts blocks of 512 bytes), with SIGXFSZ ignored, so that a write past
/// it fails (EFBIG) as on a full disk instead of killing the process. The merged entities' spill
/// file stays within it; `changes.csv` does not, so the writer fails a few batches in.
fn build_on_a_full_disk(dir: &Path, threads: &str) -> crate::support::Outcome {
    let output = std::process::Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 4096 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_profile-export"))
        .args(["build", "--input", "in", "--output", "out", "--format", "csv"])
        .env("RAYON_NUM_THREADS", threads)
        .current_dir(dir)
        .output()
        .expect("sh runs");
    crate::support::Outcome {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_writer_that_fails_stops_the_build_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    folder(dir.path(), true);
    let outcome = build_on_a_full_disk(dir.path(), "1");
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("csv/changes.csv") && outcome.stderr.contains("File too large"),
        "{}",
        outcome.stderr
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
    assert_eq!(crate::support::leftovers(dir.path(), &["in"]), Vec::<String>::new());
}

#[test]
fn problems_in_a_later_batch_win_over_a_writer_that_failed_earlier_whatever_the_timing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("in");
    generate::generate(800, 3, &input).expect("generated input");
    // The writer stops a few batches in, when `changes.csv` reaches the limit. `zzz`, the last
    // profile, has a field the schema does not know.
    let zzz = zzz_revision().replace("description: Pitch", "descriptionx: Pitch");
    let folder = input.join("profiles/zzz");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("2020-01-01.yaml"), zzz).expect("file");
    let count = walk(&input.join("profiles"));
    assert!(
        count > 5 * BATCH_FILES,
        "{count} files: `zzz` is batches after the writer stops"
    );
    // One thread checks slowly, so the writer fails first; more threads let the checker run ahead.
    for threads in ["1", "3"] {
        let outcome = build_on_a_full_disk(dir.path(), threads);
        assert_eq!(outcome.code, 1, "{threads} threads: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains("profiles/zzz/2020-01-01.yaml:")
                && outcome.stderr.contains("unknown field")
                && outcome.stderr.contains("descriptionx"),
            "{threads} threads: {}",
            outcome.stderr
        );
        assert!(!outcome.stderr.contains("File too large"), "{}", outcome.stderr);
        assert!(!dir.path().join("out").exists(), "nothing written");
        assert_eq!(crate::support::leftovers(dir.path(), &["in"]), Vec::<String>::new());
    }
}

#[test]
fn a_parquet_row_group_is_closed_by_its_bytes_and_the_file_keeps_every_row() {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate::generate(800, 3, &dir.path().join("in")).expect("generated input");
    let outcome = run_with_env(
        dir.path(),
        &["build", "--input", "in", "--output", "out", "--format", "parquet,csv"],
        &[],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let file = std::fs::File::open(dir.path().join("out/parquet/changes.parquet")).expect("parquet");
    let metadata = parquet::file::reader::SerializedFileReader::new(file).expect("footer");
    let metadata = parquet::file::reader::FileReader::metadata(&metadata);
    let rows: Vec<i64> = metadata.row_groups().iter().map(|group| group.num_rows()).collect();
    // Far fewer rows than the 262,144 a row group may hold: the groups were closed by their size.
    assert!(rows.len() >= 2, "{rows:?}");
    assert!(rows.iter().all(|&n| n > 0 && n < 262_144), "{rows:?}");
    let csv = std::fs::read_to_string(dir.path().join("out/csv/changes.csv")).expect("csv");
    let csv_rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
    assert_eq!(
        rows.iter().sum::<i64>(),
        csv_rows as i64,
        "every row in one row group or another"
    );
}

#[test]
fn a_folder_of_more_profiles_than_the_process_may_open_files_is_read_whole() {
    // 300 profile folders under a limit of 64 open files: the walk holds a descriptor for the
    // folders on its way down, not for every folder waiting to be walked.
    let dir = tempfile::tempdir().expect("temporary folder");
    folder(dir.path(), true);
    let check = ["check", "--input", "in", "--quiet"];
    let build = [
        "build", "--input", "in", "--output", "out", "--format", "csv", "--quiet",
    ];
    for arguments in [&check[..], &build] {
        let output = std::process::Command::new("sh")
            .args(["-c", "ulimit -n 64 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_profile-export"))
            .args(arguments)
            .current_dir(dir.path())
            .output()
            .expect("sh runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{arguments:?}: {stderr}");
    }
    assert!(dir.path().join("out/csv/profiles.csv").exists());
}
