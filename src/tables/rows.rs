//! The rows of every published table. These types are the single source of truth for the output:
//! their doc comments become the column descriptions of the Parquet field metadata, the Table
//! Schemas of `datapackage.json`, the data dictionary and the JSON Schema of `json/profiles.jsonl`.

use crate::changes::{ChangeType, Subject};
use crate::claim::ClaimKind;
use crate::model::EntityType;
use crate::model::{Per, Qualifier, Status};
use crate::quantity::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// A day, written `YYYY-MM-DD`: Arrow `date32`, Table Schema `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub jiff::civil::Date);

impl Serialize for Day {
    /// `YYYY-MM-DD` in text formats; days since 1970-01-01 (Arrow `date32`) in the Arrow tables.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serializer.is_human_readable() {
            true => serializer.collect_str(&self.0),
            false => serializer.serialize_i32(crate::date::days_since_epoch(self.0)),
        }
    }
}

impl JsonSchema for Day {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Day".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date" })
    }
}

/// Regular expression of an exact decimal as written in the output: plain digits, never an exponent.
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

/// An exact decimal, written as plain digits: Arrow `decimal128(38, 9)`, Table Schema `number`,
/// a string in JSON so that no reader turns it into a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exact(pub Decimal);

impl Serialize for Exact {
    /// Plain digits in text formats; its units (`decimal128(38, 9)`) in the Arrow tables.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serializer.is_human_readable() {
            true => serializer.collect_str(&self.0),
            false => serializer.serialize_i128(self.0.units),
        }
    }
}

impl JsonSchema for Exact {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Exact".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN })
    }
}

/// A revision of a company profile.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRow {
    /// Id of the revision: `<profile>/<updated>`.
    pub id: String,
    /// Slug of the profile; also the entity id of the profiled company.
    #[schemars(extend("x-references" = "entities"))]
    pub profile: String,
    /// Day this revision was last updated.
    pub updated: Day,
    /// Whether this is the newest revision of its profile.
    pub is_latest: bool,
    /// Name of the profiled company, as this revision gives it.
    #[schemars(extend("x-search" = true))]
    pub name: String,
    /// Other names of the company.
    #[schemars(extend("x-search" = true))]
    pub aliases: Vec<String>,
    /// Short description of the company and why it is profiled.
    #[schemars(extend("x-search" = true))]
    pub summary: Option<String>,
    /// City of the headquarters.
    pub headquarters_city: Option<String>,
    /// Region, state or province of the headquarters.
    pub headquarters_region: Option<String>,
    /// Country of the headquarters (ISO 3166-1 alpha-2).
    pub headquarters_country: Option<String>,
    /// Stock exchange symbols, e.g. `NASDAQ:AMZN`.
    pub stock_symbols: Vec<String>,
    /// Topics of the profile, as snake_case words.
    pub categories: Vec<String>,
    /// The curated file, relative to the input folder.
    pub file: String,
}

/// An organization, system or person: the one table every entity reference points to.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityRow {
    /// Id of the entity, shared by organizations, systems and people.
    pub id: String,
    /// Whether the entity is an organization or a system.
    #[schemars(extend("x-facet" = true))]
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    /// Full name of the entity.
    #[schemars(extend("x-search" = true))]
    pub name: String,
}

/// A company, subsidiary, government agency, police department or contractor, merged across every
/// revision that declares it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationRow {
    #[serde(flatten)]
    pub organization: OrganizationColumns,
    /// Ids of the sources (rows of `sources`) of every declaration of the organization.
    pub source_ids: Vec<String>,
}

/// What the dataset says of an organization, merged across every revision that declares it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OrganizationColumns {
    /// Id of the organization (a row of `entities`).
    #[schemars(extend("x-references" = "entities"))]
    pub id: String,
    /// Full name.
    #[schemars(extend("x-search" = true))]
    pub name: String,
    /// Short name, e.g. `ICE`.
    #[schemars(extend("x-search" = true))]
    pub abbreviation: Option<String>,
    /// Other names.
    #[schemars(extend("x-search" = true))]
    pub aliases: Vec<String>,
    /// Kind of organization, e.g. `company`, `government_agency`.
    #[schemars(extend("x-facet" = true))]
    pub kind: Option<String>,
    /// Id of the parent organization.
    #[schemars(extend("x-references" = "entities"))]
    pub parent: Option<String>,
    /// Country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Short description.
    #[schemars(extend("x-search" = true))]
    pub description: Option<String>,
}

