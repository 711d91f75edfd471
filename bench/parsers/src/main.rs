//! Measures YAML event parsers that keep positions, for profile-export's loader (issue 12).
//!
//! Every file of the given folders (`*.yaml`, `*.yml`, recursively) is read into memory first; then,
//! single-threaded, each parser parses every file (a) to events only and (b) to a minimal tree
//! (owned text, style and position of every node), `--passes` times in turn with the others, and
//! the median pass is reported in MB/s. Before timing, every parser's events are compared with
//! saphyr-parser's: kind, scalar value, style, anchors and aliases, tags, and the line and column
//! (in characters) where every scalar and every collection starts.
//!
//! Usage: parser-bench [--passes N] [--no-check] [--only-check DIR]... [--only-check-fuzz DIR]... DIR...
//!   --only-check DIR: YAML files that are compared but not timed (edge cases, fixtures).
//!   --only-check-fuzz DIR: the same for the YAML inputs of the `revision` fuzz corpus.
//!   --no-check: timings only.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A scalar's style, as the loader needs it (plain scalars are typed, the others are text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

/// An anchor or alias as a parser reports it: by number or by name.
#[derive(Debug)]
enum Anchor<'a> {
    None,
    Id(usize),
    Name(Cow<'a, str>),
}

/// One event, borrowed from the parser where it can be.
#[derive(Debug)]
enum E<'a> {
    DocStart,
    DocEnd,
    SeqStart(Anchor<'a>, bool),
    SeqEnd,
    MapStart(Anchor<'a>, bool),
    MapEnd,
    Scalar(Cow<'a, str>, Style, Anchor<'a>, bool),
    Alias(Anchor<'a>),
}

/// A parse error and where the parser put it (line from 1, column from 0 in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    line: usize,
    col: usize,
    message: String,
}

/// A parser under test: it calls `f` with every event (stream start and end left out) and the line
/// (from 1) and column (from 0, in characters) where the event starts.
trait Yaml {
    const NAME: &'static str;
    const VERSION: &'static str;
    fn run<'a>(text: &'a str, f: &mut impl FnMut(E<'a>, usize, usize)) -> Result<(), Failure>;
}

struct Saphyr;
impl Yaml for Saphyr {
    const NAME: &'static str = "saphyr-parser";
    const VERSION: &'static str = "0.3.4";
    fn run<'a>(text: &'a str, f: &mut impl FnMut(E<'a>, usize, usize)) -> Result<(), Failure> {
        use saphyr_parser::{Event, Parser, ScalarStyle};
        let style = |s: ScalarStyle| match s {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::Single,
            ScalarStyle::DoubleQuoted => Style::Double,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        };
        let id = |a: usize| if a == 0 { Anchor::None } else { Anchor::Id(a) };
        for next in Parser::new_from_str(text) {
            let (event, span) = next.map_err(|e| Failure {
                line: e.marker().line(),
                col: e.marker().col(),
                message: e.info().to_owned(),
            })?;
            let event = match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
                Event::DocumentStart(_) => E::DocStart,
                Event::DocumentEnd => E::DocEnd,
                Event::Alias(a) => E::Alias(Anchor::Id(a)),
                Event::Scalar(v, s, a, t) => E::Scalar(v, style(s), id(a), t.is_some()),
                Event::SequenceStart(a, t) => E::SeqStart(id(a), t.is_some()),
                Event::SequenceEnd => E::SeqEnd,
                Event::MappingStart(a, t) => E::MapStart(id(a), t.is_some()),
                Event::MappingEnd => E::MapEnd,
            };
            f(event, span.start.line(), span.start.col());
        }
        Ok(())
    }
}

struct Granit;
impl Yaml for Granit {
    const NAME: &'static str = "granit-parser";
    const VERSION: &'static str = "2.2.0";
    fn run<'a>(text: &'a str, f: &mut impl FnMut(E<'a>, usize, usize)) -> Result<(), Failure> {
        use granit_parser::{Event, Parser, ScalarStyle};
        let style = |s: ScalarStyle| match s {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::Single,
            ScalarStyle::DoubleQuoted => Style::Double,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        };
        let id = |a: usize| if a == 0 { Anchor::None } else { Anchor::Id(a) };
        for next in Parser::new_from_str(text) {
            let (event, span) = next.map_err(|e| Failure {
                line: e.marker().line(),
                col: e.marker().col(),
                message: e.info(),
            })?;
            let event = match event {
                Event::StreamStart | Event::StreamEnd => continue,
                Event::DocumentStart(..) => E::DocStart,
                Event::DocumentEnd => E::DocEnd,
                Event::Alias(a) => E::Alias(Anchor::Id(a)),
                Event::Scalar(v, s, a, t) => E::Scalar(v, style(s), id(a), t.is_some()),
                Event::SequenceStart(_, a, t) => E::SeqStart(id(a), t.is_some()),
                Event::SequenceEnd => E::SeqEnd,
                Event::MappingStart(_, a, t) => E::MapStart(id(a), t.is_some()),
                Event::MappingEnd => E::MapEnd,
                // Not emitted with these options; counted as a mismatch if they were.
                _ => E::Alias(Anchor::None),
            };
            f(event, span.start.line(), span.start.col());
        }
        Ok(())
    }
}

/// rlsp-yaml-parser; `LINES` false leaves its byte offsets unconverted (line 0, column = offset):
/// a data point on what its positions model costs, not a candidate of its own.
struct RlspWith<const LINES: bool>;
type Rlsp = RlspWith<true>;
type RlspOffsets = RlspWith<false>;
impl<const LINES: bool> Yaml for RlspWith<LINES> {
    const NAME: &'static str = if LINES {
        "rlsp-yaml-parser"
    } else {
        "rlsp-yaml-parser (byte offsets only)"
    };
    const VERSION: &'static str = "0.11.1";
    fn run<'a>(text: &'a str, f: &mut impl FnMut(E<'a>, usize, usize)) -> Result<(), Failure> {
        use rlsp_yaml_parser::{Event, EventMeta, ScalarStyle};
        let style = |s: ScalarStyle| match s {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::Single,
            ScalarStyle::DoubleQuoted => Style::Double,
            ScalarStyle::Literal(_) => Style::Literal,
            ScalarStyle::Folded(_) => Style::Folded,
        };
        let meta = |m: &Option<Box<EventMeta<'a>>>| match m {
            None => (Anchor::None, false),
            Some(m) => (
                m.anchor.map_or(Anchor::None, |a| Anchor::Name(Cow::Borrowed(a))),
                m.tag.is_some(),
            ),
        };
        // Spans are byte offsets: lines and columns come from a line index, as the loader's own.
        let lines = Lines::new(text);
        for next in rlsp_yaml_parser::parse_events(text) {
            let (event, span) = next.map_err(|e| Failure {
                line: e.pos.line,
                col: e.pos.column,
                message: e.message,
            })?;
            let event = match event {
                Event::StreamStart | Event::StreamEnd | Event::Comment { .. } => continue,
                Event::DocumentStart { .. } => E::DocStart,
                Event::DocumentEnd { .. } => E::DocEnd,
                Event::Alias { name } => E::Alias(Anchor::Name(Cow::Borrowed(name))),
                Event::Scalar {
                    value,
                    style: s,
                    meta: m,
                } => {
                    let (a, t) = meta(&m);
                    E::Scalar(value, style(s), a, t)
                }
                Event::SequenceStart { meta: m, .. } => {
                    let (a, t) = meta(&m);
                    E::SeqStart(a, t)
                }
                Event::SequenceEnd => E::SeqEnd,
                Event::MappingStart { meta: m, .. } => {
                    let (a, t) = meta(&m);
                    E::MapStart(a, t)
                }
                Event::MappingEnd => E::MapEnd,
            };
            let (line, col) = if LINES {
                lines.position(span.start as usize)
            } else {
                (0, span.start as usize)
            };
            f(event, line, col);
        }
        Ok(())
    }
}

