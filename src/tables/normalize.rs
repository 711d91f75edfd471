//! The checked dataset turned into the rows of every table, in a fixed order (revisions by profile
//! and date, claims and sources in file order, entities by id), so that output is deterministic.

use super::Rows;
use super::rows::*;
use crate::changes;
use crate::check::{CheckedRevision, Entity};
use crate::claim::ClaimKind;
use crate::model::EntityType;
use crate::model::{Amount, ClaimFields, Organization, PartialDate, Person, Qualifier, System};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

/// Every row of every table, and where each revision's rows are.
#[derive(Debug, Default)]
pub struct Normalized {
    /// The rows of every table.
    pub rows: Rows,
    /// For each row of `claims`, its rows of `citations`.
    pub cited: Vec<Range<usize>>,
    /// For each row of `profiles`, where its rows are in the other tables.
    pub spans: Vec<RevisionSpan>,
}

/// Where one revision's rows are.
#[derive(Debug, Clone, Default)]
pub struct RevisionSpan {
    pub sources: Range<usize>,
    pub claims: Range<usize>,
    pub contracts: Range<usize>,
    pub figures: Range<usize>,
    pub events: Range<usize>,
    pub relations: Range<usize>,
    /// Changes since the previous revision of the profile.
    pub changes: Range<usize>,
    /// Every entity the revision declares or refers to, by id, each with the local ids of the
    /// sources the revision cites for it.
    pub named: Names,
}

/// Entities a revision names, by id, each with the local ids of the sources it cites for them.
pub type Names = Vec<(String, Vec<String>)>;

impl Normalized {
    /// The document of one revision, without the entities it names (see `named`).
    pub fn document(&self, index: usize) -> RevisionDocument<'_> {
        let span = &self.spans[index];
        // Every citation of a revision starts with the revision's id and a `/`.
        let prefix = self.rows.profiles[index].id.len() + 1;
        let mut claim = span.claims.start;
        let mut cite = |count: usize| -> Vec<Vec<&str>> {
            let cited = (claim..claim + count)
                .map(|c| {
                    self.rows.citations[self.cited[c].clone()]
                        .iter()
                        .map(|row| &row.source_id[prefix..])
                        .collect()
                })
                .collect();
            claim += count;
            cited
        };
        let contracts = cite(span.contracts.len());
        let figures = cite(span.figures.len());
        let events = cite(span.events.len());
        let relations = cite(span.relations.len());
        RevisionDocument {
            profile: &self.rows.profiles[index],
            sources: self.rows.sources[span.sources.clone()]
                .iter()
                .map(|row| Cited {
                    local_id: &row.local_id,
                    source: &row.source,
                })
                .collect(),
            contracts: claimed(&self.rows.contracts[span.contracts.clone()], contracts, |r| {
                (&r.head, &r.contract)
            }),
            figures: claimed(&self.rows.figures[span.figures.clone()], figures, |r| {
                (&r.head, &r.figure)
            }),
            events: claimed(&self.rows.events[span.events.clone()], events, |r| (&r.head, &r.event)),
            relations: claimed(&self.rows.relations[span.relations.clone()], relations, |r| {
                (&r.head, &r.relation)
            }),
        }
    }
}

fn claimed<'a, R, T>(
    rows: &'a [R],
    cited: Vec<Vec<&'a str>>,
    parts: impl Fn(&'a R) -> (&'a ClaimHead, &'a T),
) -> Vec<Claimed<'a, T>> {
    rows.iter()
        .zip(cited)
        .map(|(row, sources)| {
            let (head, claim) = parts(row);
            Claimed {
                key: &head.key,
                claim,
                sources,
            }
        })
        .collect()
}

/// A partial date as its three columns: the text as curated, its first and its last day.
fn date(date: Option<&PartialDate>) -> (Option<String>, Option<Day>, Option<Day>) {
    match date {
        Some(date) => (
            Some(date.text().to_owned()),
            Some(Day(date.span().from)),
            Some(Day(date.span().to)),
        ),
        None => (None, None, None),
    }
}

/// An exact decimal, as read.
fn exact(text: Option<&crate::model::DecimalText>) -> Option<Exact> {
    text.map(|text| Exact(text.value()))
}

