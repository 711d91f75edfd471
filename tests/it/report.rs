//! How `check` reports: `--format text` (the default, on stderr), `json` and `github` (on stdout),
//! source lines cut from the text already loaded and bounded, never a byte of a refused file, at most
//! so many problems of one file, and a closed pipe that ends the output quietly.

use crate::support::{DATASET, REVISION, REVISION_PATH, Workdir, inert_lines, revision_with};
use std::process::{Command, Stdio};

const FILE: &str = "input/profiles/acme/2020-01-01.yaml";

/// What a run gave, stdout included.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(work: &Workdir, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(args)
        .current_dir(work.dir.path())
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Two problems: a reference to nothing (line 19, found across files) and an impossible date (line 21).
fn two_problems() -> Workdir {
    let revision = revision_with(21, "    start: 2019-02-29");
    Workdir::with_revision(&revision.replace("    supplier: acme", "    supplier: acmex"))
}

#[test]
fn text_is_the_default_and_goes_to_stderr() {
    let outcome = run(&two_problems(), &["check"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
    assert!(
        outcome.stderr.starts_with(&format!(
            "{FILE}:19:15: error[E0211]: `acmex` is not declared as an organization or system in any file; did you mean `acme`?
   |
19 |     supplier: acmex
   |               ^ at /contracts/0/supplier
"
        )),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.ends_with("error: 2 problems found in 1 file\n"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn format_json_prints_one_object_a_line_on_stdout() {
    let outcome = run(&two_problems(), &["check", "--format", "json"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let records: Vec<serde_json::Value> = outcome
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    assert_eq!(records.len(), 2, "{}", outcome.stdout);
    assert_eq!(records[1]["file"], FILE);
    assert_eq!(records[1]["line"], 21);
    assert_eq!(records[1]["column"], 12);
    assert_eq!(records[1]["code"], "E0202");
    assert_eq!(records[1]["message"], "`2019-02-29` is not a date of the calendar");
    assert_eq!(records[1]["pointer"], "/contracts/0/start");
    assert_eq!(records[0]["code"], "E0211");
    assert_eq!(records[0]["notes"], serde_json::json!([]));
    assert!(
        !outcome.stderr.contains("error["),
        "no text rendering on stderr: {}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.ends_with("error: 2 problems found in 1 file\n"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn format_github_prints_workflow_commands_on_stdout() {
    let outcome = run(&two_problems(), &["check", "--format", "github"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "::error file={FILE},line=19,col=15,title=error[E0211]::`acmex` is not declared as an organization or system in any file; did you mean `acme`? (at /contracts/0/supplier)"
            ),
            format!(
                "::error file={FILE},line=21,col=12,title=error[E0202]::`2019-02-29` is not a date of the calendar (at /contracts/0/start)"
            ),
        ]
    );
}

#[test]
fn a_clean_input_prints_nothing_on_stdout() {
    let outcome = run(&Workdir::with_revision(REVISION), &["check", "--format", "json"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
}

#[cfg(unix)]
#[test]
fn a_refused_file_never_has_a_byte_printed() {
    const SECRET: &str = "TOP-SECRET-5f2c9";
    let work = Workdir::new(&[("dataset.yaml", DATASET.as_bytes())]);
    // The target holds the secret on line 1, where a file-level problem points.
    std::fs::write(work.path("outside.yaml"), format!("profile: {SECRET}\n{SECRET}: x\n")).expect("write");
    std::fs::create_dir_all(work.path("input/profiles/acme")).expect("folder");
    std::os::unix::fs::symlink(work.path("outside.yaml"), work.path(&format!("input/{REVISION_PATH}"))).expect("link");
    for format in ["text", "json", "github"] {
        let outcome = run(&work, &["check", "--format", format]);
        assert_eq!(outcome.code, 1, "{}", outcome.stderr);
        assert!(
            outcome.stderr.contains("error[E0005]") || outcome.stdout.contains("E0005"),
            "{format}: {}{}",
            outcome.stdout,
            outcome.stderr
        );
        assert!(
            !outcome.stderr.contains(SECRET) && !outcome.stdout.contains(SECRET),
            "{format} printed the refused file: {}{}",
            outcome.stdout,
            outcome.stderr
        );
    }
}

/// A one-line JSON revision of about 400 KB declaring `count` organizations, each with an unknown field.
fn minified(count: usize) -> Workdir {
    let organizations: Vec<String> = (0..count)
        .map(|i| format!(r#"{{"id":"organization-{i}","name":"Organization number {i}","knd":"agency"}}"#))
        .collect();
    let revision = format!(
        r#"{{"profile":"acme","updated":"2020-01-01","name":"Acme","sources":[{{"id":"r","title":"R"}}],"organizations":[{}]}}"#,
        organizations.join(",")
    );
    assert!(revision.len() > 400_000 && !revision.contains('\n'));
    Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        ("profiles/acme/2020-01-01.json", revision.as_bytes()),
    ])
}

#[test]
fn a_long_line_with_thousands_of_problems_gives_bounded_output() {
    let count = 6000;
    let work = minified(count);
    let outcome = run(&work, &["check"]);
    assert_eq!(outcome.code, 1);
    let stderr = &outcome.stderr;
    assert_eq!(
        stderr.matches(": error[E0100]").count(),
        50,
        "50 problems of one file are shown"
    );
    assert!(
        stderr.contains(&format!(
            "input/profiles/acme/2020-01-01.json: {} more problems in this file not shown",
            count - 50
        )),
        "{}",
        &stderr[stderr.len().saturating_sub(2000)..]
    );
    assert!(stderr.ends_with(&format!("error: {count} problems found in 1 file\n")));
    let longest = stderr
        .lines()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or_default();
    assert!(longest < 200, "a line of {longest} characters");
    assert!(stderr.len() < 50 * 600, "{} bytes on stderr", stderr.len());
    // The window is cut around the column, marked with … on both sides.
    assert!(
        stderr.contains(r#" | …"#) && stderr.contains("\"knd\":\"agency\"}"),
        "{}",
        &stderr[..2000]
    );

    let outcome = run(&work, &["check", "--format", "json"]);
    assert_eq!(outcome.stdout.lines().count(), count, "json lists every problem");
    let longest = outcome.stdout.lines().map(str::len).max().unwrap_or_default();
    assert!(longest < 300, "a JSON line of {longest} bytes");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let work = minified(6000);
    for (format, closed_stdout) in [("json", true), ("github", true), ("text", false)] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_profile-export"));
        command.args(["check", "--format", format]).current_dir(work.dir.path());
        if closed_stdout {
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        } else {
            command.stdout(Stdio::null()).stderr(Stdio::piped());
        }
        let mut child = command.spawn().expect("the binary runs");
        // Close the pipe the problems go to before they are written.
        let mut stderr = String::new();
        if closed_stdout {
            drop(child.stdout.take());
            use std::io::Read;
            child
                .stderr
                .take()
                .expect("piped")
                .read_to_string(&mut stderr)
                .expect("stderr");
        } else {
            drop(child.stderr.take());
        }
        let status = child.wait().expect("the binary ends");
        assert_eq!(status.code(), Some(1), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
    }
}

/// What a run printed, byte for byte: code, stdout, stderr.
fn run_raw(work: &Workdir, args: &[&str]) -> (i32, Vec<u8>, Vec<u8>) {
    let output = Command::new(env!("CARGO_BIN_EXE_profile-export"))
        .args(args)
        .current_dir(work.dir.path())
        .output()
        .expect("the binary runs");
    (output.status.code().unwrap_or(-1), output.stdout, output.stderr)
}

/// A revision in a folder whose name holds a line end and a workflow command, in a file whose name
/// holds an escape character and a bell, with a key and a value that hold all of them (the value a
/// line separator too).
fn hostile_text() -> Workdir {
    // Escapes that YAML reads as a line end, an escape character and a bell, then a line separator
    // written as it is.
    let kind = concat!(r#"    kind: "x\n::add-mask::secret\e\a"#, "\u{2028}::add-mask::raw\"");
    let revision = revision_with(11, kind) + "\"a\\n::add-mask::secret\\e\\a\": 1\n";
    Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (
            "profiles/acme\n::add-mask::secret/2020-01-01\u{1b}\u{7}.yaml",
            revision.as_bytes(),
        ),
    ])
}

#[test]
fn no_curated_byte_becomes_a_line_or_a_command_in_any_format() {
    const SHOWN: &str = r"input/profiles/acme\n::add-mask::secret/2020-01-01\u{1b}\u{7}.yaml";
    const FIELDS: &str = "`profile`, `updated`, `name`, `aliases`, `summary`, `headquarters`, `stock_symbols`, \
                          `categories`, `sources`, `organizations`, `systems`, `contracts`, `figures`, `events`, `relations`";
    let work = hostile_text();

    let (code, stdout, stderr) = run_raw(&work, &["check"]);
    assert_eq!(code, 1);
    assert_eq!(inert_lines(stdout, false), "");
    let text = inert_lines(stderr, false);
    let headlines: Vec<&str> = text.lines().filter(|line| line.contains(": error[")).collect();
    assert_eq!(
        headlines,
        [
            format!(
                r"{SHOWN}:1:10: error[E0200]: the file's path says `acme\n::add-mask::secret/2020-01-01\u{{1b}}\u{{7}}`, but its content is profile `acme` updated `2020-01-01`: expected profiles/acme/2020-01-01.yaml"
            ),
            format!(
                r"{SHOWN}:11:11: error[E0101]: `x\n::add-mask::secret\u{{1b}}\u{{7}}\u{{2028}}::add-mask::raw` is not a snake_case word: lowercase letters and digits, words joined by `_`, e.g. `government_agency`"
            ),
            format!(
                r"{SHOWN}:39:1: error[E0100]: unknown field `a\n::add-mask::secret\u{{1b}}\u{{7}}`; a revision has the fields {FIELDS}"
            ),
        ],
        "{text}"
    );
    assert!(text.contains(r"   | ^ at /a\n::add-mask::secret\u{1b}\u{7}"), "{text}");
    // The source line is shown as written, but for the line separator.
    assert!(
        text.contains("11 |     kind: \"x\\n::add-mask::secret\\e\\a\u{fffd}::add-mask::raw\"\n"),
        "{text}"
    );

    let (code, stdout, stderr) = run_raw(&work, &["check", "--format", "json"]);
    assert_eq!(code, 1);
    inert_lines(stderr, false);
    let records: Vec<serde_json::Value> = inert_lines(stdout, false)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    let shown: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap_or_default();
            (text("file"), text("pointer"), text("message"))
        })
        .collect();
    assert_eq!(shown.len(), 3, "{records:?}");
    assert!(shown.iter().all(|(file, _, _)| *file == SHOWN), "{shown:?}");
    assert_eq!(shown[1].1, "/organizations/0/kind");
    assert_eq!(shown[2].1, r"/a\n::add-mask::secret\u{1b}\u{7}");
    assert!(
        shown[2]
            .2
            .starts_with(r"unknown field `a\n::add-mask::secret\u{1b}\u{7}`; a revision has the fields"),
        "{shown:?}"
    );

    let (code, stdout, stderr) = run_raw(&work, &["check", "--format", "github"]);
    assert_eq!(code, 1);
    inert_lines(stderr, false);
    let commands = inert_lines(stdout, true);
    let property = r"input/profiles/acme\n%3A%3Aadd-mask%3A%3Asecret/2020-01-01\u{1b}\u{7}.yaml";
    assert_eq!(
        commands.lines().collect::<Vec<_>>(),
        [
            format!(
                r"::error file={property},line=1,col=10,title=error[E0200]::the file's path says `acme\n::add-mask::secret/2020-01-01\u{{1b}}\u{{7}}`, but its content is profile `acme` updated `2020-01-01`: expected profiles/acme/2020-01-01.yaml (at /profile)"
            ),
            format!(
                r"::error file={property},line=11,col=11,title=error[E0101]::`x\n::add-mask::secret\u{{1b}}\u{{7}}\u{{2028}}::add-mask::raw` is not a snake_case word: lowercase letters and digits, words joined by `_`, e.g. `government_agency` (at /organizations/0/kind)"
            ),
            format!(
                r"::error file={property},line=39,col=1,title=error[E0100]::unknown field `a\n::add-mask::secret\u{{1b}}\u{{7}}`; a revision has the fields {FIELDS} (at /a\n::add-mask::secret\u{{1b}}\u{{7}})"
            ),
        ]
    );
}

#[cfg(unix)]
#[test]
fn two_file_names_that_are_not_utf8_are_told_apart_in_every_format() {
    use std::os::unix::ffi::OsStrExt;
    let work = Workdir::new(&[
        ("dataset.yaml", DATASET.as_bytes()),
        (REVISION_PATH, REVISION.as_bytes()),
    ]);
    for byte in [0xff_u8, 0xfe] {
        let name = [&[byte][..], b".yaml"].concat();
        let path = work
            .path("input/profiles/acme")
            .join(std::ffi::OsStr::from_bytes(&name));
        std::fs::write(path, "x\n").expect("write");
    }
    let (first, second) = (r"input/profiles/acme/\xfe.yaml", r"input/profiles/acme/\xff.yaml");

    let (code, _, stderr) = run_raw(&work, &["check"]);
    assert_eq!(code, 1);
    let text = inert_lines(stderr, false);
    let files: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_once(":1:1: error[").map(|(file, _)| file))
        .collect();
    assert_eq!(files, [first, second], "{text}");

    let (code, stdout, _) = run_raw(&work, &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let files: Vec<String> = inert_lines(stdout, false)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON")["file"].to_string())
        .collect();
    assert_eq!(files, [format!("{first:?}"), format!("{second:?}")]);

    let (code, stdout, _) = run_raw(&work, &["check", "--format", "github"]);
    assert_eq!(code, 1);
    let files: Vec<String> = inert_lines(stdout, true)
        .lines()
        .filter_map(|line| {
            Some(
                line.strip_prefix("::error file=")?
                    .split_once(",line=1,col=1,")?
                    .0
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(files, [first, second]);
}
