//! The output formats of `check`: one small `Emitter` trait and a file per format, all fed the same
//! sorted diagnostics, each writing to any `io::Write` (a test writes into a `Vec<u8>`).

mod github;
mod json;
mod text;

pub use github::GithubEmitter;
pub use json::JsonEmitter;
pub use text::TextEmitter;

use crate::diagnostic::Diagnostic;
use std::io::{self, Write};

/// Writes diagnostics in one format.
pub trait Emitter {
    /// Writes every diagnostic, sorted by file and position; stops at the first write error (a
    /// closed pipe, say) and returns it.
    fn emit(&mut self, out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()>;
}

/// How `check` prints problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// For people, on stderr: each problem with its source line, in the style of rustc.
    #[default]
    Text,
    /// For machines, on stdout: one JSON object a line (file, line, column, code, message, pointer, notes).
    Json,
    /// For GitHub Actions, on stdout: one `::error` workflow command a problem, shown on its line in a
    /// pull request.
    Github,
}

impl OutputFormat {
    /// The emitter of this format.
    pub fn emitter(self) -> Box<dyn Emitter> {
        match self {
            OutputFormat::Text => Box::new(TextEmitter::default()),
            OutputFormat::Json => Box::new(JsonEmitter),
            OutputFormat::Github => Box::new(GithubEmitter),
        }
    }

    /// Whether the problems go to stdout (machine formats) rather than stderr.
    pub fn on_stdout(self) -> bool {
        self != OutputFormat::Text
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::diagnostic::{Code, Diagnostic, Position, Source};
    use std::path::Path;

    /// Two problems of one file, one with a note, their snippets cut from `TEXT`.
    pub const TEXT: &str = "name: a, b\nsources: []\n";

    pub fn sample() -> Vec<Diagnostic> {
        let path = Path::new("input/profiles/a,b/2020:01.yaml");
        let mut problems = vec![
            Diagnostic::new(
                Code::Schema,
                path,
                Position { line: 1, column: 7 },
                "100% wrong\nreally",
            )
            .at_pointer("/name"),
            Diagnostic::new(
                Code::UnknownField,
                path,
                Position { line: 2, column: 1 },
                "unknown field `sources`",
            )
            .at_pointer("/sources")
            .with_note(path, Position { line: 1, column: 1 }, "first written here"),
        ];
        Source::new(TEXT).attach(path, &mut problems);
        problems
    }

    pub fn emit(emitter: &mut dyn super::Emitter, problems: &[Diagnostic]) -> String {
        let mut out = Vec::new();
        emitter.emit(&mut out, problems).expect("writes into memory");
        String::from_utf8(out).expect("UTF-8")
    }

    /// A problem whose every text holds a line end and an escape character, built field by field (as
    /// no check does: `Diagnostic::new` escapes its message already), in a file whose name is not UTF-8.
    fn hostile() -> Vec<Diagnostic> {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"input/x\n::add-mask::p\x1b\xff.yaml"));
        vec![Diagnostic {
            code: Code::UnknownField,
            path: path.to_owned(),
            position: Position { line: 1, column: 1 },
            pointer: Some("/k\n::add-mask::q\u{7}".into()),
            message: "m\r\n::add-mask::r\u{2028}".into(),
            snippet: None,
            notes: vec![crate::diagnostic::Note {
                path: path.to_owned(),
                position: Position::START,
                message: "n\n::warning::s\u{85}".into(),
                snippet: None,
            }],
            unlisted: None,
        }]
    }

    #[test]
    fn no_format_prints_a_raw_line_end_or_control_character() {
        let problems = hostile();
        let text = emit(&mut super::TextEmitter::default(), &problems);
        assert_eq!(
            text,
            "input/x\\n::add-mask::p\\u{1b}\\xff.yaml:1:1: error[E0100]: m\\r\\n::add-mask::r\\u{2028}
  = at /k\\n::add-mask::q\\u{7}
  = note: n\\n::warning::s\\u{85}: input/x\\n::add-mask::p\\u{1b}\\xff.yaml:1:1

"
        );
        let json = emit(&mut super::JsonEmitter, &problems);
        assert_eq!(
            json,
            r#"{"file":"input/x\\n::add-mask::p\\u{1b}\\xff.yaml","line":1,"column":1,"code":"E0100","message":"m\\r\\n::add-mask::r\\u{2028}","pointer":"/k\\n::add-mask::q\\u{7}","notes":[{"file":"input/x\\n::add-mask::p\\u{1b}\\xff.yaml","line":1,"column":1,"message":"n\\n::warning::s\\u{85}"}]}
"#
        );
        let github = emit(&mut super::GithubEmitter, &problems);
        assert_eq!(
            github,
            "::error file=input/x\\n%3A%3Aadd-mask%3A%3Ap\\u{1b}\\xff.yaml,line=1,col=1,title=error[E0100]::m\\r\\n::add-mask::r\\u{2028} (at /k\\n::add-mask::q\\u{7})%0Anote: n\\n::warning::s\\u{85}: input/x\\n::add-mask::p\\u{1b}\\xff.yaml:1:1
"
        );
        for output in [text, json, github] {
            assert!(
                !output
                    .trim_end_matches('\n')
                    .contains(['\r', '\u{85}', '\u{2028}', '\u{1b}'])
            );
            assert!(output.lines().all(|line| !line.chars().any(crate::escape::is_escaped)));
        }
    }
}