/// An amount's columns, with the bounds that follow from its qualifier.
fn amount(amount: &Amount) -> AmountColumns {
    let value = exact(amount.value.as_ref());
    let qualifier = value.map(|_| amount.qualifier.unwrap_or_default());
    let (low, high) = match qualifier {
        Some(Qualifier::Exact | Qualifier::About) => (value, value),
        Some(Qualifier::AtLeast | Qualifier::MoreThan) => (value, None),
        Some(Qualifier::AtMost | Qualifier::LessThan) => (None, value),
        None => (exact(amount.low.as_ref()), exact(amount.high.as_ref())),
    };
    AmountColumns {
        value,
        qualifier,
        low,
        high,
        unit: amount.unit.as_ref().map(|u| u.0.clone()),
        currency: amount.currency.clone(),
        per: amount.per,
    }
}

fn tail(claim: &ClaimFields) -> ClaimTail {
    let (as_of, as_of_from, as_of_to) = date(claim.as_of.as_ref());
    ClaimTail {
        status: claim.status,
        attributed_to: claim.attributed_to.as_ref().map(|s| s.0.clone()),
        quote: claim.quote.clone(),
        as_of,
        as_of_from,
        as_of_to,
    }
}

fn text(value: Option<&crate::model::Slug>) -> Option<String> {
    value.map(|s| s.0.clone())
}

/// Rows of a batch of whole profiles (revisions sorted by profile and date) for every table but the
/// entity tables, with the entities each revision names.
pub fn revisions(revisions: &[CheckedRevision]) -> Normalized {
    let mut out = Normalized::default();
    for (index, checked) in revisions.iter().enumerate() {
        let is_latest = revisions
            .get(index + 1)
            .is_none_or(|next| next.revision.profile != checked.revision.profile);
        let mut span = revision_rows(checked, is_latest, &mut out);
        let start = out.rows.changes.len();
        if let Some(previous) = index.checked_sub(1).map(|i| &revisions[i])
            && previous.revision.profile == checked.revision.profile
        {
            change_rows(previous, checked, &mut out);
        }
        span.changes = start..out.rows.changes.len();
        let mut named: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for declaration in &checked.declarations {
            named
                .entry(&declaration.id)
                .or_default()
                .extend(declaration.sources.iter().map(String::as_str));
        }
        for reference in &checked.references {
            named.entry(&reference.id).or_default();
        }
        span.named = named
            .into_iter()
            .map(|(id, sources)| (id.to_owned(), sources.into_iter().map(str::to_owned).collect()))
            .collect();
        out.spans.push(span);
    }
    out
}

/// Rows of the entity tables (`entities`, `organizations`, `systems`, `people`, `identifiers`) for
/// some merged entities.
pub fn entities<'a>(entities: impl IntoIterator<Item = Entity<'a>>) -> Normalized {
    let mut out = Normalized::default();
    for mut entity in entities {
        let source_ids = std::mem::take(&mut entity.sources);
        let (name, identifiers) = match entity.entity_type {
            EntityType::Organization => {
                let o: Organization = declared(&entity);
                let organization = OrganizationColumns {
                    id: entity.id.clone(),
                    name: o.name.unwrap_or_default(),
                    abbreviation: o.abbreviation,
                    aliases: o.aliases.unwrap_or_default(),
                    kind: o.kind.map(|k| k.0),
                    parent: text(o.parent.as_ref()),
                    country: o.country.map(|c| c.0),
                    description: o.description,
                };
                let name = organization.name.clone();
                out.rows.organizations.push(OrganizationRow {
                    organization,
                    source_ids,
                });
                (name, o.identifiers)
            }
            EntityType::System => {
                let s: System = declared(&entity);
                let system = SystemColumns {
                    id: entity.id.clone(),
                    name: s.name.unwrap_or_default(),
                    abbreviation: s.abbreviation,
                    aliases: s.aliases.unwrap_or_default(),
                    kind: s.kind.map(|k| k.0),
                    operator: text(s.operator.as_ref()),
                    developer: text(s.developer.as_ref()),
                    replaces: text(s.replaces.as_ref()),
                    description: s.description,
                };
                let name = system.name.clone();
                out.rows.systems.push(SystemRow { system, source_ids });
                (name, s.identifiers)
            }
            EntityType::Person => {
                let p: Person = declared(&entity);
                let person = PersonColumns {
                    id: entity.id.clone(),
                    name: p.name.unwrap_or_default(),
                    aliases: p.aliases.unwrap_or_default(),
                    description: p.description,
                };
                let name = person.name.clone();
                out.rows.people.push(PersonRow { person, source_ids });
                (name, p.identifiers)
            }
        };
        out.rows.entities.push(EntityRow {
            id: entity.id.clone(),
            entity_type: entity.entity_type,
            name,
        });
        for (scheme, value) in identifiers.map(|i| i.0).unwrap_or_default() {
            out.rows.identifiers.push(IdentifierRow {
                entity_id: entity.id.clone(),
                identifier: IdentifierColumns {
                    scheme,
                    url: scheme.url(&value),
                    value,
                },
            });
        }
    }
    out
}