struct LibyamlSafer;
impl Yaml for LibyamlSafer {
    const NAME: &'static str = "libyaml-safer";
    const VERSION: &'static str = "0.3.0";
    fn run<'a>(text: &'a str, f: &mut impl FnMut(E<'a>, usize, usize)) -> Result<(), Failure> {
        use libyaml_safer::{EventData, Parser, ScalarStyle};
        let style = |s: ScalarStyle| match s {
            ScalarStyle::SingleQuoted => Style::Single,
            ScalarStyle::DoubleQuoted => Style::Double,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
            _ => Style::Plain,
        };
        let name = |a: Option<String>| a.map_or(Anchor::None, |a| Anchor::Name(Cow::Owned(a)));
        let mut bytes = text.as_bytes();
        let mut parser = Parser::new();
        parser.set_input_string(&mut bytes);
        loop {
            let event = parser.parse().map_err(|e| {
                let mark = e.problem_mark().unwrap_or_default();
                Failure {
                    line: mark.line as usize + 1,
                    col: mark.column as usize,
                    message: e.to_string(),
                }
            })?;
            let (line, col) = (event.start_mark.line as usize + 1, event.start_mark.column as usize);
            let event = match event.data {
                EventData::StreamEnd => break,
                EventData::StreamStart { .. } => continue,
                EventData::DocumentStart { .. } => E::DocStart,
                EventData::DocumentEnd { .. } => E::DocEnd,
                EventData::Alias { anchor } => E::Alias(Anchor::Name(Cow::Owned(anchor))),
                EventData::Scalar {
                    anchor,
                    tag,
                    value,
                    style: s,
                    ..
                } => E::Scalar(Cow::Owned(value), style(s), name(anchor), tag.is_some()),
                EventData::SequenceStart { anchor, tag, .. } => E::SeqStart(name(anchor), tag.is_some()),
                EventData::SequenceEnd => E::SeqEnd,
                EventData::MappingStart { anchor, tag, .. } => E::MapStart(name(anchor), tag.is_some()),
                EventData::MappingEnd => E::MapEnd,
            };
            f(event, line, col);
        }
        Ok(())
    }
}

