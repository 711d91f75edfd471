//! Files to documents: every curated file parsed (YAML, JSON or TOML) into one `serde_json::Value`
//! that keeps numbers as their source text, plus the position of every value and key, so that any
//! later problem can name `path:line:column`.

use crate::diagnostic::{Code, Diagnostic, Position};
use crate::input::Input;
use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Limits that keep a hostile file from taking over the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most values in one document, counting each alias expansion in full and each anchor's copy.
    pub max_nodes: usize,
    /// Longest text value or key, in characters.
    pub max_text_chars: usize,
}

/// Longest number literal, in characters: a `decimal128(38, 9)` needs far fewer.
pub const MAX_NUMBER_CHARS: usize = 64;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 1_000_000,
            max_text_chars: 65_536,
        }
    }
}

/// A parsed file: its value and where each part of it was written.
///
/// Positions are recorded only when first asked for, by parsing the text again: most files have no
/// problem, and recording a pointer and a position for every value and key costs more than the parse.
#[derive(Debug)]
pub struct Document {
    /// The path as reached from the current folder.
    pub path: PathBuf,
    /// The content, numbers kept as their source text.
    pub value: Value,
    /// The text it was parsed from, and how, to record positions on demand.
    text: String,
    format: Format,
    limits: Limits,
    spots: OnceLock<Spot>,
}

/// Where the parts of a document were written: a tree of the value's shape, so that memory grows
/// with the number of values, not with their depth times the length of their keys.
#[derive(Debug)]
enum Spot {
    /// A scalar, or an alias expansion (whose parts have no positions of their own).
    Leaf(Position),
    /// A sequence and its items.
    List(Position, Vec<Spot>),
    /// A mapping and its members, sorted by key, each with where its key was written.
    Map(Position, Vec<(String, Position, Spot)>),
}

impl Spot {
    fn position(&self) -> Position {
        match self {
            Spot::Leaf(position) | Spot::List(position, _) | Spot::Map(position, _) => *position,
        }
    }

    /// The position of the value at `pointer` (or of its nearest enclosing value), and of its key
    /// if the value itself was found and is a member.
    fn find(&self, pointer: &str) -> (Position, Option<Position>) {
        let mut spot = self;
        let mut key = None;
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            let next = match spot {
                Spot::List(_, items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|s| (s, None)),
                Spot::Map(_, members) => members
                    .binary_search_by(|(name, _, _)| name.as_str().cmp(&segment))
                    .ok()
                    .map(|i| (&members[i].2, Some(members[i].1))),
                Spot::Leaf(_) => None,
            };
            match next {
                Some((child, child_key)) => (spot, key) = (child, child_key),
                None => return (spot.position(), None),
            }
        }
        (spot.position(), key)
    }
}

impl Document {
    fn spots(&self) -> &Spot {
        self.spots.get_or_init(|| {
            let mut builder = Builder::new(&self.path, &self.text, &self.limits, true);
            // The text parsed once already, so this parse succeeds too.
            builder
                .run(&self.text, self.format)
                .map_or(Spot::Leaf(Position::START), |(_, spot)| spot)
        })
    }

    /// Where the value at `pointer` was written, or its nearest enclosing value (an alias expansion
    /// has no positions of its own), or the start of the file.
    pub fn position(&self, pointer: &str) -> Position {
        self.spots().find(pointer).0
    }

    /// Where the key of the member at `pointer` was written, else where its value was.
    pub fn key_position(&self, pointer: &str) -> Position {
        let (value, key) = self.spots().find(pointer);
        key.unwrap_or(value)
    }

    /// A diagnostic about the value at `pointer`.
    pub fn error(&self, code: Code, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, &self.path, self.position(pointer), message).at_pointer(pointer)
    }
}

