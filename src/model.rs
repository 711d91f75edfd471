//! The curated input: what a researcher writes. These types are the single source of truth for the
//! input JSON Schema (through schemars), so every field carries the doc comment users will read.

use crate::date::{DateError, DateSpan};
pub use crate::identifier::Identifiers;
use crate::quantity::{Decimal, QuantityError};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;

/// The most UTF-16 code units a workbook cell holds (Excel's limit, which the workbook writer
/// enforces): every curated text must fit (`E0217`), so that `build` never stops on one.
pub const CELL_UNITS: usize = 32_767;
/// Regular expression of an id: lower-case words of letters and digits joined by single hyphens.
pub const SLUG_PATTERN: &str = r"^[a-z0-9]+(-[a-z0-9]+)*$";
/// Regular expression of an award id: 1 to 50 characters of A-Z, 0-9 and `-`.
pub const AWARD_ID_PATTERN: &str = r"^[A-Z0-9-]{1,50}$";
/// Regular expression of a SHA-256 as the input writes it.
pub const SHA256_PATTERN: &str = r"^[0-9a-f]{64}$";
/// Regular expression of a quote: a character other than white space somewhere, as a quote is words
/// of its source (white space alone would be found in any text). `\u0085` (next line) is white space
/// to Unicode and to the quote check, but not to the `\s` of the schema's regular expressions.
pub const QUOTE_PATTERN: &str = r"[^\s\u0085]";
/// Regular expression of an open vocabulary word (`kind`, `metric`, `predicate`, `unit`).
pub const WORD_PATTERN: &str = r"^[a-z0-9]+(_[a-z0-9]+)*$";
/// Regular expression of a web address: the scheme `http` or `https` in any case, then a host. JSON
/// Schema patterns are ECMA-262 regular expressions, which have no inline flag for case.
pub const WEB_ADDRESS_PATTERN: &str = r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]";

/// The description of the whole dataset, read from `dataset.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Dataset description (dataset.yaml)")]
pub struct DatasetMeta {
    /// Machine name of the dataset (a slug), used as the data package name.
    #[schemars(regex(pattern = SLUG_PATTERN))]
    pub name: String,
    /// Human title of the dataset.
    pub title: String,
    /// What the dataset contains and how it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub description: Option<String>,
    /// Version of the dataset, e.g. `1.0.0`.
    pub version: String,
    /// Licence of the dataset as an SPDX identifier, e.g. `CC-BY-4.0`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9.+-]+$"))]
    pub license: String,
    /// Who publishes the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub publisher: Option<String>,
    /// Web page of the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<WebAddress>,
    /// Where the data as a whole comes from, listed as the data package's sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<DatasetSource>,
    /// Publication gates: what the checked dataset must hold before `check` passes and `build`
    /// publishes it, e.g. `{table: profiles, min_rows: 2}` or `{table: contracts, column: value,
    /// min_filled: 0.5}`. A gate that fails is an error that states the figure it measured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertions: Vec<Assertion>,
}

/// A publication gate, in one of two forms: the rows of a table, `{table, min_rows?, max_rows?}`
/// with at least one bound, or the filled values of one of its columns, `{table, column,
/// min_filled}`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    /// The table, as published, e.g. `contracts`.
    #[schemars(length(min = 1))]
    pub table: String,
    /// The column whose filled values `min_filled` counts, e.g. `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub column: Option<String>,
    /// The fewest rows the table may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<u64>,
    /// The most rows the table may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<u64>,
    /// The smallest fraction of the table's rows, from 0 to 1, in which `column` is filled: not
    /// empty, and for a list, at least one item. `0.5` is half of the rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_filled: Option<Fraction>,
}

/// A fraction from 0 to 1, read exactly from its digits (at most 9 after the point), never
/// through a float: `0.3` is three tenths, so a gate at 30% passes 3 rows of 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction(pub Decimal);

impl Fraction {
    /// Reads a fraction from the digits of a number.
    pub fn parse(text: &str) -> Result<Fraction, String> {
        let value = Decimal::parse(text).map_err(|e| match e {
            QuantityError::TooPrecise => {
                format!("`{text}` has more than 9 digits after the decimal point: write the fraction with at most 9")
            }
            _ => format!("`{text}` is not a fraction: write a number from 0 to 1, e.g. `0.5`"),
        })?;
        let one = Decimal {
            units: 10i128.pow(crate::quantity::SCALE),
        };
        match (Decimal { units: 0 }..=one).contains(&value) {
            true => Ok(Fraction(value)),
            false => Err(format!("`{text}` is not a fraction from 0 to 1, e.g. `0.5`")),
        }
    }
}

