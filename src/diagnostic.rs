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
    /// Too many problems: past 1000 in a file or 100000 in all, the rest are counted, not listed.
    TooManyProblems = "E0014",
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
    /// A currency that is not an ISO 4217 code; an amount written with `$` whose `currency` is missing
    /// or is not one `$` stands for (a dollar or a peso).
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
    /// A text longer than a workbook cell holds (32,767 UTF-16 code units; an emoji takes two), or an
    /// id that makes an id that long.
    CellTooLong = "E0217",
    /// A dataset `name` too long for the file names it gives (255 bytes with `.metadata.json`).
    NameTooLong = "E0218",
    /// An identifier that its scheme refuses: its form, or its check digits.
    InvalidIdentifier = "E0219",
    /// The same identifier (scheme and value) on two different entities.
    SharedIdentifier = "E0220",
    /// A claim with the status `not_found` that does not say as of when it was not found (`as_of`).
    FindingWithoutDate = "E0221",
    /// A source whose `sha256` names no file of the archive given with `--archive`, or a file that is not UTF-8 text.
    NotArchived = "E0222",
    /// A quote that is not in the archived text of any source it cites that has a `sha256` (with `--archive`).
    QuoteNotInSource = "E0223",
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
    /// The JSON Pointer of the value, if the problem is about one (a `Box<str>`: a diagnostic stays
    /// small enough to be returned as an error).
    pub pointer: Option<Box<str>>,
    /// What is wrong, naming the value.
    pub message: String,
    /// The source line around the position, if the file's text was loaded (boxed: most problems of a
    /// large run are never shown, and a diagnostic stays small).
    pub snippet: Option<Box<Snippet>>,
    /// Other places that explain the problem, e.g. the first declaration of a conflicting value.
    pub notes: Vec<Note>,
    /// For a problem that stands for others (`E0014`): how many it counts without listing them
    /// (boxed: no other problem has any).
    pub unlisted: Option<Box<Unlisted>>,
}

