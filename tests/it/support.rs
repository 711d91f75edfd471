//! A temporary curated folder and the binary run inside it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A valid revision; tests replace single lines to make one problem at a known position.
pub const REVISION: &str = "\
profile: acme
updated: 2020-01-01
name: Acme Corp
headquarters: {city: Springfield, country: US}
sources:
  - id: report
    title: Report
organizations:
  - id: agency
    name: Agency
    kind: government_agency
    country: US
systems:
  - id: db
    name: Database
    operator: agency
contracts:
  - buyer: agency
    supplier: acme
    amount: {value: 9.1 million, currency: USD, qualifier: at_least}
    start: 2019-03
    sources: [report]
figures:
  - subject: db
    metric: records
    low: 350000
    high: 400000
    sources: [report]
events:
  - date: 2018-22
    subject: acme
    description: Pitch
    sources: [report]
relations:
  - subject: acme
    predicate: hosts
    object: db
    sources: [report]
";

pub const DATASET: &str = "name: test\ntitle: Test\nversion: '1'\nlicense: CC-BY-4.0\n";

/// The path of the valid revision inside the input folder.
pub const REVISION_PATH: &str = "profiles/acme/2020-01-01.yaml";

/// `REVISION` with line `line` (from 1) replaced.
pub fn revision_with(line: usize, text: &str) -> String {
    let mut lines: Vec<&str> = REVISION.lines().collect();
    lines[line - 1] = text;
    lines.join("\n") + "\n"
}

/// A temporary folder holding `input/` with the given files (paths relative to `input/`).
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new(files: &[(&str, &[u8])]) -> Workdir {
        let dir = tempfile::tempdir().expect("temporary folder");
        let work = Workdir { dir };
        for (path, content) in files {
            work.write(path, content);
        }
        work
    }

    /// The valid dataset and revision, with `revision` in place of the revision.
    pub fn with_revision(revision: &str) -> Workdir {
        Workdir::new(&[
            ("dataset.yaml", DATASET.as_bytes()),
            (REVISION_PATH, revision.as_bytes()),
        ])
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, content: &[u8]) {
        let path = self.path("input").join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, content).expect("write");
    }

    /// Runs the binary in this folder.
    pub fn run(&self, args: &[&str]) -> Outcome {
        run_in(self.dir.path(), args)
    }
}

/// What a run of the binary gave.
pub struct Outcome {
    pub code: i32,
    pub stderr: String,
}

pub fn run_in(dir: &Path, args: &[&str]) -> Outcome {
    run_with_env(dir, args, &[])
}

/// Runs the binary in `dir` with extra environment variables.
pub fn run_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let output = Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file under `root`, by path relative to it, with its bytes.
pub fn tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("inside").to_string_lossy().into_owned();
                files.insert(relative, std::fs::read(&path).expect("readable file"));
            }
        }
    }
    files
}

/// Names in `dir` other than the given ones: what a build left behind.
pub fn leftovers(dir: &Path, expected: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| !expected.contains(&name.as_str()))
        .collect()
}

impl Outcome {
    /// The first line of every diagnostic: `path:line:column: error[code]: message`.
    pub fn headlines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|line| line.contains(": error[")).collect()
    }

    /// Asserts that the run failed with exit code 1 and exactly one problem, starting with `expected`
    /// (`path:line:column: error[code]`).
    #[track_caller]
    pub fn assert_one_problem(&self, expected: &str) {
        assert_eq!(self.code, 1, "exit code, stderr:\n{}", self.stderr);
        let headlines = self.headlines();
        assert_eq!(headlines.len(), 1, "one problem expected, stderr:\n{}", self.stderr);
        assert!(
            headlines[0].starts_with(expected),
            "expected `{expected}`, stderr:\n{}",
            self.stderr
        );
    }
}

/// Printed bytes as text, asserting what no format may print: a byte that is not UTF-8, a control
/// character or line separator other than the line ends of the format itself, or a line that a
/// GitHub runner would take for a workflow command (it trims leading white space first) other than
/// the format's own `::error` lines.
#[track_caller]
pub fn inert_lines(bytes: Vec<u8>, own_commands: bool) -> String {
    let text = String::from_utf8(bytes).expect("the output is UTF-8, whatever the file names");
    // Split on line feeds only: a carriage return must not pass for a line end.
    for line in text.split('\n') {
        assert!(
            !line
                .chars()
                .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
            "a raw control character in {line:?}"
        );
        let command = line.trim_start().starts_with("::");
        assert!(
            !command || (own_commands && line.starts_with("::error file=")),
            "a line a runner would run: {line:?}"
        );
    }
    text
}

/// Compares `actual` with the golden file `name`, or rewrites it with `UPDATE_GOLDEN=1`.
#[track_caller]
pub fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "output differs from tests/golden/{name} (UPDATE_GOLDEN=1 rewrites it):\n{actual}"
    );
}

/// The rows of a CSV file, each as (column, cell).
pub fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("csv file");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("record");
            headers
                .iter()
                .map(str::to_owned)
                .zip(record.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}