struct YamlRust2;
impl Yaml for YamlRust2 {
    const NAME: &'static str = "yaml-rust2";
    const VERSION: &'static str = "0.13.2";
    fn run<'a>(text: &'a str, f: &mut impl FnMut(E<'a>, usize, usize)) -> Result<(), Failure> {
        use yaml_rust2::parser::{Event, Parser};
        use yaml_rust2::scanner::TScalarStyle;
        let style = |s: TScalarStyle| match s {
            TScalarStyle::Plain => Style::Plain,
            TScalarStyle::SingleQuoted => Style::Single,
            TScalarStyle::DoubleQuoted => Style::Double,
            TScalarStyle::Literal => Style::Literal,
            TScalarStyle::Folded => Style::Folded,
        };
        let id = |a: usize| if a == 0 { Anchor::None } else { Anchor::Id(a) };
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, mark) = parser.next_token().map_err(|e| Failure {
                line: e.marker().line(),
                col: e.marker().col(),
                message: e.info().to_owned(),
            })?;
            let event = match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing => continue,
                Event::DocumentStart => E::DocStart,
                Event::DocumentEnd => E::DocEnd,
                Event::Alias(a) => E::Alias(Anchor::Id(a)),
                Event::Scalar(v, s, a, t) => E::Scalar(Cow::Owned(v), style(s), id(a), t.is_some()),
                Event::SequenceStart(a, t) => E::SeqStart(id(a), t.is_some()),
                Event::SequenceEnd => E::SeqEnd,
                Event::MappingStart(a, t) => E::MapStart(id(a), t.is_some()),
                Event::MappingEnd => E::MapEnd,
            };
            f(event, mark.line(), mark.col());
        }
        Ok(())
    }
}

/// Byte offsets to line (from 1) and column (from 0, in characters), as profile-export's loader
/// does it: line starts found once, columns counted on from the last position asked for.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines {
            text,
            starts,
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let (from, counted) = match self.last.get() {
            (last_line, last_offset, column) if last_line == line && last_offset <= offset => (last_offset, column),
            _ => (self.starts[line], 0),
        };
        let column = counted + self.text.get(from..offset).map_or(offset - from, |s| s.chars().count());
        self.last.set((line, offset, column));
        (line + 1, column)
    }
}

// ---------------------------------------------------------------------------------------------
// The two timed workloads.

/// Events only: every event is looked at (its scalar's length summed), nothing is kept.
fn events_pass<P: Yaml>(files: &[(PathBuf, String)]) -> usize {
    let mut sum = 0usize;
    for (_, text) in files {
        let _ = P::run(text, &mut |event, line, col| {
            sum = sum.wrapping_add(line ^ col);
            if let E::Scalar(value, ..) = &event {
                sum = sum.wrapping_add(value.len());
            }
            black_box(&event);
        });
    }
    sum
}

