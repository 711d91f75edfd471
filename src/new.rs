//! `profile-export new`: start the next revision of a profile. For a profile with revisions, a copy
//! of its latest one with only the value of its top-level `updated` changed, where the parser says
//! it is written (the curator's text, comments and layout kept, in the same format; a JSON copy
//! names its schema in `$schema`), and parsed again to prove it, so that `diff` shows no claim
//! changes until the curator edits; for a new profile, a skeleton with every section and short
//! comments. The file starts with the line that tells an editor where the schema is, it is written
//! only inside the input folder, and an existing file is never overwritten.

use crate::input::{CreateError, Input, Refusal};
use crate::load::{self, Format, Limits};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where the revision schema is, from `<input>/profiles/<profile>/`: the `schema/` folder beside the
/// input folder, as `profile-export schema` writes it from the repository root.
pub const SCHEMA_PATH: &str = "../../../schema/revision.schema.json";

/// The first line of a new YAML revision: yaml-language-server (the VS Code YAML extension and any
/// other client) reads it for completion, hover and inline errors.
pub fn yaml_schema_line() -> String {
    format!("# yaml-language-server: $schema={SCHEMA_PATH}")
}

/// The first line of a new TOML revision, read by Taplo (Even Better TOML).
pub fn toml_schema_line() -> String {
    format!("#:schema {SCHEMA_PATH}")
}

/// Why no revision was started: a message for stderr (exit code 2).
#[derive(Debug)]
pub struct Refused(pub String);

/// What `new` did.
#[derive(Debug)]
pub struct Started {
    /// The file written.
    pub path: PathBuf,
    /// The revision it copies, if the profile had one.
    pub from: Option<PathBuf>,
}

/// Starts the revision `updated` (`YYYY-MM-DD`; default: today in UTC) of `profile` in `input`.
pub fn start(input: &Path, profile: &str, updated: Option<&str>) -> Result<Started, Refused> {
    let refuse = |message: String| Err(Refused(message));
    if !is_slug(profile) {
        return refuse(format!(
            "`{profile}` is not a profile id: lowercase letters and digits, words joined by `-`, e.g. `acme-corp`"
        ));
    }
    let updated = match updated {
        // The project's own reading of a date, which refuses the year 0000, and a day written
        // in full: `YYYY-MM-DD` with a year from 0001 (no sign, no more digits).
        Some(date) => match crate::date::DateSpan::parse(date) {
            Ok(span) if span.from == span.to && span.from.to_string() == date => date.to_owned(),
            Err(crate::date::DateError::YearZero) => {
                return refuse(format!("`{date}` {}", crate::date::DateError::YearZero));
            }
            _ => return refuse(format!("`{date}` is not a day of the calendar written YYYY-MM-DD")),
        },
        None => {
            let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
            crate::date::date_from_days(days as i32).to_string()
        }
    };
    if !input.is_dir() {
        return refuse(format!(
            "the input folder {} does not exist",
            crate::escape::path(input)
        ));
    }
    // One way in: every look, read and write below is resolved beneath this descriptor.
    let input = Input::open(input).map_err(Refused)?;
    let folder = input.path().join("profiles").join(profile);
    let names = input
        .names_in(&folder)
        .map_err(|refusal| refused_at(&folder, refusal))?;
    let latest = latest_revision(&folder, names.unwrap_or_default());
    let (path, text, from) = match latest {
        Some((latest_date, latest_path)) => {
            if latest_date == updated {
                return refuse(format!(
                    "{} already exists; it is left as it is",
                    crate::escape::path(&latest_path)
                ));
            }
            if latest_date.as_str() > updated.as_str() {
                return refuse(format!(
                    "the latest revision of `{profile}` is {} ({latest_date}); a new revision must be \
                     dated after it (use --updated)",
                    crate::escape::path(&latest_path)
                ));
            }
            let format = Format::of(&latest_path).unwrap_or(Format::Yaml);
            let text = copy(&input, &latest_path, format, &updated)?;
            let extension = latest_path.extension().and_then(|e| e.to_str()).unwrap_or("yaml");
            (folder.join(format!("{updated}.{extension}")), text, Some(latest_path))
        }
        None => (
            folder.join(format!("{updated}.yaml")),
            skeleton(profile, &updated),
            None,
        ),
    };
    // `O_CREAT | O_EXCL` beneath the folder's descriptor: even a file created by someone else a
    // moment ago is never overwritten, and nothing is written through a link out of the input.
    match input.create_file(&path, text.as_bytes()) {
        Ok(()) => Ok(Started { path, from }),
        Err(CreateError::Exists) => refuse(format!(
            "{} already exists; it is left as it is",
            crate::escape::path(&path)
        )),
        Err(CreateError::Refused(refusal @ Refusal::Outside { .. })) => Err(refused_at(&folder, refusal)),
        Err(CreateError::Refused(Refusal::Io(e))) => {
            refuse(format!("cannot create {}: {e}", crate::escape::path(&path)))
        }
        Err(CreateError::Refused(Refusal::TooManyLinks)) => refuse(format!(
            "cannot create {}: its folder is reached through more than {} symbolic links",
            crate::escape::path(&path),
            crate::input::MAX_LINKS
        )),
        Err(CreateError::Write(e)) => refuse(format!("cannot write {}: {e}", crate::escape::path(&path))),
    }
}