impl Serialize for Fraction {
    /// As a number, from its exact digits (serde_json's `arbitrary_precision` keeps them).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use std::str::FromStr as _;
        let number = serde_json::Number::from_str(&self.0.to_string()).map_err(serde::ser::Error::custom)?;
        number.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Fraction::parse(&scalar_text(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Fraction {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Fraction".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "number", "minimum": 0, "maximum": 1 })
    }
}

/// A source of the dataset as a whole.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetSource {
    /// Title of the source.
    #[schemars(length(min = 1))]
    pub title: String,
    /// Address of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebAddress>,
}

/// One dated revision of a company profile: one file `profiles/<profile>/<updated>.<ext>`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Company profile revision")]
pub struct Revision {
    /// Slug of the profile; also the entity id of the profiled company.
    #[schemars(regex(pattern = SLUG_PATTERN))]
    pub profile: String,
    /// Day this revision of the profile was last updated (`YYYY-MM-DD`); unique per profile.
    pub updated: RevisionDate,
    /// Name of the profiled company.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Other names the company is known by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(length(min = 1)))]
    pub aliases: Vec<String>,
    /// Short description of the company and why it is profiled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub summary: Option<String>,
    /// Where the company has its headquarters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headquarters: Option<Headquarters>,
    /// Stock exchange symbols, e.g. `NASDAQ:AMZN`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(length(min = 1)))]
    pub stock_symbols: Vec<String>,
    /// Topics of the profile, as snake_case words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Word>,
    /// The sources this revision cites; their ids are local to this file.
    #[schemars(length(min = 1))]
    pub sources: Vec<Source>,
    /// Companies, subsidiaries, agencies, police departments and contractors the profile mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizations: Vec<Organization>,
    /// Databases, software, devices and platforms the profile mentions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<System>,
    /// People the sources name: executives, officials, spokespeople.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Person>,
    /// Contracts: who bought what from whom, for how much, when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<Contract>,
    /// Figures: revenue, records held, transactions per day and other quantities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    /// Dated events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Relations between two entities, e.g. a company hosts a system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
}

/// Organization, system or person: the three types of entity, sharing one id namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A company, subsidiary, agency, police department or contractor.
    Organization,
    /// A database, piece of software, device or platform.
    System,
    /// A person: an executive, an official, a spokesperson.
    Person,
}

impl EntityType {
    /// The type as written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Organization => "organization",
            EntityType::System => "system",
            EntityType::Person => "person",
        }
    }

    /// The article before the type in a sentence: "an organization", "a person".
    pub fn article(self) -> &'static str {
        match self {
            EntityType::Organization => "an",
            EntityType::System | EntityType::Person => "a",
        }
    }
}

/// The input JSON Schema of a profile revision file.
pub fn revision_schema() -> serde_json::Value {
    schemars::schema_for!(Revision).to_value()
}

/// The input JSON Schema of `dataset.yaml`.
pub fn dataset_schema() -> serde_json::Value {
    schemars::schema_for!(DatasetMeta).to_value()
}

/// A place: city, region and country.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Headquarters {
    /// City of the headquarters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub city: Option<String>,
    /// Region, state or province of the headquarters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub region: Option<String>,
    /// Country of the headquarters (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
}

/// A document that claims cite.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Id of the source, local to its revision file.
    pub id: Slug,
    /// Title of the source.
    #[schemars(length(min = 1))]
    pub title: String,
    /// Address of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebAddress>,
    /// Who published the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub publisher: Option<String>,
    /// When the source was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PartialDate>,
    /// When the curator last read the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessed: Option<PartialDate>,
    /// SHA-256 of the source's text as read: 64 lower-case hex digits. `check --archive` finds the
    /// archived copy by it and proves every quote that cites the source against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<Sha256>,
}