/// The minimal tree the loader needs: owned text, style and position of every node.
#[allow(dead_code)]
#[derive(Debug)]
enum Node {
    Scalar(String, Style, u32, u32),
    Seq(Vec<Node>, u32, u32),
    /// Keys and values in turn.
    Map(Vec<Node>, u32, u32),
    Alias(u32, u32),
}

fn tree<P: Yaml>(text: &str) -> Option<Node> {
    let mut stack: Vec<(bool, Vec<Node>, u32, u32)> = Vec::new();
    let mut root = None;
    let result = P::run(text, &mut |event, line, col| {
        let (line, col) = (line as u32, col as u32);
        let node = match event {
            E::SeqStart(..) | E::MapStart(..) => {
                stack.push((matches!(event, E::MapStart(..)), Vec::new(), line, col));
                return;
            }
            E::SeqEnd | E::MapEnd => match stack.pop() {
                Some((true, items, l, c)) => Node::Map(items, l, c),
                Some((false, items, l, c)) => Node::Seq(items, l, c),
                None => return,
            },
            E::Scalar(value, style, ..) => Node::Scalar(value.into_owned(), style, line, col),
            E::Alias(_) => Node::Alias(line, col),
            E::DocStart | E::DocEnd => return,
        };
        match stack.last_mut() {
            Some((_, items, ..)) => items.push(node),
            None => root = Some(node),
        }
    });
    result.ok().and(root)
}

fn tree_pass<P: Yaml>(files: &[(PathBuf, String)]) -> usize {
    let mut count = 0;
    for (_, text) in files {
        let node = tree::<P>(text);
        count += usize::from(node.is_some());
        drop(black_box(node));
    }
    count
}

// ---------------------------------------------------------------------------------------------
// Equivalence with saphyr-parser.

/// An event in a form every parser can be compared in: anchors numbered in the order they are
/// defined in the file, and aliases by the number of the anchor they name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ev {
    kind: &'static str,
    value: String,
    style: Option<Style>,
    anchor: usize,
    tagged: bool,
    line: usize,
    col: usize,
}

fn normalised<P: Yaml>(text: &str) -> (Vec<Ev>, Option<Failure>) {
    let mut events = Vec::new();
    let mut ids: HashMap<usize, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut defined = 0usize;
    let result = P::run(text, &mut |event, line, col| {
        let mut define = |anchor: Anchor<'_>| -> usize {
            match anchor {
                Anchor::None => 0,
                Anchor::Id(id) => {
                    defined += 1;
                    ids.insert(id, defined);
                    defined
                }
                Anchor::Name(name) => {
                    defined += 1;
                    names.insert(name.into_owned(), defined);
                    defined
                }
            }
        };
        let (kind, value, style, anchor, tagged) = match event {
            E::DocStart => ("doc-start", String::new(), None, 0, false),
            E::DocEnd => ("doc-end", String::new(), None, 0, false),
            E::SeqStart(a, t) => ("seq-start", String::new(), None, define(a), t),
            E::SeqEnd => ("seq-end", String::new(), None, 0, false),
            E::MapStart(a, t) => ("map-start", String::new(), None, define(a), t),
            E::MapEnd => ("map-end", String::new(), None, 0, false),
            E::Scalar(v, s, a, t) => ("scalar", v.into_owned(), Some(s), define(a), t),
            E::Alias(a) => {
                let target = match a {
                    Anchor::None => usize::MAX,
                    Anchor::Id(id) => ids.get(&id).copied().unwrap_or(usize::MAX),
                    Anchor::Name(name) => names.get(name.as_ref()).copied().unwrap_or(usize::MAX),
                };
                ("alias", String::new(), None, target, false)
            }
        };
        // Only where nodes start is compared: ends and document markers carry no position the
        // loader uses.
        let positioned = matches!(kind, "scalar" | "seq-start" | "map-start" | "alias");
        let (line, col) = if positioned { (line, col) } else { (0, 0) };
        events.push(Ev {
            kind,
            value,
            style,
            anchor,
            tagged,
            line,
            col,
        });
    });
    (events, result.err())
}

#[derive(Default)]
struct Verdict {
    files: usize,
    identical: usize,
    /// Files whose events differ other than by position.
    event_diffs: usize,
    /// Files whose events are the same but a scalar starts elsewhere.
    scalar_position_diffs: usize,
    /// Files whose events and scalar positions are the same but a collection starts elsewhere.
    collection_position_diffs: usize,
    /// Files that one parser refuses and the other accepts.
    accept_diffs: usize,
    /// Files both refuse, at different positions.
    error_position_diffs: usize,
    examples: Vec<String>,
}