/// Why nothing could be read or written at `place` (the profile's folder), in words.
fn refused_at(place: &Path, refusal: Refusal) -> Refused {
    Refused(match refusal {
        Refusal::Outside { link, to, .. } => format!(
            "{} leads out of the input folder through a symbolic link (to {}); nothing was written",
            crate::escape::path(&link),
            crate::escape::path(&to)
        ),
        other => format!("{} {other}; nothing was written", crate::escape::path(place)),
    })
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The newest revision file among the `names` of a profile folder (by the date its name gives),
/// if there is one.
fn latest_revision(folder: &Path, names: Vec<std::ffi::OsString>) -> Option<(String, PathBuf)> {
    let mut latest: Option<(String, PathBuf)> = None;
    for name in names {
        let path = folder.join(name);
        let (Some(stem), Some(_)) = (path.file_stem().and_then(|s| s.to_str()), Format::of(&path)) else {
            continue;
        };
        if stem.starts_with('.') || stem.parse::<jiff::civil::Date>().is_err() {
            continue;
        }
        if latest.as_ref().is_none_or(|(date, _)| stem > date.as_str()) {
            latest = Some((stem.to_owned(), path));
        }
    }
    latest
}

/// The latest revision's text with only its top-level `updated` value changed to the new date (and,
/// in JSON, its `$schema` member), and the schema line first: edited where the parser says the value
/// is written, then parsed again to make sure that nothing but the date changed.
fn copy(input: &Input, latest: &Path, format: Format, updated: &str) -> Result<String, Refused> {
    // Read only what `check` would read, the one way in: a link must stay inside the input folder.
    let limits = Limits::default();
    let document = load::load_file(input, latest, &limits).map_err(|problem| {
        Refused(format!(
            "{} cannot be copied: {}:{}:{}: error[{}]: {}",
            crate::escape::path(latest),
            crate::escape::path(&problem.path),
            problem.position.line,
            problem.position.column,
            problem.code.as_str(),
            problem.message
        ))
    })?;
    let cannot = |why: String| {
        Refused(format!(
            "{} cannot be copied: {why}; copy it by hand",
            crate::escape::path(latest)
        ))
    };
    let text = document.text();
    let text = match format {
        Format::Yaml => with_first_line(
            &edit(text, vec![(yaml_updated(text).map_err(cannot)?, updated.to_owned())]),
            &yaml_schema_line(),
            "# yaml-language-server:",
        ),
        Format::Toml => with_first_line(
            &edit(text, vec![(toml_updated(text).map_err(cannot)?, updated.to_owned())]),
            &toml_schema_line(),
            "#:schema",
        ),
        Format::Json => edit(text, json_edits(text, updated).map_err(cannot)?),
    };
    // What is written must read as the revision it copies with the new date: a value that the
    // edit touched through an alias, or text that now reads otherwise, is refused.
    let mut expected = document.value.clone();
    if let serde_json::Value::Object(members) = &mut expected {
        members.insert("updated".into(), updated.into());
        if format == Format::Json {
            members.insert("$schema".into(), SCHEMA_PATH.into());
        }
    }
    match load::parse(latest, text.as_bytes(), format, &limits) {
        Ok(copied) if copied.value == expected => Ok(text),
        _ => Err(cannot(
            "a new date in its `updated` would change more than the date (is it used through an alias?)".into(),
        )),
    }
}

/// What the top-level `updated` is when it is not there to edit.
const NO_UPDATED: &str = "it has no top-level `updated` to change";

/// `text` with each range replaced by its text (ranges apart from each other).
fn edit(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut text = text.to_owned();
    for (range, replacement) in edits {
        text.replace_range(range, &replacement);
    }
    text
}

/// Where the value of the top-level `updated` of a YAML document is written, without its anchor:
/// found through the parser's events, so that a line `updated:` inside a text, a flow mapping on one
/// line or a nested mapping is never mistaken for it. A value that is not one scalar on one line (an
/// alias, a block scalar, a mapping) is refused.
fn yaml_updated(text: &str) -> Result<Range<usize>, String> {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    let mut events = Parser::new_from_str(text);
    loop {
        match next_event(&mut events)?.0 {
            Event::StreamStart | Event::DocumentStart(_) => {}
            Event::MappingStart(..) => break,
            _ => return Err(NO_UPDATED.to_owned()),
        }
    }
    loop {
        let (key, _) = next_event(&mut events)?;
        match key {
            Event::MappingEnd => return Err(NO_UPDATED.to_owned()),
            Event::Scalar(name, ..) if name == "updated" => break,
            key => {
                skip_node(&key, &mut events)?;
                let (value, _) = next_event(&mut events)?;
                skip_node(&value, &mut events)?;
            }
        }
    }
    let (value, span) = next_event(&mut events)?;
    let not_plain = |what: &str| Err(format!("its top-level `updated` is {what}, not a date on one line"));
    match value {
        Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..) => not_plain("a block scalar"),
        Event::Scalar(..) if span.start.line() != span.end.line() => not_plain("written over more than one line"),
        Event::Scalar(_, style, anchor, _) => {
            // The span starts at the anchor, and a quoted scalar's runs on over the spaces and the
            // comment after it: the value's own text is what lies between.
            let end = byte_offset(text, span.end.index());
            let written = &text[byte_offset(text, span.start.index())..end];
            let own = match anchor {
                0 => written,
                _ => written
                    .split_once(char::is_whitespace)
                    .map_or("", |(_, value)| value.trim_start()),
            };
            let length = match style {
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => quoted_length(own),
                _ => Some(own.trim_end().len()),
            };
            match length {
                Some(length) if length > 0 && !own[..length].contains(['\n', '\r']) => {
                    // `own` ends where `written` does.
                    let start = end - own.len();
                    Ok(start..start + length)
                }
                _ => not_plain("not a single value"),
            }
        }
        Event::Alias(_) => not_plain("an alias"),
        _ => not_plain("a mapping or a list"),
    }
}