/// A database, piece of software, device or platform, merged across every revision that declares it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemRow {
    #[serde(flatten)]
    pub system: SystemColumns,
    /// Ids of the sources (rows of `sources`) of every declaration of the system.
    pub source_ids: Vec<String>,
}

/// What the dataset says of a system, merged across every revision that declares it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SystemColumns {
    /// Id of the system (a row of `entities`).
    #[schemars(extend("x-references" = "entities"))]
    pub id: String,
    /// Full name.
    #[schemars(extend("x-search" = true))]
    pub name: String,
    /// Short name, e.g. `HART`.
    #[schemars(extend("x-search" = true))]
    pub abbreviation: Option<String>,
    /// Other names.
    #[schemars(extend("x-search" = true))]
    pub aliases: Vec<String>,
    /// Kind of system, e.g. `biometric_database`.
    #[schemars(extend("x-facet" = true))]
    pub kind: Option<String>,
    /// Id of the organization that operates the system.
    #[schemars(extend("x-references" = "entities"))]
    pub operator: Option<String>,
    /// Id of the organization that developed the system.
    #[schemars(extend("x-references" = "entities"))]
    pub developer: Option<String>,
    /// Id of the system this one replaces.
    #[schemars(extend("x-references" = "entities"))]
    pub replaces: Option<String>,
    /// Short description.
    #[schemars(extend("x-search" = true))]
    pub description: Option<String>,
}

/// A person the sources name (an executive, an official, a spokesperson), merged across every
/// revision that declares them.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRow {
    #[serde(flatten)]
    pub person: PersonColumns,
    /// Ids of the sources (rows of `sources`) of every declaration of the person.
    pub source_ids: Vec<String>,
}

/// What the dataset says of a person, merged across every revision that declares them.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PersonColumns {
    /// Id of the person (a row of `entities`).
    #[schemars(extend("x-references" = "entities"))]
    pub id: String,
    /// Full name.
    #[schemars(extend("x-search" = true))]
    pub name: String,
    /// Other names.
    #[schemars(extend("x-search" = true))]
    pub aliases: Vec<String>,
    /// Short description, e.g. their office.
    #[schemars(extend("x-search" = true))]
    pub description: Option<String>,
}

/// An identifier of an entity in another register (Wikidata, GLEIF, the SEC, SAM.gov, ...): what
/// joins this dataset to others.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierRow {
    /// Id of the entity (a row of `entities`).
    #[schemars(extend("x-references" = "entities"))]
    pub entity_id: String,
    #[serde(flatten)]
    pub identifier: IdentifierColumns,
}

/// An identifier, as a document of the entity lists it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IdentifierColumns {
    /// The register.
    pub scheme: crate::identifier::Scheme,
    /// The identifier as the register writes it (an SEC CIK zero-padded to 10 digits).
    pub value: String,
    /// The register's public page of the entity, where the register has one.
    pub url: Option<String>,
}

/// Every claim (contract, figure, event or relation) of every revision: the one table `citations`
/// points to.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRow {
    /// Id of the claim: `<profile>/<updated>/<key>`.
    pub id: String,
    /// Key of the claim, the same in every revision that makes it: its curated `id`, or `<kind>:` and 16
    /// hex digits of the SHA-256 of its identifying fields.
    pub key: String,
    /// Kind of claim.
    #[schemars(extend("x-facet" = true))]
    pub kind: ClaimKind,
    /// Slug of the profile that makes the claim.
    pub profile: String,
    /// Day the revision that makes the claim was updated.
    pub updated: Day,
    /// Id of the revision that makes the claim (a row of `profiles`).
    #[schemars(extend("x-references" = "profiles"))]
    pub revision: String,
}

/// The columns that open every claim table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClaimHead {
    /// Id of the claim (a row of `claims`): `<profile>/<updated>/<key>`.
    #[schemars(extend("x-references" = "claims"))]
    pub id: String,
    #[serde(flatten)]
    pub key: ClaimKey,
    /// Slug of the profile that makes the claim.
    pub profile: String,
    /// Day the revision that makes the claim was updated.
    pub updated: Day,
    /// Whether the claim belongs to the newest revision of its profile.
    pub is_latest: bool,
}

