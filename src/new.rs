//! `profile-export new`: start the next revision of a profile. For a profile with revisions, a copy
//! of its latest one with only `updated` changed (the curator's text and comments kept, in the same
//! format), so that `diff` shows no claim changes until the curator edits; for a new profile, a
//! skeleton with every section and short comments. The file starts with the line that tells an
//! editor where the schema is, and an existing file is never overwritten.

use crate::input::{CreateError, Input, Refusal};
use crate::load::{self, Format, Limits};
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
        Some(date) => match date.parse::<jiff::civil::Date>() {
            Ok(parsed) if parsed.to_string() == date => date.to_owned(),
            _ => return refuse(format!("`{date}` is not a day of the calendar written YYYY-MM-DD")),
        },
        None => {
            let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
            crate::date::date_from_days(days as i32).to_string()
        }
    };
    if !input.is_dir() {
        return refuse(format!("the input folder {} does not exist", input.display()));
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
                return refuse(format!("{} already exists; it is left as it is", latest_path.display()));
            }
            if latest_date.as_str() > updated.as_str() {
                return refuse(format!(
                    "the latest revision of `{profile}` is {} ({latest_date}); a new revision must be \
                     dated after it (use --updated)",
                    latest_path.display()
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
        Err(CreateError::Exists) => refuse(format!("{} already exists; it is left as it is", path.display())),
        Err(CreateError::Refused(refusal)) => Err(refused_at(&folder, refusal)),
        Err(CreateError::Write(e)) => refuse(format!("cannot write {}: {e}", path.display())),
    }
}

/// Why nothing could be read or written at `place` (the profile's folder), in words.
fn refused_at(place: &Path, refusal: Refusal) -> Refused {
    Refused(match refusal {
        Refusal::Outside { link, to } => format!(
            "{} leads out of the input folder through a symbolic link (to {}); nothing was written",
            link.display(),
            to.display()
        ),
        other => format!("{} {other}; nothing was written", place.display()),
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

/// The latest revision's text with `updated` set to the new date and the schema line first.
fn copy(input: &Input, latest: &Path, format: Format, updated: &str) -> Result<String, Refused> {
    // Read only what `check` would read, the one way in: a link must stay inside the input folder.
    let document = load::load_file(input, latest, &Limits::default()).map_err(|problem| {
        Refused(format!(
            "{} cannot be copied: {}:{}:{}: error[{}]: {}",
            latest.display(),
            problem.path.display(),
            problem.position.line,
            problem.position.column,
            problem.code.as_str(),
            problem.message
        ))
    })?;
    let not_found = || {
        Refused(format!(
            "{} has no top-level `updated` line to change; copy it by hand",
            latest.display()
        ))
    };
    match format {
        Format::Yaml => {
            let text = replace_updated(document.text(), updated, format).ok_or_else(not_found)?;
            Ok(with_first_line(&text, &yaml_schema_line(), "# yaml-language-server:"))
        }
        Format::Toml => {
            let text = replace_updated(document.text(), updated, format).ok_or_else(not_found)?;
            Ok(with_first_line(&text, &toml_schema_line(), "#:schema"))
        }
        Format::Json => {
            let serde_json::Value::Object(members) = &document.value else {
                return Err(not_found());
            };
            if !members.contains_key("updated") {
                return Err(not_found());
            }
            let mut copy = serde_json::Map::new();
            copy.insert("$schema".into(), SCHEMA_PATH.into());
            for (key, value) in members {
                match key.as_str() {
                    "$schema" => {}
                    "updated" => {
                        copy.insert(key.clone(), updated.into());
                    }
                    _ => {
                        copy.insert(key.clone(), value.clone());
                    }
                }
            }
            let text =
                serde_json::to_string_pretty(&serde_json::Value::Object(copy)).map_err(|e| Refused(e.to_string()))?;
            Ok(text + "\n")
        }
    }
}

/// `text` with its top-level `updated` line (YAML `updated: …`, TOML `updated = …` before any table)
/// set to the date, a comment after it kept; `None` if there is no such line.
fn replace_updated(text: &str, date: &str, format: Format) -> Option<String> {
    let separator = if format == Format::Toml { '=' } else { ':' };
    let mut out = String::with_capacity(text.len() + 16);
    let (mut replaced, mut in_table) = (false, false);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        in_table |= format == Format::Toml && body.trim_start().starts_with('[');
        let is_updated = !replaced
            && !in_table
            && body
                .strip_prefix("updated")
                .is_some_and(|rest| rest.trim_start().starts_with(separator));
        if is_updated {
            let comment = body
                .find(" #")
                .map(|at| &body[body[..at].trim_end().len()..])
                .unwrap_or_default();
            let separator = if format == Format::Toml { " = " } else { ": " };
            out.push_str(&format!("updated{separator}{date}{comment}{ending}"));
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    replaced.then_some(out)
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

    #[test]
    fn the_updated_line_is_replaced_and_its_comment_kept() {
        let text = "profile: acme\nupdated: '2020-01-01'  # last seen\nname: Acme\n  updated: nested\n";
        assert_eq!(
            replace_updated(text, "2021-05-06", Format::Yaml).as_deref(),
            Some("profile: acme\nupdated: 2021-05-06  # last seen\nname: Acme\n  updated: nested\n")
        );
        assert_eq!(replace_updated("profile: acme\n", "2021-05-06", Format::Yaml), None);
    }

    #[test]
    fn only_a_top_level_toml_key_is_replaced() {
        let text = "profile = \"acme\"\r\nupdated = 2020-01-01\r\n[[sources]]\r\nupdated = 1\r\n";
        assert_eq!(
            replace_updated(text, "2021-05-06", Format::Toml).as_deref(),
            Some("profile = \"acme\"\r\nupdated = 2021-05-06\r\n[[sources]]\r\nupdated = 1\r\n")
        );
        assert_eq!(
            replace_updated("[a]\nupdated = 2020-01-01\n", "2021-05-06", Format::Toml),
            None
        );
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
