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
            "{FILE}:19:15: error[E0211]: `acmex` is not declared as an organization, system or person in any file; did you mean `acme`?
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
                "::error file={FILE},line=19,col=15,title=error[E0211]::`acmex` is not declared as an organization, system or person in any file; did you mean `acme`? (at /contracts/0/supplier)"
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
    // The first 1,000 are kept, the others counted (E0014, first at 1:1); 50 of those are shown.
    assert_eq!(stderr.matches(": error[E0014]").count(), 1);
    assert_eq!(
        stderr.matches(": error[E0100]").count(),
        49,
        "50 problems of one file are shown"
    );
    assert!(
        stderr.contains("input/profiles/acme/2020-01-01.json: 951 more problems in this file not shown"),
        "{}",
        &stderr[stderr.len().saturating_sub(2000)..]
    );
    assert!(stderr.ends_with(&format!(
        "error: {count} problems found in 1 file, 1000 of them listed (the others are counted: E0014)\n"
    )));
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
    assert_eq!(
        outcome.stdout.lines().count(),
        1001,
        "json lists the first 1000 problems and the count"
    );
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

/// A revision with `count` unknown top-level fields, `x0` to `x<count - 1>`, one a line after the
/// valid ones: `count` problems in one file.
fn unknown_fields(count: usize) -> String {
    let fields: String = (0..count).map(|i| format!("x{i}: 1\n")).collect();
    format!("{REVISION}{fields}")
}

#[test]
fn a_file_lists_its_first_thousand_problems_and_counts_the_rest() {
    let work = Workdir::with_revision(&unknown_fields(1500));
    let first = REVISION.lines().count() + 1;
    let count = "has 500 more problems, counted but not listed: only the first 1000 problems of a file are \
                 listed; fix these and check again";
    let summary = "error: 1500 problems found in 1 file, 1000 of them listed (the others are counted: E0014)\n";

    let text = run(&work, &["check"]);
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert!(
        text.stderr.starts_with(&format!(
            "{FILE}:1:1: error[E0014]: {count}\n\n{FILE}:{first}:1: error[E0100]"
        )),
        "{}",
        &text.stderr[..text.stderr.len().min(2000)]
    );
    assert!(
        text.stderr
            .contains(&format!("{FILE}: 951 more problems in this file not shown"))
    );
    assert!(
        text.stderr.ends_with(summary),
        "{}",
        &text.stderr[text.stderr.len() - 300..]
    );

    let json = run(&work, &["check", "--format", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let records: Vec<serde_json::Value> = json
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    assert_eq!(records.len(), 1001, "the first 1000 problems and the count");
    assert_eq!(
        records[0],
        serde_json::json!({"file": FILE, "line": 1, "column": 1, "code": "E0014", "message": count,
            "pointer": null, "notes": []})
    );
    // The first in the order of the file, whatever order they were found in.
    let lines: Vec<u64> = records[1..].iter().map(|r| r["line"].as_u64().expect("line")).collect();
    let expected: Vec<u64> = (first as u64..first as u64 + 1000).collect();
    assert_eq!(lines, expected);
    assert_eq!(
        records[1000]["message"]
            .as_str()
            .map(|m| m.starts_with("unknown field `x999`")),
        Some(true)
    );
    assert!(json.stderr.ends_with(summary), "{}", json.stderr);

    let github = run(&work, &["check", "--format", "github"]);
    assert_eq!(github.code, 1, "{}", github.stderr);
    assert_eq!(github.stdout.lines().count(), 1001);
    assert_eq!(
        github.stdout.lines().next(),
        Some(format!("::error file={FILE},line=1,col=1,title=error[E0014]::{count}").as_str())
    );
}

#[test]
fn a_run_lists_its_first_hundred_thousand_problems_and_counts_the_rest() {
    // 101 files of 1,000 problems each: every problem of the first hundred files is listed, none of
    // the last one's.
    let revision = unknown_fields(1000);
    let mut files = vec![("dataset.yaml".to_owned(), DATASET.to_owned())];
    for index in 0..101 {
        let profile = format!("p{index:03}");
        let text = revision.replace("acme", &profile);
        files.push((format!("profiles/{profile}/2020-01-01.yaml"), text));
    }
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (p.as_str(), t.as_bytes())).collect();
    let work = Workdir::new(&files);
    let json = run(&work, &["check", "--format", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let records: Vec<serde_json::Value> = json
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    assert_eq!(records.len(), 100_001);
    assert_eq!(
        records[0],
        serde_json::json!({"file": "input", "line": 1, "column": 1, "code": "E0014",
            "message": "has 1000 more problems in 1 more file, counted but not listed: only the first 100000 \
                problems of a run are listed; fix these and check again",
            "pointer": null, "notes": []})
    );
    assert_eq!(records[1]["file"], "input/profiles/p000/2020-01-01.yaml");
    assert_eq!(records[100_000]["file"], "input/profiles/p099/2020-01-01.yaml");
    assert!(
        !json.stdout.contains("profiles/p100/"),
        "nothing of the last file is listed"
    );
    let summary = "error: 101000 problems found in 101 files, 100000 of them listed (the others are counted: E0014)\n";
    assert!(json.stderr.ends_with(summary), "{}", json.stderr);

    // The same count, first, in the other formats.
    let message = records[0]["message"].as_str().expect("a message");
    let text = run(&work, &["check"]);
    assert_eq!(text.code, 1);
    assert!(
        text.stderr
            .starts_with(&format!("input:1:1: error[E0014]: {message}\n\ninput/profiles/p000/")),
        "{}",
        &text.stderr[..text.stderr.len().min(2000)]
    );
    assert!(
        text.stderr.ends_with(summary),
        "{}",
        &text.stderr[text.stderr.len() - 300..]
    );
    let github = run(&work, &["check", "--format", "github"]);
    assert_eq!(github.code, 1);
    assert_eq!(github.stdout.lines().count(), 100_001);
    assert_eq!(
        github.stdout.lines().next(),
        Some(format!("::error file=input,line=1,col=1,title=error[E0014]::{message}").as_str())
    );
    assert!(github.stderr.ends_with(summary), "{}", github.stderr);
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
                          `categories`, `sources`, `organizations`, `systems`, `people`, `contracts`, `figures`, `events`, `relations`";
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
