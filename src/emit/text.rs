//! The text format, for people: each problem as `path:line:column: error[code]: message`, the JSON
//! Pointer and the bounded window of the source line with a caret, in the style of rustc; at most
//! `max_per_file` problems of one file, then how many more there are. File names, messages, notes
//! and pointers are shown through `escape`: each on its one line, whatever a curator wrote.

use super::Emitter;
use crate::diagnostic::{Diagnostic, Snippet};
use crate::escape;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The rustc-style renderer.
#[derive(Debug, Clone)]
pub struct TextEmitter {
    /// Most problems shown for one file.
    pub max_per_file: usize,
}

impl Default for TextEmitter {
    fn default() -> Self {
        TextEmitter { max_per_file: 50 }
    }
}

impl Emitter for TextEmitter {
    fn emit(&mut self, out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
        for file in diagnostics.chunk_by(|a, b| a.path == b.path) {
            // Each problem is written as soon as it is rendered: nothing is gathered.
            for diagnostic in file.iter().take(self.max_per_file) {
                out.write_all(render(diagnostic).as_bytes())?;
            }
            if let Some(more) = file.len().checked_sub(self.max_per_file).filter(|&more| more > 0) {
                writeln!(
                    out,
                    "{}: {more} more problem{} in this file not shown (only the first {} of a file are; \
                     `check --format json` lists every one)\n",
                    escape::path(&file[0].path),
                    if more == 1 { "" } else { "s" },
                    self.max_per_file
                )?;
            }
        }
        Ok(())
    }
}

/// One diagnostic as printed, with a blank line after it.
pub fn render(d: &Diagnostic) -> String {
    let mut out = format!(
        "{}:{}:{}: error[{}]: {}\n",
        escape::path(&d.path),
        d.position.line,
        d.position.column,
        d.code.as_str(),
        escape::text(&d.message)
    );
    // A pointer names keys as written, and an unknown key may be long: it is cut like a message.
    let label = d
        .pointer
        .as_deref()
        .map(|p| format!("at {}", escape::text_within(p, crate::diagnostic::MAX_MESSAGE_CHARS)));
    match (&d.snippet, label) {
        (Some(snippet), label) => self::snippet(&mut out, snippet, label.as_deref().unwrap_or_default()),
        (None, Some(label)) => {
            let _ = writeln!(out, "  = {label}");
        }
        (None, None) => {}
    }
    for note in &d.notes {
        let _ = writeln!(
            out,
            "  = note: {}: {}:{}:{}",
            escape::text(&note.message),
            escape::path(&note.path),
            note.position.line,
            note.position.column
        );
        if let Some(snippet) = &note.snippet {
            self::snippet(&mut out, snippet, "");
        }
    }
    out.push('\n');
    out
}

/// Writes a source line with its caret. The line is shown as the file has it, with a tab kept (it
/// keeps the caret in place) and every character that `escape` would escape shown as `�`, one
/// character for one: control characters (already so in the snippet), line and paragraph
/// separators, and bidirectional controls.
fn snippet(out: &mut String, snippet: &Snippet, label: &str) {
    let unsafe_char = |c: char| c != '\t' && escape::is_escaped(c);
    let text = if snippet.text.chars().any(unsafe_char) {
        std::borrow::Cow::Owned(
            snippet
                .text
                .chars()
                .map(|c| if unsafe_char(c) { '\u{fffd}' } else { c })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(snippet.text.as_str())
    };
    let number = snippet.line.to_string();
    let pad = " ".repeat(number.len());
    let caret_pad: String = snippet
        .text
        .chars()
        .take(snippet.caret)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{number} | {text}");
    let _ = writeln!(out, "{}", format!("{pad} | {caret_pad}^ {label}").trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::tests::{emit, sample};

    #[test]
    fn renders_in_the_style_of_rustc() {
        let text = emit(&mut TextEmitter::default(), &sample());
        assert_eq!(
            text,
            "\
input/profiles/a,b/2020:01.yaml:1:7: error[E0101]: 100% wrong\\nreally
  |
1 | name: a, b
  |       ^ at /name

input/profiles/a,b/2020:01.yaml:2:1: error[E0100]: unknown field `sources`
  |
2 | sources: []
  | ^ at /sources
  = note: first written here: input/profiles/a,b/2020:01.yaml:1:1
  |
1 | name: a, b
  | ^

"
        );
    }

    #[test]
    fn a_source_line_shows_separators_and_bidirectional_controls_as_replacement_characters() {
        let path = std::path::Path::new("f.yaml");
        let text = "kind: \"a\u{2028}::add-mask::b\u{202e}c\u{2029}\"\t# x\n";
        let mut problems = vec![
            Diagnostic::new(
                crate::diagnostic::Code::Schema,
                path,
                crate::diagnostic::Position { line: 1, column: 7 },
                "m",
            )
            .at_pointer("/kind"),
        ];
        crate::diagnostic::Source::new(text).attach(path, &mut problems);
        assert_eq!(
            emit(&mut TextEmitter::default(), &problems),
            "f.yaml:1:7: error[E0101]: m\n  |\n1 | kind: \"a\u{fffd}::add-mask::b\u{fffd}c\u{fffd}\"\t# x\n  |       ^ at /kind\n\n"
        );
    }

    #[test]
    fn a_long_pointer_is_cut_like_a_message_in_text_and_github() {
        let key = "k".repeat(60_000);
        let problem = Diagnostic::new(
            crate::diagnostic::Code::UnknownField,
            std::path::Path::new("f.yaml"),
            crate::diagnostic::Position { line: 2, column: 1 },
            "unknown field",
        )
        .at_pointer(&format!("/{key}"));
        let text = emit(&mut TextEmitter::default(), std::slice::from_ref(&problem));
        let github = emit(&mut crate::emit::github::GithubEmitter, &[problem]);
        for shown in [text, github] {
            assert!(shown.len() < 1_000, "{} bytes", shown.len());
            assert!(shown.contains(&format!("at /{}…", &key[..499])), "{shown}");
        }
    }

    #[test]
    fn at_most_so_many_problems_of_a_file_are_shown() {
        let problems: Vec<_> = std::iter::repeat_n(sample(), 3).flatten().collect();
        let text = emit(&mut TextEmitter { max_per_file: 2 }, &problems);
        assert_eq!(text.matches(": error[").count(), 2);
        assert!(
            text.ends_with("input/profiles/a,b/2020:01.yaml: 4 more problems in this file not shown (only the first 2 of a file are; `check --format json` lists every one)\n\n"),
            "{text}"
        );
    }
}
