//! One diagnostic type for every problem, with the bounded window of its source line captured from
//! the text already loaded (never read again from disk): what every output format is fed.

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
    /// A publication gate of dataset.yaml fails: the dataset has fewer or more rows, or a column
    /// fewer filled values, than it requires.
    GateFailed = "E0230",
    /// A publication gate names a table or column the dataset does not have.
    GateUnknown = "E0231",
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
    /// The source line around the position, if the file's text was loaded (boxed: most problems of a
    /// large run are never shown, and a diagnostic stays small).
    pub snippet: Option<Box<Snippet>>,
    /// Other places that explain the problem, e.g. the first declaration of a conflicting value.
    pub notes: Vec<Note>,
}

/// Another place that explains a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file.
    pub path: PathBuf,
    /// Where in it.
    pub position: Position,
    /// What is there.
    pub message: String,
    /// The source line around the position, if the file's text was loaded.
    pub snippet: Option<Box<Snippet>>,
}

/// A bounded window of one source line: at most `Snippet::WIDTH` characters around the column, with
/// `…` where the line was cut, control characters shown as `�`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The line number, from 1.
    pub line: u32,
    /// The window of the line as shown.
    pub text: String,
    /// How many characters of `text` come before the caret.
    pub caret: usize,
}

impl Snippet {
    /// Most characters of a line shown.
    pub const WIDTH: usize = 100;
    /// Characters shown before the caret when the line is cut.
    const BEFORE: usize = 40;

    /// The window of `line` (one line of text, without its end) around `column` (in characters,
    /// from 1; past the end means the end). `ascii` says the line is ASCII, which makes finding the
    /// column constant time on long lines.
    pub fn window(line_number: u32, line: &str, column: u32, ascii: bool) -> Snippet {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let skip = column.saturating_sub(1) as usize;
        let caret = if ascii {
            skip.min(line.len())
        } else {
            line.char_indices().nth(skip).map_or(line.len(), |(at, _)| at)
        };
        let back = |from: usize, chars: usize| {
            line[..from]
                .char_indices()
                .rev()
                .take(chars)
                .last()
                .map_or((from, 0), |(at, _)| (at, line[at..from].chars().count()))
        };
        let forward = |from: usize, chars: usize| {
            line[from..]
                .char_indices()
                .nth(chars)
                .map_or((line.len(), line[from..].chars().count()), |(at, _)| (from + at, chars))
        };
        let (mut start, mut before) = back(caret, Self::BEFORE);
        let (end, after) = forward(caret, Self::WIDTH - before);
        if before + after < Self::WIDTH && start > 0 {
            let (earlier, more) = back(start, Self::WIDTH - before - after);
            start = earlier;
            before += more;
        }
        let mut text = String::with_capacity(end - start + 6);
        if start > 0 {
            text.push('…');
            before += 1;
        }
        text.extend(
            line[start..end]
                .chars()
                .map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c }),
        );
        if end < line.len() {
            text.push('…');
        }
        Snippet {
            line: line_number,
            text,
            caret: before,
        }
    }
}

/// The byte offset where each line of `text` starts: the one line index of positions and snippets.
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// The lines of a loaded text, indexed once, to capture snippets for many problems cheaply.
pub struct Source<'a> {
    text: &'a str,
    starts: Vec<usize>,
    ascii: std::collections::HashMap<u32, bool>,
}

impl<'a> Source<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> Source<'a> {
        Source {
            text,
            starts: line_starts(text),
            ascii: std::collections::HashMap::new(),
        }
    }

    /// The window of the line at `position`, if the text has that line.
    pub fn snippet(&mut self, position: Position) -> Option<Box<Snippet>> {
        let index = position.line.checked_sub(1)? as usize;
        let start = *self.starts.get(index)?;
        let end = self.starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end];
        let ascii = *self.ascii.entry(position.line).or_insert_with(|| line.is_ascii());
        Some(Box::new(Snippet::window(position.line, line, position.column, ascii)))
    }

    /// Captures the snippet of every problem (and note) in the file `path` that has none yet.
    pub fn attach(&mut self, path: &Path, problems: &mut [Diagnostic]) {
        for problem in problems {
            if problem.path == path && problem.snippet.is_none() {
                problem.snippet = self.snippet(problem.position);
            }
            for note in &mut problem.notes {
                if note.path == path && note.snippet.is_none() {
                    note.snippet = self.snippet(note.position);
                }
            }
        }
    }
}

