//! Quotes proven against the archive (`--archive DIR`): every source's `sha256` names a file of the
//! archive, and every claim's `quote` is in the archived text of at least one source it cites that
//! has a `sha256`. Without `--archive` nothing here runs: `sha256` is checked for form only.

use crate::archive::{Archive, ArchivedFile};
use crate::claim::ClaimKind;
use crate::diagnostic::{Code, Diagnostic};
use crate::load::Document;
use crate::model::{ClaimFields, Revision};
use crate::quote::NotFound;
use std::collections::HashMap;

/// The problems of `revision` (loaded from `document`) against `archive`.
pub fn check(document: &Document, revision: &Revision, archive: &Archive) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    // Each source id with its archived file, if it names one the archive has.
    let mut archived: HashMap<&str, &ArchivedFile> = HashMap::new();
    for (index, source) in revision.sources.iter().enumerate() {
        let Some(sha256) = &source.sha256 else { continue };
        let pointer = format!("/sources/{index}/sha256");
        match archive.get(sha256.0.as_str()) {
            None => problems.push(document.error(
                Code::NotArchived,
                &pointer,
                format!(
                    "no file of the archive has the SHA-256 `{}`: add the text the claims of `{}` were curated from to the archive folder, or correct the sha256",
                    sha256.0.as_str(),
                    source.id.0.as_str()
                ),
            )),
            Some(file) => match &file.text {
                Ok(_) => {
                    archived.insert(source.id.0.as_str(), file);
                }
                Err(valid_up_to) => problems.push(document.error(
                    Code::NotArchived,
                    &pointer,
                    format!(
                        "the archived file {} with this SHA-256 is not UTF-8 text (byte {valid_up_to} is not): quotes are looked for in text only",
                        file.path.display()
                    ),
                )),
            },
        }
    }
    if archived.is_empty() {
        return problems;
    }
    let claims = section(ClaimKind::Contract, &revision.contracts, |c| &c.claim)
        .chain(section(ClaimKind::Figure, &revision.figures, |c| &c.claim))
        .chain(section(ClaimKind::Event, &revision.events, |c| &c.claim))
        .chain(section(ClaimKind::Relation, &revision.relations, |c| &c.claim));
    for (kind, index, claim) in claims {
        if let Some(problem) = unproven(document, kind, index, claim, &archived) {
            problems.push(problem);
        }
    }
    problems
}

/// The problem of a claim whose quote none of its archived sources has, if it has a quote and cites
/// an archived source.
fn unproven(
    document: &Document,
    kind: ClaimKind,
    index: usize,
    claim: &ClaimFields,
    archived: &HashMap<&str, &ArchivedFile>,
) -> Option<Diagnostic> {
    let quote = claim.quote.as_deref()?;
    let mut closest: Option<(&str, &ArchivedFile, NotFound)> = None;
    for source in &claim.sources {
        let Some(file) = archived.get(source.0.as_str()) else {
            continue;
        };
        let Some(text) = file.prepared() else { continue };
        match text.find(quote) {
            Ok(_) => return None,
            // A passage that differs by a word tells the curator most; keep the first such.
            Err(not_found) => {
                let better =
                    matches!(not_found, NotFound::Differs(_)) && !matches!(closest, Some((_, _, NotFound::Differs(_))));
                if closest.is_none() || better {
                    closest = Some((source.0.as_str(), file, not_found));
                }
            }
        }
    }
    let (source, file, not_found) = closest?;
    let pointer = format!("/{}/{index}/quote", kind.section());
    let problem = document.error(
        Code::QuoteNotInSource,
        &pointer,
        format!(
            "the quote is not in the archived text of `{source}` ({}): {not_found}",
            file.path.display()
        ),
    );
    Some(match &not_found {
        NotFound::Differs(passage) => problem.with_note(
            &file.path,
            passage.start,
            "the closest passage of the archived text starts here",
        ),
        _ => problem,
    })
}

/// The claims of one section of a revision, each with its kind and its place in the section.
fn section<'a, T>(
    kind: ClaimKind,
    items: &'a [T],
    claim: impl Fn(&'a T) -> &'a ClaimFields + 'a,
) -> impl Iterator<Item = (ClaimKind, usize, &'a ClaimFields)> + 'a {
    items
        .iter()
        .enumerate()
        .map(move |(index, item)| (kind, index, claim(item)))
}