/// The length of the quoted scalar that `written` starts with, closing quote included.
fn quoted_length(written: &str) -> Option<usize> {
    let mut chars = written.char_indices().peekable();
    let (_, quote) = chars.next()?;
    while let Some((at, c)) = chars.next() {
        match c {
            // In double quotes a backslash escapes the character after it; in single quotes a
            // quote is escaped by another.
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().is_some_and(|(_, next)| *next == '\'') => {
                chars.next();
            }
            c if c == quote => return Some(at + c.len_utf8()),
            _ => {}
        }
    }
    None
}

/// The next YAML event and where it is written; the end of the events is the end of the search.
fn next_event<'i>(
    events: &mut saphyr_parser::Parser<'i, saphyr_parser::StrInput<'i>>,
) -> Result<(saphyr_parser::Event<'i>, saphyr_parser::Span), String> {
    match events.next() {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(format!("it is not valid YAML: {}", e.info())),
        None => Err(NO_UPDATED.to_owned()),
    }
}

/// Skips the rest of a YAML node that started with `event` (nothing more for a scalar or an alias).
fn skip_node<'i>(
    event: &saphyr_parser::Event<'i>,
    events: &mut saphyr_parser::Parser<'i, saphyr_parser::StrInput<'i>>,
) -> Result<(), String> {
    use saphyr_parser::Event;
    let mut depth = usize::from(matches!(event, Event::MappingStart(..) | Event::SequenceStart(..)));
    while depth > 0 {
        match next_event(events)?.0 {
            Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
            Event::MappingEnd | Event::SequenceEnd => depth -= 1,
            _ => {}
        }
    }
    Ok(())
}

/// The byte offset of the character at `index` in `text` (the YAML parser counts characters).
fn byte_offset(text: &str, index: usize) -> usize {
    text.char_indices().nth(index).map_or(text.len(), |(offset, _)| offset)
}

/// Where the value of the top-level `updated` of a TOML document is written: the root table's key,
/// never a line `updated = ...` inside a multi-line string or a table. A value that is not a string
/// or a date on one line is refused.
fn toml_updated(text: &str) -> Result<Range<usize>, String> {
    use toml::de::{DeTable, DeValue};
    let table = DeTable::parse(text).map_err(|e| format!("it is not valid TOML: {}", e.message().trim()))?;
    let value = table
        .get_ref()
        .iter()
        .find(|(key, _)| key.get_ref() == "updated")
        .map(|(_, value)| value)
        .ok_or_else(|| NO_UPDATED.to_owned())?;
    let span = value.span();
    match value.get_ref() {
        DeValue::String(_) | DeValue::Datetime(_) if !text[span.clone()].contains('\n') => Ok(span),
        DeValue::String(_) => {
            Err("its top-level `updated` is written over more than one line, not a date on one line".into())
        }
        _ => Err("its top-level `updated` is not a date".into()),
    }
}