fn compare<P: Yaml>(files: &[(PathBuf, String)]) -> Verdict {
    let mut verdict = Verdict::default();
    for (path, text) in files {
        verdict.files += 1;
        let (want, want_err) = normalised::<Saphyr>(text);
        let (got, got_err) = normalised::<P>(text);
        let example = |verdict: &mut Verdict, what: String| {
            if verdict.examples.len() < 12 {
                verdict.examples.push(format!("{}: {what}", path.display()));
            }
        };
        match (&want_err, &got_err) {
            (None, None) => {}
            (Some(w), Some(g)) => {
                if (w.line, w.col) != (g.line, g.col) {
                    verdict.error_position_diffs += 1;
                    example(
                        &mut verdict,
                        format!(
                            "error at {}:{} ({}) vs {}:{} ({})",
                            w.line, w.col, w.message, g.line, g.col, g.message
                        ),
                    );
                    continue;
                }
            }
            (Some(w), None) => {
                verdict.accept_diffs += 1;
                example(
                    &mut verdict,
                    format!(
                        "saphyr refuses ({}:{} {}), {} accepts",
                        w.line,
                        w.col,
                        w.message,
                        P::NAME
                    ),
                );
                continue;
            }
            (None, Some(g)) => {
                verdict.accept_diffs += 1;
                example(
                    &mut verdict,
                    format!("{} refuses ({}:{} {})", P::NAME, g.line, g.col, g.message),
                );
                continue;
            }
        }
        if want == got {
            verdict.identical += 1;
            continue;
        }
        let unpositioned = |e: &Ev| Ev {
            line: 0,
            col: 0,
            ..e.clone()
        };
        let first_diff = |only: &dyn Fn(&Ev) -> bool| {
            want.iter()
                .zip(&got)
                .position(|(w, g)| only(w) && w != g)
                .map(|i| format!("event {i}: {:?} vs {:?}", want[i], got[i]))
        };
        if want.len() != got.len() || want.iter().zip(&got).any(|(w, g)| unpositioned(w) != unpositioned(g)) {
            verdict.event_diffs += 1;
            let at = want
                .iter()
                .zip(&got)
                .position(|(w, g)| unpositioned(w) != unpositioned(g))
                .map_or_else(
                    || format!("{} events vs {}", want.len(), got.len()),
                    |i| format!("event {i}: {:?} vs {:?}", want[i], got[i]),
                );
            example(&mut verdict, at);
        } else if let Some(at) = first_diff(&|e: &Ev| e.kind == "scalar" || e.kind == "alias") {
            verdict.scalar_position_diffs += 1;
            example(&mut verdict, at);
        } else {
            verdict.collection_position_diffs += 1;
            example(&mut verdict, first_diff(&|_| true).unwrap_or_default());
        }
    }
    verdict
}

// ---------------------------------------------------------------------------------------------

fn yaml_files(folder: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        eprintln!("cannot read {}", folder.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            // The loader skips a byte order mark before parsing; so do we.
            let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
            out.push((path, text));
        }
    }
}

/// The YAML inputs of profile-export's `revision` fuzz corpus: the bytes after the first of each
/// file whose first (selector) byte picks YAML (`selector % 3 == 0`, as tests/it/fuzz_corpus.rs
/// does); inputs that are not UTF-8 are left out (no parser sees them).
fn fuzz_yaml(folder: &Path) -> Vec<(PathBuf, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let yaml = match bytes.split_first() {
            Some((selector, rest)) if selector % 3 == 0 => rest.to_vec(),
            _ => continue,
        };
        if let Ok(text) = String::from_utf8(yaml) {
            let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
            out.push((path, text));
        }
    }
    out
}

fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

struct Timing {
    name: &'static str,
    version: &'static str,
    events: Vec<f64>,
    tree: Vec<f64>,
}

fn time<P: Yaml>(files: &[(PathBuf, String)], timing: &mut Timing) {
    let start = Instant::now();
    black_box(events_pass::<P>(files));
    timing.events.push(start.elapsed().as_secs_f64());
    let start = Instant::now();
    black_box(tree_pass::<P>(files));
    timing.tree.push(start.elapsed().as_secs_f64());
}

