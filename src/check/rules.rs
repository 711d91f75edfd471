//! The rules of one revision file: its path, dates, amounts, codes, sources and claim keys. Rules
//! that need every file (references, merging) live in `merge`.

use super::fields::FieldValue;
use super::{CELL_UNITS, CheckedRevision, Sink};
use crate::claim::{ClaimKind, claim_key};
use crate::diagnostic::Code;
use crate::load::Document;
use crate::model::EntityType;
use crate::model::{Amount, ClaimFields, PartialDate, Revision, Slug, Status};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The key of one claim and where it was written.
#[derive(Debug, Clone)]
pub struct ClaimRef {
    /// Contract, figure, event or relation.
    pub kind: ClaimKind,
    /// Index in its section.
    pub index: usize,
    /// The key, stable across revisions.
    pub key: String,
}

/// One declaration of an organization or system: its fields as written, and where.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The entity id.
    pub id: String,
    /// Organization or system.
    pub entity_type: EntityType,
    /// The fields written, except `id` and `sources`, in the order of the entity's type.
    pub fields: Vec<(String, FieldValue)>,
    /// The source ids cited, local to the file.
    pub sources: Vec<String>,
    /// Its JSON Pointer: `/name` for the profiled company, else `/organizations/N` or `/systems/N`.
    /// Positions are looked up only when a problem needs them (see `load::Document`).
    pub pointer: String,
}

/// A reference from a field to an entity.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The id referred to.
    pub id: String,
    /// The type the field requires, if any.
    pub expected: Option<EntityType>,
    /// The field, for messages.
    pub field: &'static str,
    /// Its JSON Pointer.
    pub pointer: String,
}

/// Characters an id needs beyond its own and its profile's in the longest id made from it:
/// `<profile>/<old updated>/<new updated>/<kind>/<id>/<field>` in the changes table (dates of 10
/// characters, a kind of at most 12, a dotted field name of at most 30), with room to spare.
const ID_ROOM: usize = 100;

struct FileCheck<'a> {
    document: &'a Document,
    problems: &'a mut dyn Sink,
    source_ids: HashMap<&'a str, usize>,
    references: Vec<Reference>,
}