/// The edits of a JSON revision: the value of its top-level `updated` set to the date, and its
/// `$schema` member set to the schema's path (added first when it has none), everything else kept
/// as written (numbers such as `1e3` or 29 digits, and the layout).
fn json_edits(text: &str, date: &str) -> Result<Vec<(Range<usize>, String)>, String> {
    use jsonc_parser::ast::Value as Ast;
    use jsonc_parser::common::Ranged;
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .map_err(|e| format!("it is not valid JSON: {}", e.kind()))?;
    let Some(Ast::Object(root)) = parsed.value else {
        return Err(NO_UPDATED.to_owned());
    };
    let member = |name: &str| root.properties.iter().find(|p| p.name.as_str() == name);
    let updated = member("updated").ok_or_else(|| NO_UPDATED.to_owned())?;
    let Ast::StringLit(_) = updated.value else {
        return Err("its top-level `updated` is not a text".into());
    };
    let quoted = |text: &str| serde_json::Value::from(text).to_string();
    let mut edits = vec![(updated.value.range().start..updated.value.range().end, quoted(date))];
    match member("$schema") {
        Some(schema) => edits.push((
            schema.value.range().start..schema.value.range().end,
            quoted(SCHEMA_PATH),
        )),
        None => {
            // Before the first member, with the same space before it as before that member.
            let first = root
                .properties
                .first()
                .ok_or_else(|| NO_UPDATED.to_owned())?
                .range
                .start;
            let space = &text[root.range.start + 1..first];
            edits.push((first..first, format!("\"$schema\": {},{space}", quoted(SCHEMA_PATH))));
        }
    }
    Ok(edits)
}

/// `text` with `line` first, replacing an older line of the same kind (`prefix`) that was first.
fn with_first_line(text: &str, line: &str, prefix: &str) -> String {
    let rest = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with(prefix) => rest,
        None if text.starts_with(prefix) => "",
        _ => text,
    };
    format!("{line}\n{rest}")
}