fn report<P: Yaml>(label: &str, files: &[(PathBuf, String)]) {
    if P::NAME == Saphyr::NAME {
        return;
    }
    let v = compare::<P>(files);
    println!(
        "equivalence [{label}] {:<17} files {:>5}  identical {:>5}  event-diffs {}  scalar-position-diffs {}  collection-position-diffs {}  accept-diffs {}  error-position-diffs {}",
        P::NAME,
        v.files,
        v.identical,
        v.event_diffs,
        v.scalar_position_diffs,
        v.collection_position_diffs,
        v.accept_diffs,
        v.error_position_diffs
    );
    for example in &v.examples {
        println!("    {example}");
    }
}

fn main() {
    let mut passes = 5usize;
    let mut equivalence = true;
    let mut timed = Vec::new();
    let mut checked: Vec<(String, Vec<(PathBuf, String)>)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-check" => equivalence = false,
            "--passes" => passes = args.next().and_then(|n| n.parse().ok()).expect("--passes N"),
            "--only-check-fuzz" => {
                let folder = args.next().expect("--only-check-fuzz DIR");
                checked.push((folder.clone(), fuzz_yaml(Path::new(&folder))));
            }
            "--only-check" => {
                let folder = args.next().expect("--only-check DIR");
                let mut files = Vec::new();
                yaml_files(Path::new(&folder), &mut files);
                checked.push((folder, files));
            }
            folder => yaml_files(Path::new(folder), &mut timed),
        }
    }
    let bytes: usize = timed.iter().map(|(_, t)| t.len()).sum();
    println!("timed corpus: {} files, {:.2} MB", timed.len(), bytes as f64 / 1e6,);
    for (folder, files) in &checked {
        println!("checked only: {folder}: {} files", files.len());
    }

    macro_rules! each {
        ($m:ident $(, $a:expr)*) => {{
            $m::<Saphyr>($($a),*);
            $m::<Granit>($($a),*);
            $m::<Rlsp>($($a),*);
            $m::<LibyamlSafer>($($a),*);
            $m::<YamlRust2>($($a),*);
        }};
    }
    if equivalence {
        each!(report, "timed corpus", &timed);
        for (folder, files) in &checked {
            each!(report, folder, files);
        }
    }

    let mut timings: Vec<Timing> = Vec::new();
    macro_rules! slot {
        ($($p:ty),*) => {{ $( timings.push(Timing { name: <$p>::NAME, version: <$p>::VERSION, events: vec![], tree: vec![] }); )* }};
    }
    slot!(Saphyr, Granit, Rlsp, LibyamlSafer, YamlRust2, RlspOffsets);
    // One warm-up pass, then the parsers take turns pass by pass, so that noise from the other
    // processes on the machine spreads over all of them.
    each!(
        time,
        &timed,
        &mut Timing {
            name: "",
            version: "",
            events: vec![],
            tree: vec![]
        }
    );
    time::<RlspOffsets>(
        &timed,
        &mut Timing {
            name: "",
            version: "",
            events: vec![],
            tree: vec![],
        },
    );
    for _ in 0..passes {
        time::<Saphyr>(&timed, &mut timings[0]);
        time::<Granit>(&timed, &mut timings[1]);
        time::<Rlsp>(&timed, &mut timings[2]);
        time::<LibyamlSafer>(&timed, &mut timings[3]);
        time::<YamlRust2>(&timed, &mut timings[4]);
        time::<RlspOffsets>(&timed, &mut timings[5]);
    }
    let base = median(timings[0].tree.clone());
    println!(
        "\n| parser | version | MB/s events (median) | MB/s minimal tree (median) | tree vs saphyr (median) | tree vs saphyr (best pass) | passes (tree, s) |"
    );
    println!("|---|---|---:|---:|---:|---:|---|");
    let best = |t: &[f64]| t.iter().copied().fold(f64::INFINITY, f64::min);
    let base_best = best(&timings[0].tree);
    for t in &timings {
        let (e, tr) = (median(t.events.clone()), median(t.tree.clone()));
        println!(
            "| {} | {} | {:.1} | {:.1} | {:+.0}% | {:+.0}% | {} |",
            t.name,
            t.version,
            bytes as f64 / 1e6 / e,
            bytes as f64 / 1e6 / tr,
            (base / tr - 1.0) * 100.0,
            (base_best / best(&t.tree) - 1.0) * 100.0,
            t.tree.iter().map(|s| format!("{s:.3}")).collect::<Vec<_>>().join(" ")
        );
    }
}
