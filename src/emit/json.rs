//! The JSON format, for machines: one object a line on stdout, with `file`, `line`, `column`, `code`,
//! `message`, `pointer` (null for a problem of a whole file) and `notes` (the other places, each with
//! `file`, `line`, `column` and `message`). File names, messages and pointers are the text the other
//! formats show (`escape`), so a reader that prints a field prints one line of it.

use super::Emitter;
use crate::diagnostic::Diagnostic;
use crate::escape;
use serde_json::json;
use std::io::{self, Write};

/// One JSON object a line.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonEmitter;

impl Emitter for JsonEmitter {
    fn emit(&mut self, out: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
        for d in diagnostics {
            let notes: Vec<_> = d
                .notes
                .iter()
                .map(|note| {
                    json!({
                        "file": escape::path(&note.path),
                        "line": note.position.line,
                        "column": note.position.column,
                        "message": escape::text(&note.message),
                    })
                })
                .collect();
            let record = json!({
                "file": escape::path(&d.path),
                "line": d.position.line,
                "column": d.position.column,
                "code": d.code.as_str(),
                "message": escape::text(&d.message),
                "pointer": d.pointer.as_deref().map(escape::text),
                "notes": notes,
            });
            serde_json::to_writer(&mut *out, &record)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::tests::{emit, sample};

    #[test]
    fn one_object_a_line() {
        let text = emit(&mut JsonEmitter, &sample());
        assert_eq!(
            text,
            r#"{"file":"input/profiles/a,b/2020:01.yaml","line":1,"column":7,"code":"E0101","message":"100% wrong\\nreally","pointer":"/name","notes":[]}
{"file":"input/profiles/a,b/2020:01.yaml","line":2,"column":1,"code":"E0100","message":"unknown field `sources`","pointer":"/sources","notes":[{"file":"input/profiles/a,b/2020:01.yaml","line":1,"column":1,"message":"first written here"}]}
"#
        );
    }
}