/// What names a claim across revisions.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClaimKey {
    /// Key of the claim, the same in every revision that makes it.
    pub key: String,
}

/// The columns that close every claim table.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClaimTail {
    /// Status of the claim: reported (the default), planned, disputed, or not_found (looked for
    /// and not found, as of `as_of`).
    #[schemars(extend("x-facet" = true))]
    pub status: Status,
    /// Id of the entity that asserts the claim, e.g. `palantir` for "according to Palantir", or
    /// the person who said it.
    #[schemars(extend("x-references" = "entities"))]
    pub attributed_to: Option<String>,
    /// Verbatim words of the source.
    #[schemars(extend("x-search" = true))]
    pub quote: Option<String>,
    /// Date at which the claim was observed to hold, as curated (a partial date); for a figure, part
    /// of its key.
    pub as_of: Option<String>,
    /// First day `as_of` covers.
    pub as_of_from: Option<Day>,
    /// Last day `as_of` covers.
    pub as_of_to: Option<Day>,
}

/// An exact quantity and how it bounds the truth.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AmountColumns {
    /// The value, exact, as a plain number: `9.1 million` is 9100000, `12.30` is 12.3; empty for a range.
    pub value: Option<Exact>,
    /// How `value` bounds the true quantity: exact (the default), about, at_least, at_most, more_than,
    /// less_than; empty for a range.
    pub qualifier: Option<Qualifier>,
    /// Lowest the true quantity can be: the value when exact, about, at_least or more_than; the low end
    /// of a range.
    pub low: Option<Exact>,
    /// Highest the true quantity can be: the value when exact, about, at_most or less_than; the high end
    /// of a range.
    pub high: Option<Exact>,
    /// Unit of a count, e.g. `people`, `transactions`.
    pub unit: Option<String>,
    /// Currency of a money amount (ISO 4217).
    #[schemars(extend("x-facet" = true))]
    pub currency: Option<String>,
    /// The time unit of a rate: the quantity is per day, week, month or year.
    pub per: Option<Per>,
}

/// A contract between a buyer and a supplier.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractRow {
    #[serde(flatten)]
    pub head: ClaimHead,
    #[serde(flatten)]
    pub contract: ContractColumns,
}

/// What a contract claim says, as one revision curates it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ContractColumns {
    /// Id of the organization that buys.
    #[schemars(extend("x-references" = "entities"))]
    pub buyer: Option<String>,
    /// Id of the organization that supplies.
    #[schemars(extend("x-references" = "entities"))]
    pub supplier: Option<String>,
    /// Id of the organization whose products or services the supplier delivers, when the supplier
    /// is a reseller or partner.
    #[schemars(extend("x-references" = "entities"))]
    pub provider: Option<String>,
    /// Procurement identifiers of the award (e.g. PIIDs), as the procurement record writes them.
    pub award_ids: Vec<String>,
    /// What the contract is for.
    #[schemars(extend("x-search" = true))]
    pub description: Option<String>,
    #[serde(flatten)]
    pub amount: AmountColumns,
    /// When the contract starts, as curated (a partial date).
    pub start: Option<String>,
    /// First day `start` covers.
    pub start_from: Option<Day>,
    /// Last day `start` covers.
    pub start_to: Option<Day>,
    /// When the contract ends, as curated (a partial date).
    pub end: Option<String>,
    /// First day `end` covers.
    pub end_from: Option<Day>,
    /// Last day `end` covers.
    pub end_to: Option<Day>,
    #[serde(flatten)]
    pub tail: ClaimTail,
}

/// A quantity about an entity: revenue, employees, records held, transactions per day.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureRow {
    #[serde(flatten)]
    pub head: ClaimHead,
    #[serde(flatten)]
    pub figure: FigureColumns,
}

/// What a figure claim says, as one revision curates it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FigureColumns {
    /// Id of the entity the figure is about.
    #[schemars(extend("x-references" = "entities"))]
    pub subject: String,
    /// What is measured, e.g. `revenue`, `employees`, `transactions`.
    #[schemars(extend("x-facet" = true))]
    pub metric: String,
    #[serde(flatten)]
    pub amount: AmountColumns,
    /// Period the figure covers, as curated (a partial date), e.g. the year of a revenue.
    pub period: Option<String>,
    /// First day `period` covers.
    pub period_from: Option<Day>,
    /// Last day `period` covers.
    pub period_to: Option<Day>,
    /// Curator's note on the figure.
    #[schemars(extend("x-search" = true))]
    pub note: Option<String>,
    #[serde(flatten)]
    pub tail: ClaimTail,
}