/// A company, subsidiary, government agency, police department or contractor.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Id of the organization, global to the dataset and shared with systems.
    pub id: Slug,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub name: Option<String>,
    /// Short name, e.g. `ICE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub abbreviation: Option<String>,
    /// Other names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(length(min = 1)))]
    pub aliases: Option<Vec<String>>,
    /// Kind of organization, e.g. `company`, `government_agency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Word>,
    /// Id of the parent organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Slug>,
    /// Country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// Short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub description: Option<String>,
    /// Identifiers of the entity in other registers, by scheme: `{wikidata: Q3884, lei: ...}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Identifiers>,
    /// Ids of the sources of this declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Slug>>,
}

/// A database, piece of software, device or platform.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// Id of the system, global to the dataset and shared with organizations.
    pub id: Slug,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub name: Option<String>,
    /// Short name, e.g. `HART`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub abbreviation: Option<String>,
    /// Other names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(length(min = 1)))]
    pub aliases: Option<Vec<String>>,
    /// Kind of system, e.g. `biometric_database`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Word>,
    /// Id of the organization that operates the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<Slug>,
    /// Id of the organization that developed the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer: Option<Slug>,
    /// Id of the system this one replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Slug>,
    /// Short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub description: Option<String>,
    /// Identifiers of the entity in other registers, by scheme: `{wikidata: Q3884, lei: ...}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Identifiers>,
    /// Ids of the sources of this declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Slug>>,
}

/// A person the sources name: an executive, an official, a spokesperson.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Id of the person, global to the dataset and shared with organizations and systems.
    pub id: Slug,
    /// Full name, e.g. `Teresa Carlson`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub name: Option<String>,
    /// Other names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(length(min = 1)))]
    pub aliases: Option<Vec<String>>,
    /// Short description, e.g. their office; a role in a relation says in what capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub description: Option<String>,
    /// Identifiers of the person in other registers, by scheme, e.g. `{wikidata: Q...}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Identifiers>,
    /// Ids of the sources of this declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Slug>>,
}

/// Fields every claim (contract, figure, event, relation) has.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct ClaimFields {
    /// Ids of the sources that support the claim (at least one).
    #[schemars(length(min = 1))]
    pub sources: Vec<Slug>,
    /// Status of the claim.
    #[serde(default)]
    pub status: Status,
    /// Id of the entity that asserts the claim, e.g. `palantir` for "according to Palantir".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<Slug>,
    /// Verbatim words of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1), regex(pattern = QUOTE_PATTERN))]
    pub quote: Option<String>,
    /// Date at which the claim was observed to hold (for a figure, part of its key: the same
    /// metric at another date is another claim); required by the status `not_found`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<PartialDate>,
}

/// Status of a claim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Reported as fact by the sources.
    #[default]
    Reported,
    /// Announced or intended, not yet done.
    Planned,
    /// Contested by another source.
    Disputed,
    /// Looked for and not found, as of `as_of` (which it requires): e.g. no contract in the
    /// procurement data.
    NotFound,
}

/// A contract between a buyer and a supplier (one contract per supplier).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// Explicit id of the claim, stable across revisions; otherwise its key is derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Slug>,
    /// Id of the organization that buys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Slug>,
    /// Id of the organization that supplies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Slug>,
    /// Id of the organization whose products or services the supplier delivers, when the supplier
    /// is a reseller or partner (ICE pays Four Points Technology for Amazon's cloud: `aws`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Slug>,
    /// The procurement identifiers of the award as the procurement record writes them (e.g. PIIDs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub award_ids: Vec<AwardId>,
    /// What the contract is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub description: Option<String>,
    /// Value of the contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// When the contract starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<PartialDate>,
    /// When the contract ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<PartialDate>,
    #[serde(flatten)]
    pub claim: ClaimFields,
}

/// An exact quantity: a single value with a qualifier, or a range.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    /// The value, as a number or text such as `9.1 million`, `566,000` or `$177.9 billion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<DecimalText>,
    /// Lower bound of a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<DecimalText>,
    /// Upper bound of a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<DecimalText>,
    /// How `value` bounds the true quantity; a range takes none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<Qualifier>,
    /// Currency of a money amount (ISO 4217).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<String>,
    /// Unit of a count, e.g. `people`, `transactions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Word>,
    /// The time unit of a rate: the quantity is per day, week, month or year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<Per>,
}

/// How a value bounds the true quantity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// Exactly the value.
    #[default]
    Exact,
    /// Approximately the value.
    About,
    /// The value or more.
    AtLeast,
    /// The value or less.
    AtMost,
    /// More than the value.
    MoreThan,
    /// Less than the value.
    LessThan,
}

