//! One diagnostic type for every problem, rendered in the style of rustc:
//! `path:line:column: error[code]: message`, the JSON Pointer, and the source line with a caret.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A place in a file: line and column, both counted from 1 (columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Position {
    /// The start of a file: where a problem of the whole file is reported.
    pub const START: Position = Position { line: 1, column: 1 };
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// The stable code of each kind of problem, as printed in `error[code]`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($(#[doc = $doc])* $variant,)* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as printed.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// What the code means, for the README's list.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_start(),)* }
            }
        }
    };
}

codes! {
    /// A file or folder cannot be read.
    Io = "E0001",
    /// A file under `profiles/` has an extension other than .yaml, .yml, .json or .toml.
    UnsupportedFile = "E0002",
    /// A file is larger than `--max-file-size`.
    FileTooLarge = "E0003",
    /// A file is not valid UTF-8.
    NotUtf8 = "E0004",
    /// A symbolic link leads out of the input folder.
    SymlinkOutside = "E0005",
    /// A file is not valid YAML, JSON or TOML.
    Syntax = "E0006",
    /// A document nests deeper than the depth limit.
    TooDeep = "E0007",
    /// A document has more values than the limit, e.g. through YAML aliases.
    TooManyValues = "E0008",
    /// A mapping has the same key twice.
    DuplicateField = "E0009",
    /// `dataset.yaml` is missing.
    MissingDataset = "E0010",
    /// A text longer than `--max-text-length`, or a number written with more than 64 characters.
    TooLong = "E0011",
    /// A path under the input folder is not a regular file or folder (a FIFO, a socket, a device).
    NotAFile = "E0012",
    /// The input folder holds no revision at all.
    NoRevisions = "E0013",
    /// A field that the input language does not have.
    UnknownField = "E0100",
    /// A value does not match the input JSON Schema (type, required field, pattern, enum).
    Schema = "E0101",
    /// A file's path disagrees with its `profile` or `updated`.
    PathMismatch = "E0200",
    /// Two files hold the same revision (`profile`, `updated`).
    DuplicateRevision = "E0201",
    /// A date that does not exist or is malformed.
    InvalidDate = "E0202",
    /// An amount that is not an exact decimal of the dataset.
    InvalidAmount = "E0203",
    /// A range whose low is above its high, or an end before its start.
    RangeOrder = "E0204",
    /// A value together with a range, a range with a qualifier, or a figure with no value.
    AmountShape = "E0205",
    /// A currency that is not an ISO 4217 code.
    UnknownCurrency = "E0206",
    /// A country that is not an ISO 3166-1 alpha-2 code.
    UnknownCountry = "E0207",
    /// A source id used twice in one file.
    DuplicateSource = "E0208",
    /// A claim or entity cites a source that its file does not list.
    UnknownSource = "E0209",
    /// An entity id declared twice in one file, or as both organization and system.
    DuplicateEntity = "E0210",
    /// A reference to an entity that no file declares, or to an entity of the wrong type.
    UnresolvedReference = "E0211",
    /// Two profiles give different values to one field of the same entity, or an `organizations`
    /// entry gives the profiled company another name or kind.
    MergeConflict = "E0212",
    /// An entity that has no name after merging.
    MissingName = "E0213",
    /// Two claims of one revision with the same key.
    DuplicateClaim = "E0214",
    /// A contract that names neither buyer nor supplier.
    MissingParty = "E0215",
    /// A chain of `parent` or `replaces` links that comes back to where it started.
    Cycle = "E0216",
}

/// A problem found in the input, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The kind of problem.
    pub code: Code,
    /// The file, as reached from the current folder.
    pub path: PathBuf,
    /// Where in the file.
    pub position: Position,
    /// The JSON Pointer of the value, if the problem is about one.
    pub pointer: Option<String>,
    /// What is wrong, naming the value.
    pub message: String,
    /// Other places that explain the problem, e.g. the first declaration of a conflicting value.
    pub notes: Vec<(PathBuf, Position, String)>,
}

impl Diagnostic {
    /// A problem at a position of a file.
    pub fn new(code: Code, path: &Path, position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            path: path.to_owned(),
            position,
            pointer: None,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    /// Names the JSON Pointer of the value concerned.
    pub fn at_pointer(mut self, pointer: &str) -> Self {
        self.pointer = Some(if pointer.is_empty() {
            "/".into()
        } else {
            pointer.to_owned()
        });
        self
    }

    /// Adds another place that explains the problem.
    pub fn with_note(mut self, path: &Path, position: Position, note: impl Into<String>) -> Self {
        self.notes.push((path.to_owned(), position, note.into()));
        self
    }

    /// The order problems are printed in: by file, then position.
    pub fn sort_key(&self) -> (&Path, Position, Code, &str) {
        (&self.path, self.position, self.code, &self.message)
    }
}

/// Renders diagnostics, reading each file's lines once to show the source.
#[derive(Default)]
pub struct Renderer {
    sources: HashMap<PathBuf, Option<Vec<String>>>,
}

impl Renderer {
    fn line(&mut self, path: &Path, line: u32) -> Option<String> {
        let lines = self.sources.entry(path.to_owned()).or_insert_with(|| {
            // Only a regular file, not through a link: a refused file (a link out of the input, a
            // FIFO, a device) is never read, and none of its bytes is printed.
            if !std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_file()) {
                return None;
            }
            let bytes = std::fs::read(path).ok()?;
            Some(String::from_utf8_lossy(&bytes).lines().map(str::to_owned).collect())
        });
        lines.as_ref()?.get(line.checked_sub(1)? as usize).cloned()
    }

    /// One diagnostic, as printed on stderr.
    pub fn render(&mut self, d: &Diagnostic) -> String {
        let mut out = format!(
            "{}:{}:{}: error[{}]: {}\n",
            d.path.display(),
            d.position.line,
            d.position.column,
            d.code.as_str(),
            d.message
        );
        self.snippet(
            &mut out,
            &d.path,
            d.position,
            d.pointer.as_deref().map(|p| format!("at {p}")),
        );
        for (path, position, note) in &d.notes {
            let _ = writeln!(
                out,
                "  = note: {note}: {}:{}:{}",
                path.display(),
                position.line,
                position.column
            );
            self.snippet(&mut out, path, *position, None);
        }
        out
    }

    fn snippet(&mut self, out: &mut String, path: &Path, position: Position, label: Option<String>) {
        let Some(source) = self.line(path, position.line) else {
            return;
        };
        let number = position.line.to_string();
        let pad = " ".repeat(number.len());
        let caret_pad: String = source
            .chars()
            .take(position.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {source}");
        let _ = writeln!(out, "{pad} | {caret_pad}^ {}", label.unwrap_or_default());
    }
}