impl FileCheck<'_> {
    fn error(&mut self, code: Code, pointer: &str, message: String) {
        self.problems.push(self.document.error(code, pointer, message));
    }

    /// Refuses an id that fits a workbook cell on its own but makes an id that does not: a claim's
    /// id is `<profile>/<updated>/<id>`, and a change's is longer. (One longer than a cell on its
    /// own is refused as a text.) The id is the field `id` of the entry at `pointer`.
    fn id_fits(&mut self, pointer: &str, profile: &str, id: &str) {
        let most = CELL_UNITS.saturating_sub(profile.len() + ID_ROOM);
        if id.len() <= CELL_UNITS && id.len() > most {
            self.error(
                Code::CellTooLong,
                &format!("{pointer}/id"),
                format!(
                    "is an id of {} characters, too long for the ids made from it (`<profile>/<updated>/<id>`, \
                     and longer in the changes table) to fit the {CELL_UNITS} characters of a workbook cell; \
                     an id of this profile has at most {most}",
                    id.len()
                ),
            );
        }
    }

    /// Refuses an end before its start: the last day `end` covers is before the first of `start`.
    /// (Each date was parsed, and checked to exist, when the revision was read.)
    fn period(&mut self, pointer: &str, start: Option<&PartialDate>, end: Option<&PartialDate>) {
        if let (Some(start), Some(end)) = (start, end)
            && end.span().to < start.span().from
        {
            self.error(
                Code::RangeOrder,
                &format!("{pointer}/end"),
                format!("the end `{}` is before the start `{}`", end.text(), start.text()),
            );
        }
    }

    /// The profiled company's name and kind come from the revision: an `organizations` entry for
    /// it may add other fields, not give it another name or kind.
    fn profiled_company(&mut self, pointer: &str, org: &crate::model::Organization, name: &str) {
        let kind = org.kind.as_ref().map(|kind| kind.0.as_str());
        for (field, value, expected) in [("name", org.name.as_deref(), name), ("kind", kind, "company")] {
            if let Some(value) = value
                && value != expected
            {
                let pointer = format!("{pointer}/{field}");
                let first = if field == "name" {
                    self.document.position("/name")
                } else {
                    self.document.position("/profile")
                };
                let problem = self
                    .document
                    .error(
                        Code::MergeConflict,
                        &pointer,
                        format!("the profiled company's {field} is `{expected}` (from the revision), but this entry gives it `{value}`; leave the {field} out here"),
                    )
                    .with_note(&self.document.path, first, format!("its {field} comes from here"));
                self.problems.push(problem);
            }
        }
    }

    /// Notes the reference in the field `field` of the entry at `pointer`, to be resolved across
    /// files.
    fn reference(&mut self, pointer: &str, field: &'static str, id: Option<&Slug>, expected: Option<EntityType>) {
        if let Some(id) = id {
            self.references.push(Reference {
                id: id.0.clone(),
                expected,
                field,
                pointer: format!("{pointer}/{field}"),
            });
        }
    }

    /// Refuses a source id that the file does not list, among the `sources` of the entry at
    /// `pointer` (whose own pointer is made only for a problem: this runs for every claim).
    fn sources(&mut self, pointer: &str, sources: &[Slug]) {
        for (index, source) in sources.iter().enumerate() {
            if !self.source_ids.contains_key(source.0.as_str()) {
                let known: Vec<&str> = {
                    let mut ids: Vec<&str> = self.source_ids.keys().copied().collect();
                    ids.sort();
                    ids
                };
                self.error(
                    Code::UnknownSource,
                    &format!("{pointer}/sources/{index}"),
                    format!(
                        "cites the source `{}`, which this file does not list (its sources: {})",
                        source.0,
                        known.join(", ")
                    ),
                );
            }
        }
    }

    fn claim(&mut self, pointer: &str, claim: &ClaimFields) {
        self.sources(pointer, &claim.sources);
        self.reference(pointer, "attributed_to", claim.attributed_to.as_ref(), None);
        // A finding of absence is only true as of when it was looked for.
        if claim.status == Status::NotFound && claim.as_of.is_none() {
            self.error(
                Code::FindingWithoutDate,
                &format!("{pointer}/status"),
                "a claim with the status `not_found` says as of when it was looked for and not found: give it `as_of`, e.g. `as_of: 2018-12`".into(),
            );
        }
    }

    /// Checks an amount written at `pointer` (`prefix` is where its fields live: the amount object of
    /// a contract, or the figure itself).
    fn amount(&mut self, prefix: &str, amount: &Amount, is_figure: bool) {
        let is_range = amount.low.is_some() || amount.high.is_some();
        if amount.value.is_some() && is_range {
            self.error(
                Code::AmountShape,
                &format!("{prefix}/value"),
                "has both a value and a range (low/high): give one or the other".into(),
            );
        } else if is_range && let Some(qualifier) = amount.qualifier {
            let word = serde_json::to_value(qualifier).unwrap_or_default();
            self.error(
                Code::AmountShape,
                &format!("{prefix}/qualifier"),
                format!("a range (low/high) takes no qualifier, found {word}"),
            );
        } else if amount.value.is_none() && !is_range {
            let what = if is_figure { "a figure" } else { "an amount" };
            self.error(
                Code::AmountShape,
                prefix,
                format!("{what} needs a value, or a range with low and/or high"),
            );
        }
        if let (Some(low), Some(high)) = (
            amount.low.as_ref().map(|l| l.value()),
            amount.high.as_ref().map(|h| h.value()),
        ) && low > high
        {
            self.error(
                Code::RangeOrder,
                &format!("{prefix}/low"),
                format!("low {low} is above high {high}"),
            );
        }
        if let Some(currency) = &amount.currency
            && iso_currency::Currency::from_code(currency).is_none()
        {
            self.error(
                Code::UnknownCurrency,
                &format!("{prefix}/currency"),
                format!("`{currency}` is not an ISO 4217 currency code"),
            );
        }
        self.dollar_sign(prefix, amount);
    }

    /// An amount written with `$` (`$177.9 billion`, as sources write it) is in a currency that `$`
    /// stands for: its `currency` must say which, and be one of them, or the `$` would be dropped
    /// without a word.
    fn dollar_sign(&mut self, prefix: &str, amount: &Amount) {
        let written = [("value", &amount.value), ("low", &amount.low), ("high", &amount.high)]
            .into_iter()
            .find_map(|(field, text)| {
                let text = text.as_ref()?.text();
                text.trim_start()
                    .trim_start_matches(['-', '+'])
                    .starts_with('$')
                    .then_some((field, text))
            });
        let Some((field, text)) = written else {
            return;
        };
        match &amount.currency {
            None => self.error(
                Code::UnknownCurrency,
                &format!("{prefix}/{field}"),
                format!(
                    "`{text}` is written with `$`, which does not say which currency: give the amount its \
                     `currency` (`USD` for US dollars), and write the number without `$` if you like"
                ),
            ),
            Some(code) => {
                let symbol = iso_currency::Currency::from_code(code).map(|c| c.symbol().to_string());
                if symbol.as_deref().is_some_and(|symbol| !symbol.contains('$')) {
                    self.error(
                        Code::UnknownCurrency,
                        &format!("{prefix}/currency"),
                        format!(
                            "is `{code}`, but the amount `{text}` is written with `$`, which stands for a dollar \
                             or a peso: give the currency it is in (`USD`, `CAD`, `AUD`, `MXN`, ...) or write \
                             the amount without `$`"
                        ),
                    );
                }
            }
        }
    }

    /// Refuses a country code that ISO 3166-1 does not assign, in the field `country` of the entry at
    /// `pointer`.
    fn country(&mut self, pointer: &str, country: Option<&crate::model::CountryCode>) {
        if let Some(country) = country
            && celes::Country::from_alpha2(&country.0).is_err()
        {
            self.error(
                Code::UnknownCountry,
                &format!("{pointer}/country"),
                format!("`{}` is not an ISO 3166-1 alpha-2 country code", country.0),
            );
        }
    }
}