/// The time unit of a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

/// A quantity about an entity: revenue, employees, records held, transactions per day.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// Explicit id of the claim, stable across revisions; otherwise its key is derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Slug>,
    /// Id of the entity the figure is about.
    pub subject: Slug,
    /// What is measured, e.g. `revenue`, `employees`, `transactions`.
    pub metric: Word,
    #[serde(flatten)]
    pub amount: Amount,
    /// Period the figure covers, e.g. the year of a revenue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<PartialDate>,
    /// Curator's note on the figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub note: Option<String>,
    #[serde(flatten)]
    pub claim: ClaimFields,
}

/// Something that happened (or is planned) at a date.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Explicit id of the claim, stable across revisions; otherwise its key is derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Slug>,
    /// When it happened.
    pub date: PartialDate,
    /// Id of the entity the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Slug>,
    /// Kind of event, e.g. `announcement`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Word>,
    /// What happened.
    #[schemars(length(min = 1))]
    pub description: String,
    #[serde(flatten)]
    pub claim: ClaimFields,
}

/// A relation between two entities: `subject predicate object`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// Explicit id of the claim, stable across revisions; otherwise its key is derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Slug>,
    /// Id of the entity the relation starts from.
    pub subject: Slug,
    /// What links them, e.g. `hosts`, `develops`.
    pub predicate: Word,
    /// Id of the entity the relation points to.
    pub object: Slug,
    /// The capacity in which the subject is related, e.g. a job title or `reseller`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub role: Option<String>,
    /// When the relation began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<PartialDate>,
    /// When the relation ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<PartialDate>,
    /// Curator's description of the relation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub description: Option<String>,
    #[serde(flatten)]
    pub claim: ClaimFields,
}

/// Declares a text newtype whose schema is a pattern-checked string.
macro_rules! pattern_string {
    ($(#[doc = $doc:literal])* $name:ident, $pattern:expr) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "description": concat!($($doc),*).trim(),
                    "type": "string",
                    "pattern": $pattern
                })
            }
        }
    };
}

pattern_string!(
    /// An id: lower-case letters and digits joined by single hyphens.
    Slug,
    SLUG_PATTERN
);
pattern_string!(
    /// A word of an open vocabulary, in snake_case.
    Word,
    WORD_PATTERN
);
pattern_string!(
    /// An ISO 3166-1 alpha-2 country code, e.g. `US`, `NO`.
    CountryCode,
    r"^[A-Z]{2}$"
);
pattern_string!(
    /// A procurement identifier of an award as its record writes it (a PIID, say): 1 to 50
    /// characters of A-Z, 0-9 and `-`.
    AwardId,
    AWARD_ID_PATTERN
);
pattern_string!(
    /// A SHA-256: 64 lower-case hex digits.
    Sha256,
    SHA256_PATTERN
);

/// A web address: an `http` or `https` URI, the scheme in any case. No other scheme is a web
/// address: `javascript:`, `data:` or `file:` would run or open something where a reader of the
/// dataset's README, its Datasette pages or its tables follows the link.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(transparent)]
pub struct WebAddress(pub String);

impl WebAddress {
    /// The address as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address, if it may be linked (`is_web`): what every export that links one goes through.
    pub fn linkable(&self) -> Option<&str> {
        Self::is_web(&self.0).then_some(self.0.as_str())
    }

    /// Whether `text` matches `WEB_ADDRESS_PATTERN`: the scheme `http` or `https` in any case, then a host.
    pub fn matches_pattern(text: &str) -> bool {
        let rest = ["https://", "http://"].iter().find_map(|scheme| {
            let head = text.get(..scheme.len())?;
            head.eq_ignore_ascii_case(scheme).then(|| &text[scheme.len()..])
        });
        rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with(['/', '?', '#']))
    }

    /// Whether `text` is a web address: it matches `WEB_ADDRESS_PATTERN` and holds no white space
    /// or control character. The input schema checks it; every export that links an address asks
    /// again, so that nothing else is ever linked.
    pub fn is_web(text: &str) -> bool {
        Self::matches_pattern(text) && !text.chars().any(|c| c.is_whitespace() || c.is_control())
    }
}