impl Document {
    /// The text the document was parsed from (without a byte order mark): what a problem's snippet
    /// is cut from, so that no file is read again to show one.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Positions in files checked earlier, found by parsing each file again the first time it is asked
/// about: the cross-file rules keep only JSON Pointers, and most runs never need a position.
#[derive(Debug)]
pub struct Locator {
    input: Input,
    limits: Limits,
    /// The files parsed again, the most recently asked about first; at most `LOCATOR_FILES`.
    documents: std::collections::VecDeque<(PathBuf, Option<Document>)>,
}

/// How many parsed files a `Locator` keeps: problems come sorted by file, so a few suffice, and
/// memory stays bounded however many files have problems.
const LOCATOR_FILES: usize = 8;

impl Locator {
    /// A locator that reads files of `input` within `limits`.
    pub fn new(input: &Input, limits: &Limits) -> Locator {
        Locator {
            input: input.clone(),
            limits: *limits,
            documents: std::collections::VecDeque::new(),
        }
    }

    /// Where the value at `pointer` of the file at `path` was written (the start of the file if it
    /// can no longer be read).
    pub fn position(&mut self, path: &Path, pointer: &str) -> Position {
        match self.documents.iter().position(|(kept, _)| kept == path) {
            Some(at) => {
                let entry = self.documents.remove(at).expect("found");
                self.documents.push_front(entry);
            }
            None => {
                self.documents.truncate(LOCATOR_FILES - 1);
                let document = load_file(&self.input, path, &self.limits).ok();
                self.documents.push_front((path.to_owned(), document));
            }
        }
        self.documents[0]
            .1
            .as_ref()
            .map_or(Position::START, |document| document.position(pointer))
    }
}

/// The format of a curated file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    Toml,
}

impl Format {
    /// The format a file name's extension names, if any.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// Reads and parses one file of the input folder, within the limits.
pub fn load_file(input: &Input, path: &Path, limits: &Limits) -> Result<Document, Diagnostic> {
    let format = Format::of(path).ok_or_else(|| {
        Diagnostic::new(
            Code::UnsupportedFile,
            path,
            Position::START,
            "is not a curated file: expected the extension .yaml, .yml, .json or .toml",
        )
    })?;
    let bytes = input.read(path, limits.max_file_bytes)?;
    parse(path, &bytes, format, limits)
}

/// Parses the bytes of a file in the given format.
pub fn parse(path: &Path, bytes: &[u8], format: Format, limits: &Limits) -> Result<Document, Diagnostic> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let bad = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
        Diagnostic::new(
            Code::NotUtf8,
            path,
            Lines::new(valid).position(valid.len()),
            format!("is not UTF-8: byte 0x{bad:02X} is not valid here"),
        )
    })?;
    // A byte order mark says nothing the UTF-8 text does not: skip it so columns count from the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = match Builder::new(path, text, limits, false).run(text, format) {
        Ok((value, _)) => value,
        // A problem while parsing: parse again recording positions, for its notes (a key written twice
        // names where it was first written).
        Err(_) => Builder::new(path, text, limits, true).run(text, format)?.0,
    };
    let document = Document {
        path: path.to_owned(),
        value,
        text: text.to_owned(),
        format,
        limits: *limits,
        spots: OnceLock::new(),
    };
    if !within_lengths(&document.value, limits) {
        check_lengths(&document, &document.value, &mut String::new(), limits)?;
    }
    Ok(document)
}

/// Whether every text, key and number is within the limits: the quick walk, without pointers.
fn within_lengths(value: &Value, limits: &Limits) -> bool {
    // Bytes bound characters from above: only a long text needs counting.
    let text_ok = |text: &str| text.len() <= limits.max_text_chars || text.chars().count() <= limits.max_text_chars;
    match value {
        Value::String(text) => text_ok(text),
        Value::Number(number) => number.as_str().len() <= MAX_NUMBER_CHARS,
        Value::Array(items) => items.iter().all(|item| within_lengths(item, limits)),
        Value::Object(map) => map
            .iter()
            .all(|(key, member)| text_ok(key) && within_lengths(member, limits)),
        Value::Null | Value::Bool(_) => true,
    }
}

