//! Files to documents: every curated file parsed (YAML, JSON or TOML) into one `serde_json::Value`
//! that keeps numbers as their source text, plus the position of every value and key, so that any
//! later problem can name `path:line:column`.

use crate::diagnostic::{Code, Diagnostic, Position};
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
    /// Most values in one document, counting each alias expansion in full.
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
    positions: OnceLock<Positions>,
}

/// Where each value and key of a document was written.
#[derive(Debug, Default)]
struct Positions {
    /// Position of the value at each JSON Pointer.
    values: HashMap<String, Position>,
    /// Position of the key of the member at each JSON Pointer.
    keys: HashMap<String, Position>,
}

impl Document {
    fn positions(&self) -> &Positions {
        self.positions.get_or_init(|| {
            let mut builder = Builder::new(&self.path, &self.text, &self.limits, true);
            // The text parsed once already, so this parse succeeds too.
            let _ = builder.run(&self.text, self.format);
            Positions {
                values: builder.values,
                keys: builder.keys,
            }
        })
    }

    /// Where the value at `pointer` was written, or its nearest enclosing value (an alias expansion
    /// has no positions of its own), or the start of the file.
    pub fn position(&self, pointer: &str) -> Position {
        let values = &self.positions().values;
        let mut pointer = pointer;
        loop {
            if let Some(position) = values.get(pointer) {
                return *position;
            }
            match pointer.rfind('/') {
                Some(at) => pointer = &pointer[..at],
                None => return Position::START,
            }
        }
    }

    /// Where the key of the member at `pointer` was written, else where its value was.
    pub fn key_position(&self, pointer: &str) -> Position {
        self.positions()
            .keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.position(pointer))
    }

    /// A diagnostic about the value at `pointer`.
    pub fn error(&self, code: Code, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, &self.path, self.position(pointer), message).at_pointer(pointer)
    }
}

impl Document {
    /// A fingerprint of the text, to notice a file that changed between two reads of one build.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.text.hash(&mut hasher);
        hasher.finish()
    }

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
    limits: Limits,
    documents: HashMap<PathBuf, Option<Document>>,
}

impl Locator {
    /// A locator that reads files within `limits`.
    pub fn new(limits: &Limits) -> Locator {
        Locator {
            limits: *limits,
            documents: HashMap::new(),
        }
    }