/// The merged fields of an entity as its input type. They were read from that type, so reading them
/// back cannot fail.
fn declared<T: serde::de::DeserializeOwned>(entity: &Entity) -> T {
    entity.read().expect("merged fields come from the input type")
}

fn revision_rows(checked: &CheckedRevision, is_latest: bool, out: &mut Normalized) -> RevisionSpan {
    let r = &checked.revision;
    let revision_id = format!("{}/{}", r.profile, r.updated);
    let updated = Day(r.updated.day());
    let hq = r.headquarters.clone().unwrap_or_default();
    out.rows.profiles.push(ProfileRow {
        id: revision_id.clone(),
        profile: r.profile.clone(),
        updated,
        is_latest,
        name: r.name.clone(),
        aliases: r.aliases.clone(),
        summary: r.summary.clone(),
        headquarters_city: hq.city,
        headquarters_region: hq.region,
        headquarters_country: hq.country.map(|c| c.0),
        stock_symbols: r.stock_symbols.clone(),
        categories: r.categories.iter().map(|c| c.0.clone()).collect(),
        file: format!("profiles/{}", relative_name(checked)),
    });

    let mut span = RevisionSpan {
        sources: out.rows.sources.len()..out.rows.sources.len(),
        claims: out.rows.claims.len()..out.rows.claims.len(),
        ..RevisionSpan::default()
    };
    for source in &r.sources {
        let (published, published_from, published_to) = date(source.published.as_ref());
        let (accessed, accessed_from, accessed_to) = date(source.accessed.as_ref());
        out.rows.sources.push(SourceRow {
            id: format!("{revision_id}/{}", source.id.0),
            local_id: SourceId {
                local_id: source.id.0.clone(),
            },
            profile: r.profile.clone(),
            updated,
            revision: revision_id.clone(),
            source: SourceColumns {
                title: source.title.clone(),
                url: source.url.as_ref().map(|url| url.as_str().to_owned()),
                publisher: source.publisher.clone(),
                published,
                published_from,
                published_to,
                accessed,
                accessed_from,
                accessed_to,
                sha256: source.sha256.as_ref().map(|h| h.0.clone()),
            },
        });
    }
    span.sources.end = out.rows.sources.len();

    // Claims in the order of `checked.claims`: contracts, figures, events, relations, each in file order.
    let mut key_of: HashMap<(ClaimKind, usize), &str> = HashMap::new();
    for claim in &checked.claims {
        key_of.insert((claim.kind, claim.index), &claim.key);
    }
    let head = |kind: ClaimKind, index: usize, claim: &ClaimFields, out: &mut Normalized| -> ClaimHead {
        let key = key_of.get(&(kind, index)).copied().unwrap_or_default().to_owned();
        let id = format!("{revision_id}/{key}");
        let start = out.rows.citations.len();
        let mut seen = BTreeSet::new();
        for source in &claim.sources {
            if seen.insert(&source.0) {
                out.rows.citations.push(CitationRow {
                    claim_id: id.clone(),
                    source_id: format!("{revision_id}/{}", source.0),
                });
            }
        }
        out.cited.push(start..out.rows.citations.len());
        out.rows.claims.push(ClaimRow {
            id: id.clone(),
            key: key.clone(),
            kind,
            profile: r.profile.clone(),
            updated,
            revision: revision_id.clone(),
        });
        ClaimHead {
            id,
            key: ClaimKey { key },
            profile: r.profile.clone(),
            updated,
            is_latest,
        }
    };

    span.contracts.start = out.rows.contracts.len();
    for (index, c) in r.contracts.iter().enumerate() {
        let head = head(ClaimKind::Contract, index, &c.claim, out);
        let (start, start_from, start_to) = date(c.start.as_ref());
        let (end, end_from, end_to) = date(c.end.as_ref());
        out.rows.contracts.push(ContractRow {
            head,
            contract: ContractColumns {
                buyer: text(c.buyer.as_ref()),
                supplier: text(c.supplier.as_ref()),
                provider: text(c.provider.as_ref()),
                award_ids: c.award_ids.iter().map(|a| a.0.clone()).collect(),
                description: c.description.clone(),
                amount: c
                    .amount
                    .as_ref()
                    .map(amount)
                    .unwrap_or_else(|| amount(&Amount::default())),
                start,
                start_from,
                start_to,
                end,
                end_from,
                end_to,
                tail: tail(&c.claim),
            },
        });
    }
    span.contracts.end = out.rows.contracts.len();

    span.figures.start = out.rows.figures.len();
    for (index, f) in r.figures.iter().enumerate() {
        let head = head(ClaimKind::Figure, index, &f.claim, out);
        let (period, period_from, period_to) = date(f.period.as_ref());
        out.rows.figures.push(FigureRow {
            head,
            figure: FigureColumns {
                subject: f.subject.0.clone(),
                metric: f.metric.0.clone(),
                amount: amount(&f.amount),
                period,
                period_from,
                period_to,
                note: f.note.clone(),
                tail: tail(&f.claim),
            },
        });
    }
    span.figures.end = out.rows.figures.len();

    span.events.start = out.rows.events.len();
    for (index, e) in r.events.iter().enumerate() {
        let head = head(ClaimKind::Event, index, &e.claim, out);
        out.rows.events.push(EventRow {
            head,
            event: EventColumns {
                date: e.date.text().to_owned(),
                date_from: Day(e.date.span().from),
                date_to: Day(e.date.span().to),
                subject: text(e.subject.as_ref()),
                kind: e.kind.as_ref().map(|k| k.0.clone()),
                description: e.description.clone(),
                tail: tail(&e.claim),
            },
        });
    }
    span.events.end = out.rows.events.len();

    span.relations.start = out.rows.relations.len();
    for (index, rel) in r.relations.iter().enumerate() {
        let head = head(ClaimKind::Relation, index, &rel.claim, out);
        let (start, start_from, start_to) = date(rel.start.as_ref());
        let (end, end_from, end_to) = date(rel.end.as_ref());
        out.rows.relations.push(RelationRow {
            head,
            relation: RelationColumns {
                subject: rel.subject.0.clone(),
                predicate: rel.predicate.0.clone(),
                object: rel.object.0.clone(),
                role: rel.role.clone(),
                start,
                start_from,
                start_to,
                end,
                end_from,
                end_to,
                description: rel.description.clone(),
                tail: tail(&rel.claim),
            },
        });
    }
    span.relations.end = out.rows.relations.len();
    span.claims.end = out.rows.claims.len();
    span
}