/// The skeleton of a new profile: every section, each with a short comment, and placeholders that
/// pass `check` so that the curator can check as they fill it in.
fn skeleton(profile: &str, updated: &str) -> String {
    let name: Vec<String> = profile
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let name = name.join(" ");
    format!(
        "{schema}
# A new profile. Replace the name and the first source, fill in the sections (each line in a
# comment shows the shape of one entry), then run `profile-export check`.
profile: {profile}
updated: {updated}          # the day this revision was last updated
name: {name}
# aliases: [Other Name]
# summary: What the company does, in a sentence or two.
# headquarters: {{city: Springfield, region: Illinois, country: US}}   # country: ISO 3166-1 alpha-2
# stock_symbols: [\"NASDAQ:ACME\"]
# categories: [immigration, policing]                                # snake_case words
sources:                          # every claim below cites one or more of these ids
  - id: profile
    title: {name} profile
    # url: https://example.org/profile
    # published: {updated}
organizations: []                 # companies, agencies, police departments, contractors
# - {{id: agency, name: Agency, abbreviation: AG, kind: government_agency, parent: department, country: US}}
systems: []                       # databases, software, devices, platforms
# - {{id: db, name: Database, kind: biometric_database, operator: agency, developer: {profile}, sources: [profile]}}
contracts: []
# - {{buyer: agency, supplier: {profile}, description: cloud services,
#    amount: {{value: 9.1 million, currency: USD, qualifier: at_least}}, start: 2019-03, end: 2020, sources: [profile]}}
figures: []
# - {{subject: {profile}, metric: revenue, value: 280.5 billion, currency: USD, period: 2019, sources: [profile]}}
events: []
# - {{date: 2020-06, subject: {profile}, kind: announcement, description: What happened, sources: [profile]}}
relations: []
# - {{subject: {profile}, predicate: hosts, object: db, start: 2020, sources: [profile]}}
",
        schema = yaml_schema_line()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with the top-level `updated` of a YAML document set to 2021-05-06.
    fn yaml(text: &str) -> Result<String, String> {
        Ok(edit(text, vec![(yaml_updated(text)?, "2021-05-06".into())]))
    }

    #[test]
    fn the_yaml_updated_is_found_by_the_parser_and_only_its_value_changes() {
        let text = "profile: acme\nupdated: '2020-01-01'  # last seen\nname: Acme\n  # updated: 1\n";
        assert_eq!(
            yaml(text).as_deref(),
            Ok("profile: acme\nupdated: 2021-05-06  # last seen\nname: Acme\n  # updated: 1\n")
        );
        // On one line, in a flow mapping.
        assert_eq!(
            yaml("{profile: acme, updated: \"2020-01-01\", name: Acme}\n").as_deref(),
            Ok("{profile: acme, updated: 2021-05-06, name: Acme}\n")
        );
        // After nested keys of the same name, text of many bytes a character, and CRLF lines.
        let text =
            "name: Café — Ünïcødé\r\nsources:\r\n  - {id: a, updated: x}\r\n  - updated: y\r\nupdated: 2020-01-01\r\n";
        assert_eq!(yaml(text), Ok(text.replace("2020-01-01", "2021-05-06")));
        // An anchor stays; the value after it changes.
        assert_eq!(
            yaml("updated: &day 2020-01-01 # c\n").as_deref(),
            Ok("updated: &day 2021-05-06 # c\n")
        );
    }

    #[test]
    fn a_yaml_updated_that_is_not_a_date_on_one_line_is_refused() {
        for (text, why) in [
            ("day: &d 2020-01-01\nupdated: *d\n", "an alias"),
            ("updated: |\n  2020-01-01\n", "a block scalar"),
            ("updated: >-\n  2020-01-01\n", "a block scalar"),
            ("updated: '2020-01-01\n  '\n", "over more than one line"),
            ("updated: {day: 2020-01-01}\n", "a mapping or a list"),
            (
                "profile: acme\nsources:\n  - updated: 2020-01-01\n",
                "no top-level `updated`",
            ),
            ("- updated: 2020-01-01\n", "no top-level `updated`"),
        ] {
            let refused = yaml(text).expect_err(text);
            assert!(refused.contains(why), "{text:?}: {refused}");
        }
    }

    #[test]
    fn the_toml_updated_is_the_root_tables_key() {
        let text = "summary = \"\"\"\nupdated = 1999-01-01\n\"\"\"\nupdated = \"2020-01-01\" # the day\n[[sources]]\nupdated = 1\n";
        let span = toml_updated(text).expect("found");
        assert_eq!(
            edit(text, vec![(span, "2021-05-06".into())]),
            text.replace("\"2020-01-01\"", "2021-05-06")
        );
        let text = "profile = \"ü\"\r\nupdated = 2020-01-01\r\n";
        let span = toml_updated(text).expect("found");
        assert_eq!(&text[span], "2020-01-01");
        assert!(toml_updated("[a]\nupdated = 2020-01-01\n").is_err());
        assert!(toml_updated("updated = \"\"\"\n2020-01-01\"\"\"\n").is_err());
        assert!(toml_updated("updated.day = 2020-01-01\n").is_err());
    }

    #[test]
    fn json_is_edited_as_written() {
        let text = "{\n\t\"profile\": \"acme\",  \"updated\":\"2020-01-01\",\n\t\"n\": [1e3, 12345678901234567890123456789]\n}\n";
        let edits = json_edits(text, "2021-05-06").expect("found");
        assert_eq!(
            edit(text, edits),
            "{\n\t\"$schema\": \"../../../schema/revision.schema.json\",\n\t\"profile\": \"acme\",  \"updated\":\"2021-05-06\",\n\t\"n\": [1e3, 12345678901234567890123456789]\n}\n"
        );
        let text = "{\"updated\": \"2020-01-01\", \"$schema\": \"old\"}";
        let edits = json_edits(text, "2021-05-06").expect("found");
        assert_eq!(
            edit(text, edits),
            "{\"updated\": \"2021-05-06\", \"$schema\": \"../../../schema/revision.schema.json\"}"
        );
        assert!(json_edits("{\"updated\": 2020}", "2021-05-06").is_err());
        assert!(json_edits("{\"a\": {\"updated\": \"2020-01-01\"}}", "2021-05-06").is_err());
    }

    #[test]
    fn the_schema_line_comes_first_once() {
        let line = yaml_schema_line();
        assert_eq!(
            with_first_line("a: 1\n", &line, "# yaml-language-server:"),
            format!("{line}\na: 1\n")
        );
        let again = "# yaml-language-server: $schema=old\na: 1\n";
        assert_eq!(
            with_first_line(again, &line, "# yaml-language-server:"),
            format!("{line}\na: 1\n")
        );
    }

    #[test]
    fn slugs() {
        assert!(is_slug("acme") && is_slug("acme-2") && !is_slug("Acme") && !is_slug("a--b") && !is_slug("-a"));
    }
}