/// Checks one revision on its own; `relative` is its path under `profiles/`.
pub fn check_revision(
    document: &Document,
    relative: &Path,
    revision: Revision,
    problems: &mut dyn Sink,
) -> Option<CheckedRevision> {
    let mut check = FileCheck {
        document,
        problems,
        source_ids: HashMap::new(),
        references: Vec::new(),
    };

    let expected = Path::new(&revision.profile).join(&revision.updated);
    if relative.with_extension("") != expected {
        check.error(
            Code::PathMismatch,
            "/profile",
            format!(
                "the file's path says `{}`, but its content is profile `{}` updated `{}`: expected profiles/{}.{}",
                crate::escape::path(&relative.with_extension("")),
                revision.profile,
                revision.updated,
                crate::escape::path(&expected),
                relative.extension().and_then(|e| e.to_str()).unwrap_or("yaml"),
            ),
        );
    }
    if let Some(hq) = &revision.headquarters {
        check.country("/headquarters", hq.country.as_ref());
    }

    for (index, source) in revision.sources.iter().enumerate() {
        let pointer = format!("/sources/{index}");
        check.id_fits(&pointer, &revision.profile, &source.id.0);
        if let Some(first) = check.source_ids.insert(&source.id.0, index) {
            let first_position = document.position(&format!("/sources/{first}/id"));
            let diagnostic = document
                .error(
                    Code::DuplicateSource,
                    &format!("{pointer}/id"),
                    format!("the source id `{}` is used twice in this file", source.id.0),
                )
                .with_note(&document.path, first_position, "first used here");
            check.problems.push(diagnostic);
        }
    }

    // The profiled company is an organization of its own.
    let mut declarations = vec![Declaration {
        id: revision.profile.clone(),
        entity_type: EntityType::Organization,
        fields: vec![
            ("name".to_owned(), FieldValue::Text(revision.name.clone())),
            ("kind".to_owned(), FieldValue::Text("company".into())),
        ],
        sources: Vec::new(),
        pointer: "/name".into(),
    }];
    let mut declared: HashMap<String, String> = HashMap::new();
    for (index, org) in revision.organizations.iter().enumerate() {
        let pointer = format!("/organizations/{index}");
        check.id_fits(&pointer, &revision.profile, &org.id.0);
        check.reference(&pointer, "parent", org.parent.as_ref(), Some(EntityType::Organization));
        check.country(&pointer, org.country.as_ref());
        if org.id.0 == revision.profile {
            check.profiled_company(&pointer, org, &revision.name);
        }
        let sources = org.sources.clone().unwrap_or_default();
        check.sources(&pointer, &sources);
        declarations.push(declaration(&pointer, &org.id, EntityType::Organization, org, &sources));
    }
    for (index, system) in revision.systems.iter().enumerate() {
        let pointer = format!("/systems/{index}");
        check.id_fits(&pointer, &revision.profile, &system.id.0);
        check.reference(
            &pointer,
            "operator",
            system.operator.as_ref(),
            Some(EntityType::Organization),
        );
        check.reference(
            &pointer,
            "developer",
            system.developer.as_ref(),
            Some(EntityType::Organization),
        );
        check.reference(&pointer, "replaces", system.replaces.as_ref(), Some(EntityType::System));
        let sources = system.sources.clone().unwrap_or_default();
        check.sources(&pointer, &sources);
        declarations.push(declaration(&pointer, &system.id, EntityType::System, system, &sources));
    }
    for (index, person) in revision.people.iter().enumerate() {
        let pointer = format!("/people/{index}");
        let sources = person.sources.clone().unwrap_or_default();
        check.sources(&pointer, &sources);
        declarations.push(declaration(&pointer, &person.id, EntityType::Person, person, &sources));
    }
    for declaration in &declarations[1..] {
        if let Some(first) = declared.insert(declaration.id.clone(), declaration.pointer.clone()) {
            let diagnostic = document
                .error(
                    Code::DuplicateEntity,
                    &format!("{}/id", declaration.pointer),
                    format!("`{}` is declared twice in this file", declaration.id),
                )
                .with_note(&document.path, document.position(&first), "first declared here");
            check.problems.push(diagnostic);
        }
    }

    let mut claims = Vec::new();
    for (index, c) in revision.contracts.iter().enumerate() {
        let pointer = format!("/contracts/{index}");
        if let Some(id) = &c.id {
            check.id_fits(&pointer, &revision.profile, &id.0);
        }
        if c.buyer.is_none() && c.supplier.is_none() {
            check.error(
                Code::MissingParty,
                &pointer,
                "a contract names a buyer or a supplier (or both)".into(),
            );
        }
        check.reference(&pointer, "buyer", c.buyer.as_ref(), Some(EntityType::Organization));
        check.reference(
            &pointer,
            "supplier",
            c.supplier.as_ref(),
            Some(EntityType::Organization),
        );
        check.reference(
            &pointer,
            "provider",
            c.provider.as_ref(),
            Some(EntityType::Organization),
        );
        if let Some(amount) = &c.amount {
            check.amount(&format!("{pointer}/amount"), amount, false);
        }
        check.period(&pointer, c.start.as_ref(), c.end.as_ref());
        check.claim(&pointer, &c.claim);
        let key = claim_key(
            ClaimKind::Contract,
            c.id.as_ref().map(|s| s.0.as_str()),
            &[
                ("buyer", slug(&c.buyer)),
                ("supplier", slug(&c.supplier)),
                ("description", c.description.as_deref()),
            ],
        );
        claims.push(ClaimRef {
            kind: ClaimKind::Contract,
            index,
            key,
        });
    }
    for (index, f) in revision.figures.iter().enumerate() {
        let pointer = format!("/figures/{index}");
        if let Some(id) = &f.id {
            check.id_fits(&pointer, &revision.profile, &id.0);
        }
        check.reference(&pointer, "subject", Some(&f.subject), None);
        check.amount(&pointer, &f.amount, true);
        check.claim(&pointer, &f.claim);
        let per = f.amount.per.map(|p| serde_json::to_value(p).unwrap_or_default());
        let key = claim_key(
            ClaimKind::Figure,
            f.id.as_ref().map(|s| s.0.as_str()),
            &[
                ("subject", Some(&f.subject.0)),
                ("metric", Some(&f.metric.0)),
                ("per", per.as_ref().and_then(Value::as_str)),
                ("as_of", f.claim.as_of.as_ref().map(PartialDate::text)),
                ("period", f.period.as_ref().map(PartialDate::text)),
            ],
        );
        claims.push(ClaimRef {
            kind: ClaimKind::Figure,
            index,
            key,
        });
    }
    for (index, e) in revision.events.iter().enumerate() {
        let pointer = format!("/events/{index}");
        if let Some(id) = &e.id {
            check.id_fits(&pointer, &revision.profile, &id.0);
        }
        check.reference(&pointer, "subject", e.subject.as_ref(), None);
        check.claim(&pointer, &e.claim);
        let key = claim_key(
            ClaimKind::Event,
            e.id.as_ref().map(|s| s.0.as_str()),
            &[
                ("subject", slug(&e.subject)),
                ("kind", e.kind.as_ref().map(|k| k.0.as_str())),
                ("date", Some(e.date.text())),
            ],
        );
        claims.push(ClaimRef {
            kind: ClaimKind::Event,
            index,
            key,
        });
    }
    for (index, r) in revision.relations.iter().enumerate() {
        let pointer = format!("/relations/{index}");
        if let Some(id) = &r.id {
            check.id_fits(&pointer, &revision.profile, &id.0);
        }
        check.reference(&pointer, "subject", Some(&r.subject), None);
        check.reference(&pointer, "object", Some(&r.object), None);
        check.period(&pointer, r.start.as_ref(), r.end.as_ref());
        check.claim(&pointer, &r.claim);
        let key = claim_key(
            ClaimKind::Relation,
            r.id.as_ref().map(|s| s.0.as_str()),
            &[
                ("subject", Some(&r.subject.0)),
                ("predicate", Some(&r.predicate.0)),
                ("object", Some(&r.object.0)),
            ],
        );
        claims.push(ClaimRef {
            kind: ClaimKind::Relation,
            index,
            key,
        });
    }
    let mut keys: HashMap<&str, &ClaimRef> = HashMap::new();
    for claim in &claims {
        if let Some(first) = keys.insert(&claim.key, claim) {
            let first_pointer = format!("/{}/{}", first.kind.section(), first.index);
            let diagnostic = document
                .error(
                    Code::DuplicateClaim,
                    &format!("/{}/{}", claim.kind.section(), claim.index),
                    format!(
                        "this {} has the same key `{}` as another claim of this revision: give one of them an `id`, or tell them apart by their identifying fields",
                        claim.kind.as_str(),
                        claim.key
                    ),
                )
                .with_note(&document.path, document.position(&first_pointer), "the other claim");
            check.problems.push(diagnostic);
        }
    }

    // Kept even with problems, so that references and merging are checked too: every problem at once.
    let references = std::mem::take(&mut check.references);
    Some(CheckedRevision {
        path: document.path.clone(),
        revision,
        claims,
        declarations,
        references,
    })
}

fn slug(value: &Option<Slug>) -> Option<&str> {
    value.as_ref().map(|s| s.0.as_str())
}

fn declaration<T: serde::Serialize>(
    pointer: &str,
    id: &Slug,
    entity_type: EntityType,
    entity: &T,
    sources: &[Slug],
) -> Declaration {
    Declaration {
        id: id.0.clone(),
        entity_type,
        // The entity types hold texts, lists of texts and structs of texts only: what `split` takes.
        fields: super::fields::split(entity, &["id", "sources"]).expect("an entity splits into its fields"),
        sources: sources.iter().map(|s| s.0.clone()).collect(),
        pointer: pointer.to_owned(),
    }
}