/// Something that happened (or is planned) at a date.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRow {
    #[serde(flatten)]
    pub head: ClaimHead,
    #[serde(flatten)]
    pub event: EventColumns,
}

/// What an event claim says, as one revision curates it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventColumns {
    /// When it happened, as curated (a partial date).
    pub date: String,
    /// First day `date` covers.
    pub date_from: Day,
    /// Last day `date` covers.
    pub date_to: Day,
    /// Id of the entity the event is about.
    #[schemars(extend("x-references" = "entities"))]
    pub subject: Option<String>,
    /// Kind of event, e.g. `announcement`.
    #[schemars(extend("x-facet" = true))]
    pub kind: Option<String>,
    /// What happened.
    #[schemars(extend("x-search" = true))]
    pub description: String,
    #[serde(flatten)]
    pub tail: ClaimTail,
}

/// A relation between two entities: `subject predicate object`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationRow {
    #[serde(flatten)]
    pub head: ClaimHead,
    #[serde(flatten)]
    pub relation: RelationColumns,
}

/// What a relation claim says, as one revision curates it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RelationColumns {
    /// Id of the entity the relation starts from.
    #[schemars(extend("x-references" = "entities"))]
    pub subject: String,
    /// What links them, e.g. `hosts`, `develops`.
    #[schemars(extend("x-facet" = true))]
    pub predicate: String,
    /// Id of the entity the relation points to.
    #[schemars(extend("x-references" = "entities"))]
    pub object: String,
    /// The capacity in which the subject is related, e.g. a job title or `reseller`.
    #[schemars(extend("x-search" = true))]
    pub role: Option<String>,
    /// When the relation began, as curated (a partial date).
    pub start: Option<String>,
    /// First day `start` covers.
    pub start_from: Option<Day>,
    /// Last day `start` covers.
    pub start_to: Option<Day>,
    /// When the relation ended, as curated (a partial date).
    pub end: Option<String>,
    /// First day `end` covers.
    pub end_from: Option<Day>,
    /// Last day `end` covers.
    pub end_to: Option<Day>,
    /// Curator's description of the relation.
    #[schemars(extend("x-search" = true))]
    pub description: Option<String>,
    #[serde(flatten)]
    pub tail: ClaimTail,
}

/// A document that a revision cites.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRow {
    /// Id of the source: `<profile>/<updated>/<local_id>`.
    pub id: String,
    #[serde(flatten)]
    pub local_id: SourceId,
    /// Slug of the profile that cites the source.
    pub profile: String,
    /// Day the revision that cites the source was updated.
    pub updated: Day,
    /// Id of the revision that cites the source (a row of `profiles`).
    #[schemars(extend("x-references" = "profiles"))]
    pub revision: String,
    #[serde(flatten)]
    pub source: SourceColumns,
}

/// How a revision names a source it cites.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourceId {
    /// Id of the source as curated, local to its revision.
    pub local_id: String,
}

/// What a revision says of a source it cites.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourceColumns {
    /// Title of the source.
    #[schemars(extend("x-search" = true))]
    pub title: String,
    /// Address of the source.
    pub url: Option<String>,
    /// Who published the source.
    #[schemars(extend("x-search" = true))]
    pub publisher: Option<String>,
    /// When the source was published, as curated (a partial date).
    pub published: Option<String>,
    /// First day `published` covers.
    pub published_from: Option<Day>,
    /// Last day `published` covers.
    pub published_to: Option<Day>,
    /// When the curator last read the source, as curated (a partial date).
    pub accessed: Option<String>,
    /// First day `accessed` covers.
    pub accessed_from: Option<Day>,
    /// Last day `accessed` covers.
    pub accessed_to: Option<Day>,
    /// SHA-256 of the source's text as read (the archived copy the claims were curated from).
    pub sha256: Option<String>,
}

/// A claim citing a source.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationRow {
    /// Id of the claim (a row of `claims`).
    #[schemars(extend("x-references" = "claims"))]
    pub claim_id: String,
    /// Id of the source it cites (a row of `sources`).
    #[schemars(extend("x-references" = "sources"))]
    pub source_id: String,
}

