//! `profile-export diff`: the changelog between two revisions of a profile, for people (grouped by
//! kind, coloured on a terminal) or for machines (`--format json`). Every curated text in it is shown
//! through `escape`, as `check` shows it: a value with a line end stays on its line, and no curated
//! byte can drive the terminal or start a workflow command.

use crate::changes::{self, Change, ChangeType, Subject};
use crate::check::CheckedRevision;
use crate::escape;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write;

/// How the changelog is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A readable changelog.
    Text,
    /// One JSON object: profile, from, to and the list of changes.
    Json,
}

/// The two revisions to compare, or why they cannot be found.
pub fn revisions<'a>(
    revisions: &'a [CheckedRevision],
    profile: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(&'a CheckedRevision, &'a CheckedRevision), String> {
    let revisions: Vec<&CheckedRevision> = revisions.iter().filter(|r| r.revision.profile == profile).collect();
    if revisions.is_empty() {
        return Err(format!("there is no profile `{profile}` in the input"));
    }
    let dates: Vec<&str> = revisions.iter().map(|r| r.revision.updated.as_str()).collect();
    let find = |date: &str| {
        revisions
            .iter()
            .find(|r| r.revision.updated == *date)
            .copied()
            .ok_or_else(|| {
                format!(
                    "`{profile}` has no revision {date}; its revisions: {}",
                    dates.join(", ")
                )
            })
    };
    match (from, to) {
        (Some(from), Some(to)) => Ok((find(from)?, find(to)?)),
        (Some(from), None) => Ok((find(from)?, revisions[revisions.len() - 1])),
        _ if revisions.len() < 2 => Err(format!(
            "`{profile}` has only one revision ({}): there is nothing to compare",
            dates[0]
        )),
        _ => Ok((revisions[revisions.len() - 2], revisions[revisions.len() - 1])),
    }
}

/// One change as written in JSON, its texts escaped.
#[derive(Serialize)]
struct JsonChange<'a> {
    kind: Subject,
    key: Cow<'a, str>,
    change: ChangeType,
    field: Option<Cow<'a, str>>,
    old: Option<Cow<'a, str>>,
    new: Option<Cow<'a, str>>,
    label: Cow<'a, str>,
}

/// The changelog as one JSON object.
pub fn json(old: &CheckedRevision, new: &CheckedRevision) -> String {
    let changes = changes::between(old, new);
    let list: Vec<JsonChange> = changes
        .iter()
        .map(|c| JsonChange {
            kind: c.subject,
            key: escape::text(&c.key),
            change: c.change,
            field: c.field.as_deref().map(escape::text),
            old: c.old.as_deref().map(escape::text),
            new: c.new.as_deref().map(escape::text),
            label: escape::text(&c.label),
        })
        .collect();
    let document = serde_json::json!({
        "profile": escape::text(&new.revision.profile),
        "from": escape::text(old.revision.updated.as_str()),
        "to": escape::text(new.revision.updated.as_str()),
        "changes": list,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// ANSI styles, or none when the output is not a terminal.
struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn mark(&self, change: ChangeType) -> String {
        let code = match change {
            ChangeType::Added => "32",
            ChangeType::Removed => "31",
            ChangeType::Changed => "33",
        };
        self.paint(code, &change.mark().to_string())
    }
}

/// The readable changelog: grouped by kind; an added or removed thing on one line, a changed thing
/// with its changed fields below it.
pub fn text(old: &CheckedRevision, new: &CheckedRevision, colour: bool) -> String {
    let style = Style { colour };
    let changes = changes::between(old, new);
    let mut out = String::new();
    let profile = &new.revision.profile;
    let _ = writeln!(
        out,
        "{}",
        style.paint(
            "1",
            &format!(
                "{}: {} → {}",
                escape::text(profile),
                escape::text(old.revision.updated.as_str()),
                escape::text(new.revision.updated.as_str())
            )
        )
    );
    let mut index = 0;
    while index < changes.len() {
        let subject = changes[index].subject;
        let group: Vec<&Change> = changes[index..].iter().take_while(|c| c.subject == subject).collect();
        index += group.len();
        let _ = writeln!(out, "\n{}", style.paint("1", subject.heading()));
        let mut at = 0;
        while at < group.len() {
            let change = group[at];
            // A derived claim key is a hash: its description says more. An id says something of its own.
            let (key, label) = (escape::text(&change.key), escape::text(&change.label));
            let thing = if label.is_empty() {
                key
            } else if change.subject.is_claim() && key.contains(':') {
                label
            } else {
                Cow::Owned(format!("{key}: {label}"))
            };
            match change.change {
                ChangeType::Added | ChangeType::Removed => {
                    let _ = writeln!(out, "  {} {thing}", style.mark(change.change));
                    at += 1;
                }
                ChangeType::Changed => {
                    let _ = writeln!(out, "  {} {thing}", style.mark(change.change));
                    while at < group.len() && group[at].key == change.key && group[at].change == ChangeType::Changed {
                        let field = group[at];
                        let name = escape::text(field.field.as_deref().unwrap_or_default());
                        let _ = writeln!(
                            out,
                            "      {name}: {} → {}",
                            style.paint("31", &shown(field.old.as_deref())),
                            style.paint("32", &shown(field.new.as_deref()))
                        );
                        at += 1;
                    }
                }
            }
        }
    }
    let count = |kind: ChangeType| changes.iter().filter(|c| c.change == kind).count();
    let changed_things = {
        let mut keys: Vec<(Subject, &str)> = changes
            .iter()
            .filter(|c| c.change == ChangeType::Changed)
            .map(|c| (c.subject, c.key.as_str()))
            .collect();
        keys.dedup();
        keys.len()
    };
    let _ = writeln!(
        out,
        "\n{} added, {} removed, {changed_things} changed ({} fields)",
        count(ChangeType::Added),
        count(ChangeType::Removed),
        count(ChangeType::Changed)
    );
    out
}

/// A value as shown in the changelog: escaped, or `(none)`.
fn shown(value: Option<&str>) -> Cow<'_, str> {
    match value {
        None | Some("") => Cow::Borrowed("(none)"),
        Some(text) => escape::text(text),
    }
}