/// Problems found but not listed, which an `E0014` problem counts: zero for every other problem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unlisted {
    /// How many problems.
    pub problems: u64,
    /// How many files they are in, besides the files of the problems listed.
    pub files: u64,
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
    /// column constant time; otherwise the characters before it are counted (`Source` counts on from
    /// the previous problem instead, for many problems on one long line).
    pub fn window(line_number: u32, line: &str, column: u32, ascii: bool) -> Snippet {
        let skip = column.saturating_sub(1) as usize;
        let caret = if ascii {
            skip.min(line.len())
        } else {
            line.char_indices().nth(skip).map_or(line.len(), |(at, _)| at)
        };
        Snippet::at(line_number, line, caret)
    }

    /// The window of `line` around the character that starts at byte `caret` (the end of the line if
    /// past it). It looks at no more than the window's characters on either side, so its cost is
    /// bounded by its width, however long the line.
    fn at(line_number: u32, line: &str, caret: usize) -> Snippet {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let caret = caret.min(line.len());
        // Up to `chars` characters back from byte `from`: where they start, and how many there are.
        let back = |from: usize, chars: usize| {
            line[..from]
                .char_indices()
                .rev()
                .take(chars)
                .fold((from, 0), |(_, count), (at, _)| (at, count + 1))
        };
        // Up to `chars` characters on from byte `from`: where they end, and how many there are. The
        // rest of the line is counted only when fewer than that are left.
        let forward = |from: usize, chars: usize| match line[from..].char_indices().nth(chars) {
            Some((at, _)) => (from + at, chars),
            None => (line.len(), line[from..].chars().count()),
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

/// The lines of a loaded text, indexed once, to capture snippets for many problems cheaply: finding
/// a column counts on from the one found before it on the same line (problems are taken in order of
/// position), so many problems on one long line cost the line once, not once each.
pub struct Source<'a> {
    text: &'a str,
    starts: Vec<usize>,
    ascii: std::collections::HashMap<u32, bool>,
    /// The last column found: its line (from 0), its byte offset in the line and its column (from 0).
    cursor: (usize, usize, usize),
}

impl<'a> Source<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> Source<'a> {
        Source {
            text,
            starts: line_starts(text),
            ascii: std::collections::HashMap::new(),
            cursor: (usize::MAX, 0, 0),
        }
    }

    /// The window of the line at `position`, if the text has that line.
    pub fn snippet(&mut self, position: Position) -> Option<Box<Snippet>> {
        let index = position.line.checked_sub(1)? as usize;
        let start = *self.starts.get(index)?;
        let end = self.starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end];
        let ascii = *self.ascii.entry(position.line).or_insert_with(|| line.is_ascii());
        let skip = position.column.saturating_sub(1) as usize;
        let caret = if ascii {
            skip.min(line.len())
        } else {
            let (from, counted) = match self.cursor {
                (line_index, offset, column) if line_index == index && column <= skip => (offset, column),
                _ => (0, 0),
            };
            match line[from..].char_indices().nth(skip - counted) {
                Some((at, _)) => {
                    self.cursor = (index, from + at, skip);
                    from + at
                }
                None => line.len(),
            }
        };
        Some(Box::new(Snippet::at(position.line, line, caret)))
    }

    /// Captures the snippet of every problem (and note) in the file `path` that has none yet.
    pub fn attach(&mut self, path: &Path, problems: &mut [Diagnostic]) {
        let mut places = Vec::new();
        for (index, problem) in problems.iter().enumerate() {
            if problem.path == path && problem.snippet.is_none() {
                places.push((index, None));
            }
            for (note_index, note) in problem.notes.iter().enumerate() {
                if note.path == path && note.snippet.is_none() {
                    places.push((index, Some(note_index)));
                }
            }
        }
        self.attach_at(problems, places);
    }

    /// Captures the snippet of each place, in this text: a problem (`(index, None)`) or a note of
    /// one (`(index, Some(note))`). They are taken in order of position, so that finding each column
    /// counts on from the one before.
    pub fn attach_at(&mut self, problems: &mut [Diagnostic], mut places: Vec<(usize, Option<usize>)>) {
        let position = |(index, note): (usize, Option<usize>)| {
            let problem = &problems[index];
            note.map_or(problem.position, |note| problem.notes[note].position)
        };
        places.sort_by_cached_key(|&place| position(place));
        for (index, note) in places {
            let problem = &mut problems[index];
            match note {
                None => problem.snippet = self.snippet(problem.position),
                Some(note) => {
                    let note = &mut problem.notes[note];
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
            unlisted: None,
        }
    }

    /// Names the JSON Pointer of the value concerned.
    pub fn at_pointer(mut self, pointer: &str) -> Self {
        self.pointer = Some(if pointer.is_empty() { "/".into() } else { pointer.into() });
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

    /// The problems and files this problem counts without listing them: none but for `E0014`.
    pub fn counted(&self) -> Unlisted {
        self.unlisted.as_deref().copied().unwrap_or_default()
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

/// A message safe to print anywhere and bounded: control characters and line separators escaped
/// (`\n`, `\u{1b}`: a message is one line, and no curated byte in it can start a workflow command
/// or drive a terminal), and cut with `…` past `MAX_MESSAGE_CHARS` characters as shown.
fn bounded(message: String) -> String {
    let changed = match crate::escape::text_within(&message, MAX_MESSAGE_CHARS) {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(shown) => Some(shown),
    };
    changed.unwrap_or(message)
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
        assert!(d.message.starts_with("\\u{1b}[2J") && d.message.ends_with('…'));
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
    fn many_problems_on_a_long_line_get_the_same_windows_as_each_alone() {
        // A line of 1 MB, non-ASCII, with problems all along it: the cursor counts on from one to
        // the next, and each window is the one found by counting from the start of the line.
        let line: String = (0..130_000).map(|i| format!("é{:04}, ", i % 10_000)).collect();
        let length = line.chars().count() as u32;
        assert!(line.len() > 1_000_000);
        let text = format!("first\n{line}\nlast");
        let columns: Vec<u32> = (1..=1_000)
            .map(|i| i * (length / 1_000))
            .chain([length, length + 5])
            .collect();
        let mut source = Source::new(&text);
        let found: Vec<Snippet> = columns
            .iter()
            .map(|&column| *source.snippet(Position { line: 2, column }).expect("line 2"))
            .collect();
        for index in (0..columns.len()).step_by(50).chain(columns.len() - 3..columns.len()) {
            let column = columns[index];
            assert_eq!(
                found[index],
                Snippet::window(2, &line, column, false),
                "column {column}"
            );
        }
        // The last problem: at the last character, the window ends the line.
        let last = &found[found.len() - 2];
        assert!(last.text.starts_with('…') && last.text.ends_with(", ") && !last.text.ends_with('…'));
        assert_eq!(last.text.chars().nth(last.caret), Some(' '));
        assert_eq!(last.caret, Snippet::WIDTH);
        // Asked out of order, the cursor starts again from the start of the line.
        let again = source
            .snippet(Position {
                line: 2,
                column: columns[10],
            })
            .expect("line 2");
        assert_eq!(*again, found[10]);
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