impl Diagnostic {
    /// A problem at a position of a file.
    pub fn new(code: Code, path: &Path, position: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            path: path.to_owned(),
            position,
            pointer: None,
            message: bounded(message.into()),
            snippet: None,
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
        self.notes.push(Note {
            path: path.to_owned(),
            position,
            message: note.into(),
            snippet: None,
        });
        self
    }

    /// The order problems are printed in: by file, then position.
    pub fn sort_key(&self) -> (&Path, Position, Code, &str) {
        (&self.path, self.position, self.code, &self.message)
    }
}

/// The known name closest to `word`, if it is close enough to be what was meant: one edit away for
/// a word of up to four characters, two for longer ones (Damerau-Levenshtein: swapping two
/// neighbouring letters is one edit). Ties go to the first in alphabetical order.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = if length <= 4 { 1 } else { 2 };
    known
        .into_iter()
        .filter(|candidate| *candidate != word && candidate.len().abs_diff(word.len()) <= 2 * limit)
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Most characters of a message: a message names the value it is about, and a value may be long.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// A message safe to print on a terminal and bounded: control characters (but line ends and tabs)
/// shown as `�`, and cut with `…` past `MAX_MESSAGE_CHARS`.
fn bounded(message: String) -> String {
    let long = message.len() > MAX_MESSAGE_CHARS && message.chars().count() > MAX_MESSAGE_CHARS;
    if !long && !message.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return message;
    }
    let mut text: String = message
        .chars()
        .take(MAX_MESSAGE_CHARS)
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    if long {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_bounded_and_printable() {
        let d = Diagnostic::new(
            Code::Schema,
            Path::new("f"),
            Position::START,
            "\x1b[2J".to_owned() + &"x".repeat(900),
        );
        assert_eq!(d.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(d.message.starts_with("\u{fffd}[2J") && d.message.ends_with('…'));
    }

    #[test]
    fn did_you_mean_finds_close_names_only() {
        let known = ["supplier", "buyer", "value", "kind", "at_least"];
        assert_eq!(did_you_mean("supplierr", known), Some("supplier"));
        assert_eq!(did_you_mean("valeu", known), Some("value"));
        assert_eq!(did_you_mean("knd", known), Some("kind"));
        assert_eq!(did_you_mean("atleast", known), Some("at_least"));
        assert_eq!(did_you_mean("headquarters", known), None);
        assert_eq!(did_you_mean("kind", known), None);
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let snippet = Snippet::window(3, "    start: 2019-02-29", 12, true);
        assert_eq!(snippet.text, "    start: 2019-02-29");
        assert_eq!(snippet.caret, 11);
    }

    #[test]
    fn a_long_line_is_cut_around_the_column() {
        let line = "x".repeat(5000) + "BAD" + &"y".repeat(5000);
        for ascii in [true, false] {
            let snippet = Snippet::window(1, &line, 5001, ascii);
            assert_eq!(snippet.text.chars().count(), Snippet::WIDTH + 2, "{}", snippet.text);
            assert!(snippet.text.starts_with('…') && snippet.text.ends_with('…'));
            let caret: String = snippet.text.chars().skip(snippet.caret).take(3).collect();
            assert_eq!(caret, "BAD");
        }
    }

    #[test]
    fn the_end_of_a_long_line_shows_the_full_width() {
        let line = "é".repeat(300);
        let snippet = Snippet::window(1, &line, 300, false);
        assert_eq!(snippet.text.chars().count(), Snippet::WIDTH + 1);
        assert!(snippet.text.starts_with('…') && !snippet.text.ends_with('…'));
        assert_eq!(snippet.caret, Snippet::WIDTH);
    }

    #[test]
    fn control_characters_are_not_printed() {
        let snippet = Snippet::window(1, "a\x1b[31mb\tc\r", 1, true);
        assert_eq!(snippet.text, "a\u{fffd}[31mb\tc");
    }

    #[test]
    fn source_finds_lines_and_columns() {
        let mut source = Source::new("one\ntwo\r\nthree");
        assert_eq!(
            source.snippet(Position { line: 2, column: 2 }).map(|s| s.text),
            Some("two".into())
        );
        assert_eq!(
            source.snippet(Position { line: 3, column: 9 }).map(|s| s.caret),
            Some(5)
        );
        assert_eq!(source.snippet(Position { line: 4, column: 1 }), None);
    }
}