impl JsonSchema for WebAddress {
    fn schema_name() -> Cow<'static, str> {
        "WebAddress".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A web address: an http or https URI, e.g. `https://example.org/page`.",
            "type": "string",
            "format": "uri",
            "pattern": WEB_ADDRESS_PATTERN
        })
    }
}

/// A partial date as curated: `2020`, `2020-06`, `2020-06-15`, a season `2018-22` (21 spring to 24
/// winter), optionally followed by `?` (uncertain), `~` (approximate) or `%` (both). It is parsed
/// when it is read: the curated text and the days it covers stay together, so no later stage parses
/// it again or meets one that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialDate {
    text: String,
    span: DateSpan,
}

impl PartialDate {
    /// Parses a curated partial date.
    pub fn parse(text: &str) -> Result<PartialDate, DateError> {
        DateSpan::parse(text).map(|span| PartialDate {
            text: text.to_owned(),
            span,
        })
    }

    /// The date as curated.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The first and last day it covers.
    pub fn span(&self) -> DateSpan {
        self.span
    }
}

/// The day a revision was last updated, `YYYY-MM-DD`, parsed when it is read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RevisionDate {
    text: String,
    day: jiff::civil::Date,
}

impl RevisionDate {
    /// Parses a day written `YYYY-MM-DD` (of the calendar, from the year 0001).
    pub fn parse(text: &str) -> Result<RevisionDate, DateError> {
        let is_day = text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        let span = DateSpan::parse(text)?;
        match is_day && span.from == span.to {
            true => Ok(RevisionDate {
                text: text.to_owned(),
                day: span.from,
            }),
            false => Err(DateError::Syntax),
        }
    }

    /// The day as curated, `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The day.
    pub fn day(&self) -> jiff::civil::Date {
        self.day
    }
}

impl std::fmt::Display for RevisionDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<str> for RevisionDate {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl AsRef<std::path::Path> for RevisionDate {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&self.text)
    }
}

/// An exact decimal as curated (a number, or text such as `9.1 million`, `566,000`, `$177.9
/// billion`), parsed when it is read into its exact value; the curated text is kept beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalText {
    text: String,
    value: Decimal,
}

impl DecimalText {
    /// Parses a curated amount.
    pub fn parse(text: &str) -> Result<DecimalText, QuantityError> {
        Decimal::parse(text).map(|value| DecimalText {
            text: text.to_owned(),
            value,
        })
    }

    /// The amount as curated.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its exact value.
    pub fn value(&self) -> Decimal {
        self.value
    }
}

/// A partial date as curated, its text.
impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// A day as curated, its text.
impl Serialize for RevisionDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// An amount as its exact value in plain digits: `9.1 million` and `9100000` are the same amount,
/// which is what comparing revisions needs.
impl Serialize for DecimalText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.value)
    }
}

/// Reads a scalar that may arrive as a number or a string and keeps its exact text. With
/// `arbitrary_precision`, serde_json hands a number over as a one-entry map holding its source
/// digits unless an `f64` prints back to them exactly; going through `serde_json::Value` instead
/// would rebuild it from that `f64` and print `1e-10` for `0.0000000001`.
fn scalar_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct ScalarText;

    impl<'de> serde::de::Visitor<'de> for ScalarText {
        type Value = String;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number or text")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<String, E> {
            Ok(text.to_owned())
        }
        fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<String, E> {
            Ok(number.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<String, E> {
            Ok(number.to_string())
        }
        // Integers beyond 64 bits (up to 128) are read exactly too; the amount rules then say
        // whether they fit `decimal128(38, 9)`.
        fn visit_u128<E: serde::de::Error>(self, number: u128) -> Result<String, E> {
            Ok(number.to_string())
        }
        fn visit_i128<E: serde::de::Error>(self, number: i128) -> Result<String, E> {
            Ok(number.to_string())
        }
        /// serde_json calls this only when the float prints back to its source text exactly, so its
        /// shortest round-trip digits are the curated value (Rust never prints an exponent here).
        fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<String, E> {
            Ok(number.to_string())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
            match map.next_key::<String>()?.as_deref() {
                Some("$serde_json::private::Number") => map.next_value(),
                _ => Err(serde::de::Error::custom("expected a number or text, found a mapping")),
            }
        }
    }

    deserializer.deserialize_any(ScalarText)
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = scalar_text(deserializer)?;
        PartialDate::parse(&text).map_err(|e| serde::de::Error::custom(format!("`{text}` {e}")))
    }
}