/// One fact added, removed or changed between two consecutive revisions of a profile.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRow {
    /// Id of the change: `<profile>/<old_updated>/<new_updated>/<kind>/<key>`, then `/<field>` for a
    /// changed field.
    pub id: String,
    /// Slug of the profile.
    #[schemars(extend("x-references" = "entities"))]
    pub profile: String,
    /// Day the older revision was updated. (Not `from`, a word SQL reserves.)
    pub old_updated: Day,
    /// Day the newer revision was updated. (Not `to`, a word SQL reserves.)
    pub new_updated: Day,
    /// Id of the newer revision (a row of `profiles`).
    #[schemars(extend("x-references" = "profiles"))]
    pub revision: String,
    /// What changed: the profile's own fields, an organization, system or person it declares, or a claim.
    #[schemars(extend("x-facet" = true))]
    pub kind: Subject,
    /// Claim key, entity id or profile slug of what changed.
    pub key: String,
    /// Id of the claim in the older revision (a row of `claims`), when the older revision makes it.
    #[schemars(extend("x-references" = "claims"))]
    pub old_claim_id: Option<String>,
    /// Id of the claim in the newer revision (a row of `claims`), when the newer revision makes it.
    #[schemars(extend("x-references" = "claims"))]
    pub new_claim_id: Option<String>,
    /// Added (only in the newer revision), removed (only in the older one) or changed (a field differs).
    pub change: ChangeType,
    /// The field that changed, dotted when nested (`amount.value`); empty when a whole thing was added
    /// or removed.
    pub field: Option<String>,
    /// The older value as text (lists as JSON, amounts as plain digits), or a description of what was
    /// removed.
    #[schemars(extend("x-search" = true))]
    pub old_value: Option<String>,
    /// The newer value as text (lists as JSON, amounts as plain digits), or a description of what was
    /// added.
    #[schemars(extend("x-search" = true))]
    pub new_value: Option<String>,
}

/// A claim in a revision's document: what it says, with the sources it cites.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Claimed{T}")]
pub struct Claimed<'a, T> {
    #[serde(flatten)]
    pub key: &'a ClaimKey,
    #[serde(flatten)]
    pub claim: &'a T,
    /// Local ids of the sources (`local_id` in `sources`) the claim cites.
    pub sources: Vec<&'a str>,
}

/// An organization, system or person in a revision's document: as merged across the dataset, with the
/// sources this revision cites for it (the dataset-wide list is in its table).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Named{T}")]
pub struct Named<T> {
    #[serde(flatten)]
    pub entity: T,
    /// Its identifiers in other registers.
    pub identifiers: Vec<IdentifierColumns>,
    /// Local ids of the sources (`local_id` in `sources`) this revision cites for the entity.
    pub sources: Vec<String>,
}

/// A source in a revision's document.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cited<'a> {
    #[serde(flatten)]
    pub local_id: &'a SourceId,
    #[serde(flatten)]
    pub source: &'a SourceColumns,
}

/// What one revision curates, as its document in `json/profiles.jsonl` holds it before the entities
/// it names are added: its own columns, its sources and every claim with the sources it cites.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionDocument<'a> {
    #[serde(flatten)]
    pub profile: &'a ProfileRow,
    /// The sources this revision cites.
    pub sources: Vec<Cited<'a>>,
    /// Contracts of this revision.
    pub contracts: Vec<Claimed<'a, ContractColumns>>,
    /// Figures of this revision.
    pub figures: Vec<Claimed<'a, FigureColumns>>,
    /// Events of this revision.
    pub events: Vec<Claimed<'a, EventColumns>>,
    /// Relations of this revision.
    pub relations: Vec<Claimed<'a, RelationColumns>>,
}

/// One line of `json/profiles.jsonl`: a profile revision, fully resolved. It holds the revision's own
/// facts (absent members have no value) and every organization and system it declares or refers to,
/// once; what changed between revisions is in the `changes` table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileDocument<'a> {
    #[serde(flatten)]
    pub revision: RevisionDocument<'a>,
    /// The organizations this revision declares or refers to.
    pub organizations: Vec<Named<OrganizationColumns>>,
    /// The systems this revision declares or refers to.
    pub systems: Vec<Named<SystemColumns>>,
    /// The people this revision declares or refers to.
    pub people: Vec<Named<PersonColumns>>,
}