/// Refuses a text or key longer than the limit, and a number literal longer than `MAX_NUMBER_CHARS`.
fn check_lengths(document: &Document, value: &Value, pointer: &mut String, limits: &Limits) -> Result<(), Diagnostic> {
    let too_long = |what: &str, chars: usize, limit: usize, position: Position, at: &str| {
        Diagnostic::new(
            Code::TooLong,
            &document.path,
            position,
            format!("has a {what} of {chars} characters; the limit is {limit}"),
        )
        .at_pointer(at)
    };
    match value {
        Value::String(text) => {
            let chars = text.chars().count();
            if chars > limits.max_text_chars {
                let position = document.position(pointer);
                return Err(too_long("text", chars, limits.max_text_chars, position, pointer));
            }
        }
        Value::Number(number) => {
            let chars = number.to_string().len();
            if chars > MAX_NUMBER_CHARS {
                let position = document.position(pointer);
                return Err(too_long("number", chars, MAX_NUMBER_CHARS, position, pointer));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                check_lengths(document, item, pointer, limits)?;
                pointer.truncate(length);
            }
        }
        Value::Object(members) => {
            for (key, member) in members {
                let length = pointer.len();
                *pointer = pointer_child(pointer, key);
                let chars = key.chars().count();
                if chars > limits.max_text_chars {
                    let position = document.key_position(pointer);
                    return Err(too_long("key", chars, limits.max_text_chars, position, pointer));
                }
                check_lengths(document, member, pointer, limits)?;
                pointer.truncate(length);
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
    Ok(())
}

/// Byte offsets to line and column (1-based, columns in characters).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last position found (line index, offset, column from 0): parsers ask in file order, so
    /// counting on from it keeps a long line linear instead of counting from its start each time.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text,
            starts: crate::diagnostic::line_starts(text),
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// A line and column reported by the YAML parser, kept inside the text: at the end of the input
    /// it reports a line past the last one.
    fn within(&self, line: usize, column: usize) -> Position {
        if line > self.starts.len() {
            return self.position(self.text.len());
        }
        Position {
            line: line as u32,
            column: column as u32 + 1,
        }
    }

    fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let (from, counted) = match self.last.get() {
            (last_line, last_offset, column) if last_line == line && last_offset <= offset => (last_offset, column),
            _ => (self.starts[line], 0),
        };
        let column = counted + self.text.get(from..offset).map_or(offset - from, |s| s.chars().count());
        self.last.set((line, offset, column));
        Position {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

/// Appends a member name to a JSON Pointer, escaped as RFC 6901 says.
pub fn pointer_child(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A YAML anchor: its value and what an alias to it costs.
struct Anchor {
    value: Value,
    /// Values in it, counted again at every alias.
    nodes: usize,
    /// Bytes of text in it (scalars and keys), counted again at every alias.
    bytes: usize,
    /// How deep it nests below itself: an alias nests it that much deeper.
    depth: usize,
}

/// A mapping being built: its members, and where each was written when recording.
#[derive(Default)]
struct MapBuilder {
    map: Map<String, Value>,
    members: Vec<(String, Position, Spot)>,
}

struct Builder<'a> {
    path: &'a Path,
    lines: Lines<'a>,
    limits: &'a Limits,
    /// Whether to record the position of every value and key.
    record: bool,
    /// Values so far, every alias expansion counted in full.
    nodes: usize,
    /// Bytes of text so far, every alias expansion counted in full.
    bytes: usize,
    /// The deepest level reached in the node being built, to know an anchor's depth.
    deepest: usize,
    /// The JSON Pointer of the node being built, kept only when recording (for problems' pointers).
    pointer: String,
}

impl<'a> Builder<'a> {
    fn new(path: &'a Path, text: &'a str, limits: &'a Limits, record: bool) -> Builder<'a> {
        Builder {
            path,
            lines: Lines::new(text),
            limits,
            record,
            nodes: 0,
            bytes: 0,
            deepest: 0,
            pointer: String::new(),
        }
    }

    fn run(&mut self, text: &str, format: Format) -> Result<(Value, Spot), Diagnostic> {
        match format {
            Format::Yaml => self.yaml(text),
            Format::Json => self.json(text),
            Format::Toml => self.toml(text),
        }
    }

    fn error(&self, code: Code, position: Position, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.path, position, message)
    }

    /// A problem of the node being built, with its pointer (known when recording, which a parse
    /// that failed always does again).
    fn node_error(&self, code: Code, position: Position, message: impl Into<String>) -> Diagnostic {
        self.error(code, position, message).at_pointer(&self.pointer)
    }

    /// Enters a member or item (for problems' pointers), when recording.
    fn enter(&mut self, segment: Segment<'_>) -> usize {
        let length = self.pointer.len();
        if self.record {
            match segment {
                Segment::Key(key) => {
                    self.pointer.push('/');
                    self.pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                Segment::Index(index) => {
                    use std::fmt::Write as _;
                    let _ = write!(self.pointer, "/{index}");
                }
            }
        }
        length
    }

    fn leave(&mut self, length: usize) {
        self.pointer.truncate(length);
    }

    /// Counts values and bytes of text, and refuses a document past the budgets or the depth limit.
    fn count(&mut self, nodes: usize, bytes: usize, depth: usize, position: Position) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(nodes);
        self.bytes = self.bytes.saturating_add(bytes);
        self.deepest = self.deepest.max(depth);
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(
                Code::TooManyValues,
                position,
                format!(
                    "expands to more than {} values, counting the copy each YAML anchor keeps and each alias expansion (a YAML alias bomb?); see --max-values",
                    self.limits.max_nodes
                ),
            ));
        }
        // Without aliases a file holds fewer bytes of text than it has bytes: only expansions pass this.
        if self.bytes as u64 > self.limits.max_file_bytes {
            return Err(self.error(
                Code::TooManyValues,
                position,
                format!(
                    "expands to more than {} bytes of text through YAML aliases; a file may hold no more text than --max-file-size",
                    self.limits.max_file_bytes
                ),
            ));
        }
        if depth > self.limits.max_depth {
            return Err(self.error(
                Code::TooDeep,
                position,
                format!("nests deeper than {} levels (see --max-depth)", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    /// A leaf's spot.
    fn leaf(&self, position: Position) -> Spot {
        Spot::Leaf(position)
    }

    /// A sequence's value and spot.
    fn list(&self, position: Position, items: Vec<Value>, spots: Vec<Spot>) -> (Value, Spot) {
        let spot = if self.record {
            Spot::List(position, spots)
        } else {
            Spot::Leaf(position)
        };
        (Value::Array(items), spot)
    }

    /// Adds a member to a mapping, refusing a key written twice.
    fn insert(
        &self,
        map: &mut MapBuilder,
        key: String,
        key_position: Position,
        (value, spot): (Value, Spot),
    ) -> Result<(), Diagnostic> {
        if map.map.contains_key(&key) {
            let first = map
                .members
                .iter()
                .find(|(name, _, _)| *name == key)
                .map_or(Position::START, |(_, position, _)| *position);
            return Err(Diagnostic::new(
                Code::DuplicateField,
                self.path,
                key_position,
                format!("the field `{key}` is written twice in one mapping"),
            )
            .at_pointer(&pointer_child(&self.pointer, &key))
            .with_note(self.path, first, "first written here"));
        }
        if self.record {
            map.members.push((key.clone(), key_position, spot));
        }
        map.map.insert(key, value);
        Ok(())
    }

    /// A mapping's value and spot.
    fn map(&self, position: Position, map: MapBuilder) -> (Value, Spot) {
        let MapBuilder { map, mut members } = map;
        let spot = if self.record {
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Spot::Map(position, members)
        } else {
            Spot::Leaf(position)
        };
        (Value::Object(map), spot)
    }

    fn yaml(&mut self, text: &str) -> Result<(Value, Spot), Diagnostic> {
        let mut events = Parser::new_from_str(text);
        let mut anchors: HashMap<usize, Anchor> = HashMap::new();
        let mut root = None;
        loop {
            let (event, position) = match events.next() {
                None => break,
                Some(next) => self.yaml_event(Some(next))?,
            };
            match event {
                Event::DocumentStart(_) if root.is_some() => {
                    return Err(self.error(
                        Code::Syntax,
                        position,
                        "holds more than one YAML document; write one revision per file",
                    ));
                }
                Event::DocumentStart(_) => {
                    let first = self.yaml_event(events.next())?;
                    root = Some(self.yaml_node(first, &mut events, &mut anchors, 0)?);
                }
                _ => {}
            }
        }
        // An empty file is an empty document: the schema then names what is missing.
        Ok(root.unwrap_or((Value::Null, Spot::Leaf(Position::START))))
    }

    /// The next YAML event and where it starts, or the parser's error at its position.
    fn yaml_event<'i>(
        &self,
        next: Option<Result<(Event<'i>, saphyr_parser::Span), saphyr_parser::ScanError>>,
    ) -> Result<(Event<'i>, Position), Diagnostic> {
        match next {
            Some(Ok((event, span))) => Ok((event, self.lines.within(span.start.line(), span.start.col()))),
            Some(Err(e)) => {
                let m = e.marker();
                Err(self.error(
                    Code::Syntax,
                    self.lines.within(m.line(), m.col()),
                    format!("is not valid YAML: {}", e.info()),
                ))
            }
            None => Err(self.error(Code::Syntax, Position::START, "ends in the middle of a YAML document")),
        }
    }

    /// Refuses a YAML tag: the input language has no types of its own to name.
    fn no_tag(&self, tag: Option<&saphyr_parser::Tag>, position: Position) -> Result<(), Diagnostic> {
        match tag {
            None => Ok(()),
            Some(tag) => Err(self.node_error(
                Code::Syntax,
                position,
                format!(
                    "uses the YAML tag `{}{}`; tags are not supported",
                    tag.handle, tag.suffix
                ),
            )),
        }
    }

    fn yaml_node<'i>(
        &mut self,
        (event, position): (Event<'i>, Position),
        events: &mut Parser<'i, saphyr_parser::StrInput<'i>>,
        anchors: &mut HashMap<usize, Anchor>,
        depth: usize,
    ) -> Result<(Value, Spot), Diagnostic> {
        let (nodes_before, bytes_before, deepest_before) = (self.nodes, self.bytes, self.deepest);
        self.deepest = depth;
        self.count(1, 0, depth, position)?;
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.no_tag(tag.as_deref(), position)?;
                self.count(0, text.len(), depth, position)?;
                ((yaml_scalar(&text, style), self.leaf(position)), anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                self.no_tag(tag.as_deref(), position)?;
                let (mut items, mut spots) = (Vec::new(), Vec::new());
                loop {
                    let next = self.yaml_event(events.next())?;
                    if matches!(next.0, Event::SequenceEnd) {
                        break;
                    }
                    let length = self.enter(Segment::Index(items.len()));
                    let (item, spot) = self.yaml_node(next, events, anchors, depth + 1)?;
                    self.leave(length);
                    items.push(item);
                    if self.record {
                        spots.push(spot);
                    }
                }
                (self.list(position, items, spots), anchor)
            }
            Event::MappingStart(anchor, tag) => {
                self.no_tag(tag.as_deref(), position)?;
                let mut map = MapBuilder::default();
                loop {
                    let (key_event, key_position) = self.yaml_event(events.next())?;
                    let key = match key_event {
                        Event::MappingEnd => break,
                        Event::Scalar(text, _, _, None) => text.into_owned(),
                        _ => {
                            return Err(self.node_error(
                                Code::Syntax,
                                key_position,
                                "has a key that is not plain text",
                            ));
                        }
                    };
                    self.count(0, key.len(), depth, key_position)?;
                    let length = self.enter(Segment::Key(&key));
                    let next = self.yaml_event(events.next())?;
                    let member = self.yaml_node(next, events, anchors, depth + 1)?;
                    self.leave(length);
                    self.insert(&mut map, key, key_position, member)?;
                }
                (self.map(position, map), anchor)
            }
            Event::Alias(id) => {
                let Some(anchor) = anchors.get(&id) else {
                    return Err(self.node_error(Code::Syntax, position, "refers to an unknown YAML anchor"));
                };
                let (nodes, bytes, below, value) = (anchor.nodes, anchor.bytes, anchor.depth, &anchor.value);
                // Count before copying, so that an alias bomb stops before it costs memory.
                self.count(nodes, bytes, depth + below, position)?;
                ((value.clone(), self.leaf(position)), 0)
            }
            _ => return Err(self.node_error(Code::Syntax, position, "has an unexpected YAML construct")),
        };
        if anchor != 0 {
            let (nodes, bytes) = (self.nodes - nodes_before, self.bytes - bytes_before);
            // The anchor keeps a copy of its value, counted like an expansion: anchors nested in
            // anchors would otherwise copy the innermost value once for each, unbounded by any limit.
            self.count(nodes, bytes, depth, position)?;
            let anchor_value = Anchor {
                value: node.0.clone(),
                nodes,
                bytes,
                depth: self.deepest - depth,
            };
            anchors.insert(anchor, anchor_value);
        }
        self.deepest = self.deepest.max(deepest_before);
        Ok(node)
    }

    fn json(&mut self, text: &str) -> Result<(Value, Spot), Diagnostic> {
        use jsonc_parser::{CollectOptions, ParseOptions};
        let strict = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        let parsed = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict).map_err(|e| {
            self.error(
                Code::Syntax,
                self.lines.position(e.range().start),
                format!("is not valid JSON: {}", e.kind()),
            )
        })?;
        match parsed.value {
            Some(root) => self.json_node(text, root, 0),
            None => Ok((Value::Null, Spot::Leaf(Position::START))),
        }
    }

    /// Refuses a raw control character inside a JSON string, which JSON does not allow (the parser
    /// lets it pass): it must be written as an escape such as `\t` or `\n`.
    fn json_string_text(&self, source: &str, range: std::ops::Range<usize>) -> Result<(), Diagnostic> {
        let raw = source.get(range.clone()).unwrap_or_default();
        match raw.char_indices().find(|(_, c)| c.is_control() && (*c as u32) < 0x20) {
            None => Ok(()),
            Some((at, c)) => Err(self.error(
                Code::Syntax,
                self.lines.position(range.start + at),
                format!(
                    "is not valid JSON: the control character U+{:04X} is written raw inside a string; write it as an escape (`\\t`, `\\n` or `\\u{:04X}`)",
                    c as u32, c as u32
                ),
            )),
        }
    }

    fn json_node(
        &mut self,
        source: &str,
        node: jsonc_parser::ast::Value<'_>,
        depth: usize,
    ) -> Result<(Value, Spot), Diagnostic> {
        use jsonc_parser::ast::Value as Ast;
        use jsonc_parser::common::Ranged;
        let range = node.range();
        let position = self.lines.position(range.start);
        self.count(1, 0, depth, position)?;
        let leaf = self.leaf(position);
        Ok(match node {
            Ast::StringLit(s) => {
                self.json_string_text(source, range.start..range.end)?;
                (Value::String(s.value.into_owned()), leaf)
            }
            Ast::NumberLit(n) => {
                let number = number(n.value).ok_or_else(|| {
                    self.error(
                        Code::Syntax,
                        position,
                        format!("has the number `{}` that JSON does not allow", n.value),
                    )
                })?;
                (number_value(number), leaf)
            }
            Ast::BooleanLit(b) => (Value::Bool(b.value), leaf),
            Ast::NullKeyword(_) => (Value::Null, leaf),
            Ast::Array(array) => {
                let mut items = Vec::with_capacity(array.elements.len());
                let mut spots = Vec::new();
                for (index, element) in array.elements.into_iter().enumerate() {
                    let length = self.enter(Segment::Index(index));
                    let (item, spot) = self.json_node(source, element, depth + 1)?;
                    self.leave(length);
                    items.push(item);
                    if self.record {
                        spots.push(spot);
                    }
                }
                self.list(position, items, spots)
            }
            Ast::Object(object) => {
                let mut map = MapBuilder::default();
                for property in object.properties {
                    let key_position = self.lines.position(property.range.start);
                    let name_range = property.name.range();
                    if matches!(property.name, jsonc_parser::ast::ObjectPropName::String(_)) {
                        self.json_string_text(source, name_range.start..name_range.end)?;
                    }
                    let key = property.name.into_string();
                    let length = self.enter(Segment::Key(&key));
                    let member = self.json_node(source, property.value, depth + 1)?;
                    self.leave(length);
                    self.insert(&mut map, key, key_position, member)?;
                }
                self.map(position, map)
            }
        })
    }

    fn toml(&mut self, text: &str) -> Result<(Value, Spot), Diagnostic> {
        let table = toml::de::DeTable::parse(text).map_err(|e| {
            let position = e.span().map_or(Position::START, |span| self.lines.position(span.start));
            self.error(
                Code::Syntax,
                position,
                format!("is not valid TOML: {}", e.message().trim()),
            )
        })?;
        let span = table.span();
        self.toml_node(toml::de::DeValue::Table(table.into_inner()), span, 0)
    }

    fn toml_node(
        &mut self,
        node: toml::de::DeValue<'_>,
        span: std::ops::Range<usize>,
        depth: usize,
    ) -> Result<(Value, Spot), Diagnostic> {
        use toml::de::DeValue;
        let position = self.lines.position(span.start);
        self.count(1, 0, depth, position)?;
        let leaf = self.leaf(position);
        let bad_number = |text: &str| {
            self.node_error(
                Code::Syntax,
                position,
                format!("has the number `{text}`, which is not a decimal number"),
            )
        };
        Ok(match node {
            DeValue::String(s) => (Value::String(s.into_owned()), leaf),
            DeValue::Integer(i) if i.radix() == 10 => (
                number_value(number(&i.as_str().replace('_', "")).ok_or_else(|| bad_number(i.as_str()))?),
                leaf,
            ),
            DeValue::Integer(i) => return Err(bad_number(i.as_str())),
            DeValue::Float(f) => (
                number_value(number(&f.as_str().replace('_', "")).ok_or_else(|| bad_number(f.as_str()))?),
                leaf,
            ),
            DeValue::Boolean(b) => (Value::Bool(b), leaf),
            // TOML dates and times are text to the rest of the program, exactly as written (the
            // parser's own form would turn `07:32:00.50z` into `07:32:00.5Z`).
            DeValue::Datetime(d) => {
                let written = self.lines.text.get(span.clone()).filter(|text| !text.is_empty());
                (
                    Value::String(written.map_or_else(|| d.to_string(), str::to_owned)),
                    leaf,
                )
            }
            DeValue::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                let mut spots = Vec::new();
                for (index, item) in array.into_iter().enumerate() {
                    let span = item.span();
                    let length = self.enter(Segment::Index(index));
                    let (value, spot) = self.toml_node(item.into_inner(), span, depth + 1)?;
                    self.leave(length);
                    items.push(value);
                    if self.record {
                        spots.push(spot);
                    }
                }
                self.list(position, items, spots)
            }
            DeValue::Table(table) => {
                let mut entries: Vec<_> = table.into_iter().collect();
                // Keep the source order, so that the document reads as written.
                entries.sort_by_key(|(key, _)| key.span().start);
                let mut map = MapBuilder::default();
                for (key, item) in entries {
                    let key_position = self.lines.position(key.span().start);
                    let key = key.into_inner().into_owned();
                    let span = item.span();
                    let length = self.enter(Segment::Key(&key));
                    let member = self.toml_node(item.into_inner(), span, depth + 1)?;
                    self.leave(length);
                    self.insert(&mut map, key, key_position, member)?;
                }
                self.map(position, map)
            }
        })
    }
}

/// A step of a JSON Pointer.
enum Segment<'k> {
    Key(&'k str),
    Index(usize),
}

/// A JSON number from its text, kept exactly (serde_json's `arbitrary_precision`).
fn number(text: &str) -> Option<Number> {
    serde_json::from_str::<Number>(text).ok()
}

/// A number's value: an integer beyond 64 bits is kept as its text, exactly as a quoted amount is
/// (serde hands such integers to flattened fields as `u128`, which it cannot buffer).
fn number_value(number: Number) -> Value {
    if !number.is_u64() && !number.is_i64() && (number.as_u128().is_some() || number.as_i128().is_some()) {
        Value::String(number.as_str().to_owned())
    } else {
        Value::Number(number)
    }
}

/// Resolves a YAML scalar by the YAML 1.2 core schema, strictly: only `true`/`false` are booleans (so
/// `NO`, Norway's country code, stays text), only JSON-shaped numbers are numbers, and a quoted
/// scalar is always text.
fn yaml_scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        // A JSON number starts with `-` or a digit: other text is not handed to the number parser,
        // whose refusal allocates an error.
        _ if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => Value::String(text.to_owned()),
        _ => number(text).map_or_else(|| Value::String(text.to_owned()), number_value),
    }
}