impl<'de> Deserialize<'de> for RevisionDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RevisionDate::parse(&text).map_err(|e| serde::de::Error::custom(format!("`{text}` {e}")))
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = scalar_text(deserializer)?;
        DecimalText::parse(&text).map_err(|e| serde::de::Error::custom(format!("`{text}` {e}")))
    }
}

/// What a parsed scalar of the model holds, for the code of its problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// A partial date or a day.
    Date,
    /// An exact decimal.
    Amount,
    /// An identifier in another register.
    Identifier,
}

/// The scalars of the model that are parsed when read, by the name of their schema: whether `text`
/// is one, and if not, what it is meant to be and why not. The checker asks this of every value a
/// document holds where its schema names such a type, when the document cannot be read into its
/// types: each bad value is then reported at its own place, all at once.
pub fn parse_scalar(schema_name: &str, text: &str) -> Option<Result<(), (Scalar, String)>> {
    let problem = |scalar: Scalar, error: &dyn std::fmt::Display| Err((scalar, format!("`{text}` {error}")));
    if schema_name == PartialDate::schema_name() {
        Some(PartialDate::parse(text).map_or_else(|e| problem(Scalar::Date, &e), |_| Ok(())))
    } else if schema_name == RevisionDate::schema_name() {
        Some(RevisionDate::parse(text).map_or_else(|e| problem(Scalar::Date, &e), |_| Ok(())))
    } else if schema_name == DecimalText::schema_name() {
        Some(DecimalText::parse(text).map_or_else(|e| problem(Scalar::Amount, &e), |_| Ok(())))
    } else {
        Identifiers::scheme_of_schema(schema_name).map(|scheme| {
            scheme
                .check(text)
                .map(|_| ())
                .map_err(|e| (Scalar::Identifier, e.to_string()))
        })
    }
}

impl JsonSchema for PartialDate {
    fn schema_name() -> Cow<'static, str> {
        "PartialDate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A partial date: `2020`, `2020-06`, `2020-06-15`, a season `2018-22` (21 spring to 24 winter), optionally followed by `?`, `~` or `%`. A bare year may be a number.",
            // The format is checked by the date rules, which name the problem precisely.
            "type": ["integer", "string"]
        })
    }
}

impl JsonSchema for RevisionDate {
    fn schema_name() -> Cow<'static, str> {
        "RevisionDate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A day, `YYYY-MM-DD`, of the calendar.",
            "type": "string",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        })
    }
}

impl JsonSchema for DecimalText {
    fn schema_name() -> Cow<'static, str> {
        "DecimalText".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An exact decimal: a number, or text such as `9.1 million`, `566,000` or `$177.9 billion`. Never read through a float.",
            // The format is checked by the amount rules, which name the problem precisely.
            "type": ["number", "string"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_are_web_addresses() {
        for web in [
            "https://example.org",
            "http://example.org/a?b#c",
            "HTTPS://EXAMPLE.ORG",
            "hTtP://x",
        ] {
            assert!(WebAddress::is_web(web), "{web}");
        }
        for other in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "https:///etc/passwd",
            "https://",
            "http:example.org",
            "ftp://example.org",
            " https://example.org",
            "https://example.org/\n",
            "https://exa mple.org",
            "https://example.org\u{2028}",
        ] {
            assert!(!WebAddress::is_web(other), "{other}");
        }
    }

    #[test]
    fn numbers_keep_their_source_digits() {
        // (`0.0000000001` keeps its digits too, and is then refused: more than 9 after the point.)
        for text in ["0.000000001", "12345678901234567.89", "12.30", "2020", "0.1"] {
            let value: serde_json::Value = serde_json::from_str(&format!(r#"{{"value": {text}}}"#)).expect("json");
            let direct: Amount = serde_json::from_value(value.clone()).expect("amount");
            assert_eq!(direct.value.as_ref().map(DecimalText::text), Some(text), "from_value");
            let exact = Decimal::parse(text).expect("a decimal");
            assert_eq!(
                direct.value.as_ref().map(DecimalText::value),
                Some(exact),
                "parsed once, exactly"
            );
            let tracked: Amount = serde_path_to_error::deserialize(&value).expect("amount");
            assert_eq!(
                tracked.value.as_ref().map(DecimalText::text),
                Some(text),
                "path_to_error"
            );
        }
    }
}