fn change_rows(old: &CheckedRevision, new: &CheckedRevision, out: &mut Normalized) {
    let (profile, from, to) = (&new.revision.profile, &old.revision.updated, &new.revision.updated);
    for change in changes::between(old, new) {
        let claim_id = |updated: &str, present: bool| {
            (present && change.subject.is_claim()).then(|| format!("{profile}/{updated}/{}", change.key))
        };
        let mut id = format!("{profile}/{from}/{to}/{}/{}", change.subject.as_str(), change.key);
        if let Some(field) = &change.field {
            id.push('/');
            id.push_str(field);
        }
        out.rows.changes.push(ChangeRow {
            id,
            profile: profile.clone(),
            old_updated: Day(from.day()),
            new_updated: Day(to.day()),
            revision: format!("{profile}/{to}"),
            kind: change.subject,
            key: change.key.clone(),
            old_claim_id: claim_id(from.as_str(), change.in_old),
            new_claim_id: claim_id(to.as_str(), change.in_new),
            change: change.change,
            field: change.field,
            old_value: change.old,
            new_value: change.new,
        });
    }
}

/// The file's path under `profiles/`, with `/` separators on every platform.
fn relative_name(checked: &CheckedRevision) -> String {
    let components: Vec<String> = checked
        .path
        .components()
        .rev()
        .take(2)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    components.into_iter().rev().collect::<Vec<_>>().join("/")
}