    /// Where the value at `pointer` of the file at `path` was written (the start of the file if it
    /// can no longer be read).
    pub fn position(&mut self, path: &Path, pointer: &str) -> Position {
        let limits = self.limits;
        self.documents
            .entry(path.to_owned())
            .or_insert_with(|| load_file(path, &limits).ok())
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

/// Reads and parses one file, within the limits.
pub fn load_file(path: &Path, limits: &Limits) -> Result<Document, Diagnostic> {
    let file_error = |code, message: String| Diagnostic::new(code, path, Position::START, message);
    let format = Format::of(path).ok_or_else(|| {
        file_error(
            Code::UnsupportedFile,
            "is not a curated file: expected the extension .yaml, .yml, .json or .toml".into(),
        )
    })?;
    let size = std::fs::metadata(path)
        .map_err(|e| file_error(Code::Io, format!("cannot be read: {e}")))?
        .len();
    if size > limits.max_file_bytes {
        return Err(file_error(
            Code::FileTooLarge,
            format!(
                "is {size} bytes, more than the limit of {} bytes (see --max-file-size)",
                limits.max_file_bytes
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| file_error(Code::Io, format!("cannot be read: {e}")))?;
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
        Ok(value) => value,
        // A problem while parsing: parse again recording positions, for its notes (a key written twice
        // names where it was first written).
        Err(_) => Builder::new(path, text, limits, true).run(text, format)?,
    };
    let document = Document {
        path: path.to_owned(),
        value,
        text: text.to_owned(),
        format,
        limits: *limits,
        positions: OnceLock::new(),
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
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines { text, starts }
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
        let start = self.starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
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

struct Builder<'a> {
    path: &'a Path,
    lines: Lines<'a>,
    limits: &'a Limits,
    /// Whether to record the position of every value and key.
    record: bool,
    values: HashMap<String, Position>,
    keys: HashMap<String, Position>,
    nodes: usize,
}

impl<'a> Builder<'a> {
    fn new(path: &'a Path, text: &'a str, limits: &'a Limits, record: bool) -> Builder<'a> {
        Builder {
            path,
            lines: Lines::new(text),
            limits,
            record,
            values: HashMap::new(),
            keys: HashMap::new(),
            nodes: 0,
        }
    }

    /// The pointer of a member: built only when recording, since a problem found without recording
    /// is found again by a parse that records.
    fn child(&self, pointer: &str, key: &str) -> String {
        if self.record {
            pointer_child(pointer, key)
        } else {
            String::new()
        }
    }

    /// The pointer of a list item, built only when recording.
    fn item(&self, pointer: &str, index: usize) -> String {
        if self.record {
            format!("{pointer}/{index}")
        } else {
            String::new()
        }
    }

    fn run(&mut self, text: &str, format: Format) -> Result<Value, Diagnostic> {
        match format {
            Format::Yaml => self.yaml(text),
            Format::Json => self.json(text),
            Format::Toml => self.toml(text),
        }
    }

    fn error(&self, code: Code, position: Position, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.path, position, message)
    }

    /// Counts values and refuses a document past the node budget or depth limit.
    fn count(&mut self, added: usize, depth: usize, position: Position) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > self.limits.max_nodes {
            return Err(self.error(
                Code::TooManyValues,
                position,
                format!(
                    "expands to more than {} values (a YAML alias bomb?)",
                    self.limits.max_nodes
                ),
            ));
        }
        if depth > self.limits.max_depth {
            return Err(self.error(
                Code::TooDeep,
                position,
                format!("nests deeper than {} levels", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    /// Records a member key and checks that the mapping does not have it twice.
    fn insert(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
        key: String,
        key_position: Position,
        value: Value,
    ) -> Result<(), Diagnostic> {
        if map.contains_key(&key) {
            let child = pointer_child(pointer, &key);
            let first = self.keys.get(&child).copied().unwrap_or(Position::START);
            return Err(self
                .error(
                    Code::DuplicateField,
                    key_position,
                    format!("the field `{key}` is written twice in one mapping"),
                )
                .at_pointer(&child)
                .with_note(self.path, first, "first written here"));
        }
        if self.record {
            self.keys.insert(pointer_child(pointer, &key), key_position);
        }
        map.insert(key, value);
        Ok(())
    }

    fn yaml(&mut self, text: &str) -> Result<Value, Diagnostic> {
        let mut events = Parser::new_from_str(text);
        let mut anchors: HashMap<usize, (Value, usize)> = HashMap::new();
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
                    root = Some(self.yaml_node(first, &mut events, &mut anchors, String::new(), 0)?);
                }
                _ => {}
            }
        }
        // An empty file is an empty document: the schema then names what is missing.
        Ok(root.unwrap_or(Value::Null))
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

    fn yaml_node<'i>(
        &mut self,
        (event, position): (Event<'i>, Position),
        events: &mut Parser<'i, saphyr_parser::StrInput<'i>>,
        anchors: &mut HashMap<usize, (Value, usize)>,
        pointer: String,
        depth: usize,
    ) -> Result<Value, Diagnostic> {
        let nodes_before = self.nodes;
        self.count(1, depth, position)?;
        if self.record {
            self.values.insert(pointer.clone(), position);
        }
        let (value, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(tag) = tag {
                    return Err(self
                        .error(
                            Code::Syntax,
                            position,
                            format!(
                                "uses the YAML tag `{}{}`; tags are not supported",
                                tag.handle, tag.suffix
                            ),
                        )
                        .at_pointer(&pointer));
                }
                (yaml_scalar(&text, style), anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let next = self.yaml_event(events.next())?;
                    if matches!(next.0, Event::SequenceEnd) {
                        break;
                    }
                    let child = self.item(&pointer, items.len());
                    items.push(self.yaml_node(next, events, anchors, child, depth + 1)?);
                }
                (Value::Array(items), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = Map::new();
                loop {
                    let (key_event, key_position) = self.yaml_event(events.next())?;
                    let key = match key_event {
                        Event::MappingEnd => break,
                        Event::Scalar(text, _, _, None) => text.into_owned(),
                        _ => {
                            return Err(self
                                .error(Code::Syntax, key_position, "has a key that is not plain text")
                                .at_pointer(&pointer));
                        }
                    };
                    let child = self.child(&pointer, &key);
                    let next = self.yaml_event(events.next())?;
                    let value = self.yaml_node(next, events, anchors, child, depth + 1)?;
                    self.insert(&mut map, &pointer, key, key_position, value)?;
                }
                (Value::Object(map), anchor)
            }
            Event::Alias(id) => {
                let Some(size) = anchors.get(&id).map(|(_, size)| *size) else {
                    return Err(self
                        .error(Code::Syntax, position, "refers to an unknown YAML anchor")
                        .at_pointer(&pointer));
                };
                // Count before copying, so that an alias bomb stops before it costs memory.
                self.count(size, depth, position)?;
                (anchors[&id].0.clone(), 0)
            }
            _ => {
                return Err(self
                    .error(Code::Syntax, position, "has an unexpected YAML construct")
                    .at_pointer(&pointer));
            }
        };
        if anchor != 0 {
            anchors.insert(anchor, (value.clone(), self.nodes - nodes_before));
        }
        Ok(value)
    }

    fn json(&mut self, text: &str) -> Result<Value, Diagnostic> {
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
            Some(root) => self.json_node(root, String::new(), 0),
            None => Ok(Value::Null),
        }
    }

    fn json_node(
        &mut self,
        node: jsonc_parser::ast::Value<'_>,
        pointer: String,
        depth: usize,
    ) -> Result<Value, Diagnostic> {
        use jsonc_parser::ast::Value as Ast;
        use jsonc_parser::common::Ranged;
        let position = self.lines.position(node.range().start);
        self.count(1, depth, position)?;
        if self.record {
            self.values.insert(pointer.clone(), position);
        }
        Ok(match node {
            Ast::StringLit(s) => Value::String(s.value.into_owned()),
            Ast::NumberLit(n) => Value::Number(number(n.value).ok_or_else(|| {
                self.error(
                    Code::Syntax,
                    position,
                    format!("has the number `{}` that JSON does not allow", n.value),
                )
            })?),
            Ast::BooleanLit(b) => Value::Bool(b.value),
            Ast::NullKeyword(_) => Value::Null,
            Ast::Array(array) => {
                let mut items = Vec::with_capacity(array.elements.len());
                for (index, element) in array.elements.into_iter().enumerate() {
                    items.push(self.json_node(element, self.item(&pointer, index), depth + 1)?);
                }
                Value::Array(items)
            }
            Ast::Object(object) => {
                let mut map = Map::new();
                for property in object.properties {
                    let key_position = self.lines.position(property.range.start);
                    let key = property.name.into_string();
                    let value = self.json_node(property.value, self.child(&pointer, &key), depth + 1)?;
                    self.insert(&mut map, &pointer, key, key_position, value)?;
                }
                Value::Object(map)
            }
        })
    }

    fn toml(&mut self, text: &str) -> Result<Value, Diagnostic> {
        let table = toml::de::DeTable::parse(text).map_err(|e| {
            let position = e.span().map_or(Position::START, |span| self.lines.position(span.start));
            self.error(
                Code::Syntax,
                position,
                format!("is not valid TOML: {}", e.message().trim()),
            )
        })?;
        let span = table.span();
        self.toml_node(toml::de::DeValue::Table(table.into_inner()), span, String::new(), 0)
    }

    fn toml_node(
        &mut self,
        node: toml::de::DeValue<'_>,
        span: std::ops::Range<usize>,
        pointer: String,
        depth: usize,
    ) -> Result<Value, Diagnostic> {
        use toml::de::DeValue;
        let position = self.lines.position(span.start);
        self.count(1, depth, position)?;
        if self.record {
            self.values.insert(pointer.clone(), position);
        }
        let bad_number = |text: &str| {
            self.error(
                Code::Syntax,
                position,
                format!("has the number `{text}`, which is not a decimal number"),
            )
            .at_pointer(&pointer)
        };
        Ok(match node {
            DeValue::String(s) => Value::String(s.into_owned()),
            DeValue::Integer(i) if i.radix() == 10 => {
                Value::Number(number(&i.as_str().replace('_', "")).ok_or_else(|| bad_number(i.as_str()))?)
            }
            DeValue::Integer(i) => return Err(bad_number(i.as_str())),
            DeValue::Float(f) => {
                Value::Number(number(&f.as_str().replace('_', "")).ok_or_else(|| bad_number(f.as_str()))?)
            }
            DeValue::Boolean(b) => Value::Bool(b),
            // TOML dates are text to the rest of the program, exactly as written.
            DeValue::Datetime(d) => Value::String(d.to_string()),
            DeValue::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                for (index, item) in array.into_iter().enumerate() {
                    let span = item.span();
                    items.push(self.toml_node(item.into_inner(), span, self.item(&pointer, index), depth + 1)?);
                }
                Value::Array(items)
            }
            DeValue::Table(table) => {
                let mut entries: Vec<_> = table.into_iter().collect();
                // Keep the source order, so that the document reads as written.
                entries.sort_by_key(|(key, _)| key.span().start);
                let mut map = Map::new();
                for (key, item) in entries {
                    let key_position = self.lines.position(key.span().start);
                    let key = key.into_inner().into_owned();
                    let span = item.span();
                    let value = self.toml_node(item.into_inner(), span, self.child(&pointer, &key), depth + 1)?;
                    self.insert(&mut map, &pointer, key, key_position, value)?;
                }
                Value::Object(map)
            }
        })
    }
}

/// A JSON number from its text, kept exactly (serde_json's `arbitrary_precision`).
fn number(text: &str) -> Option<Number> {
    serde_json::from_str::<Number>(text).ok()
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
        _ => number(text).map_or_else(|| Value::String(text.to_owned()), Value::Number),
    }
}
