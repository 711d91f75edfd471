//! The GitHub Actions format: one `::error file=…,line=…,col=…,title=…::message` workflow command a
//! problem on stdout, so that a pull request shows each problem on its line. Values are escaped as
//! the workflow-command syntax requires: `%`, `\r` and `\n` everywhere, and `:` and `,` in properties.
//! That escaping comes after `escape`'s, which leaves no line end of the curator's in a command:
//! the only one is the line that joins a note to its problem, which GitHub shows on a line of its own.

use super::Emitter;
use crate::diagnostic::Diagnostic;
use crate::escape;
use std::io::{self, Write};

/// Workflow commands.
#[derive(Debug, Clone, Copy, Default)]
pub struct GithubEmitter;

impl Emitter for GithubEmitter {
    fn emit(&mut self, out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
        for d in diagnostics {
            let mut message = escape::text(&d.message).into_owned();
            if let Some(pointer) = &d.pointer {
                let pointer = escape::text_within(pointer, crate::diagnostic::MAX_MESSAGE_CHARS);
                message.push_str(&format!(" (at {pointer})"));
            }
            for note in &d.notes {
                message.push_str(&format!(
                    "\nnote: {}: {}:{}:{}",
                    escape::text(&note.message),
                    escape::path(&note.path),
                    note.position.line,
                    note.position.column
                ));
            }
            writeln!(
                out,
                "::error file={},line={},col={},title={}::{}",
                property(&escape::path(&d.path)),
                d.position.line,
                d.position.column,
                property(&format!("error[{}]", d.code.as_str())),
                data(&message)
            )?;
        }
        Ok(())
    }
}

/// A command's message, escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A command's property value, escaped.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::tests::{emit, sample};

    #[test]
    fn workflow_commands_escaped() {
        let text = emit(&mut GithubEmitter, &sample());
        assert_eq!(
            text,
            "\
::error file=input/profiles/a%2Cb/2020%3A01.yaml,line=1,col=7,title=error[E0101]::100%25 wrong\\nreally (at /name)
::error file=input/profiles/a%2Cb/2020%3A01.yaml,line=2,col=1,title=error[E0100]::unknown field `sources` (at /sources)%0Anote: first written here: input/profiles/a,b/2020:01.yaml:1:1
"
        );
    }

    #[test]
    fn carriage_returns_are_escaped() {
        assert_eq!(data("a\r\nb%"), "a%0D%0Ab%25");
        assert_eq!(property("a:b,c\r"), "a%3Ab%2Cc%0D");
    }
}
