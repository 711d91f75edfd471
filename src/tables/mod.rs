//! The published tables: row types (`rows`), the checked dataset turned into rows (`normalize`), and
//! each table as one Arrow record batch whose schema is derived from the row type's JSON Schema, so
//! that names, types and descriptions are written once, on the Rust type.

pub mod arrow;
mod normalize;
pub mod rows;

pub use normalize::{Names, Normalized, entities, revisions};
pub use rows::*;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, FieldRef, Schema as ArrowSchema};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Arrow scale and precision of every exact decimal.
pub const DECIMAL_TYPE: DataType = DataType::Decimal128(38, 9);

/// The one list of tables, in the order of the data dictionary: each table's name, its row type,
/// its primary key (`id` unless given) and, after `=>`, the order Datasette shows its rows in (by
/// primary key unless given). Everything else about a table is read from its row type:
/// its description, its columns with their types and descriptions, and per column the properties
/// `x-references` (a foreign key: the table whose `id` it holds), `x-search` (full-text search
/// covers it) and `x-facet` (Datasette offers it as a facet), set with `#[schemars(extend(...))]`.
/// Adding a table is its row type, its rows in `normalize`, and a line here.
macro_rules! tables {
    ($($name:ident: $row:ty $([$($key:literal),+])? $(=> $order:expr)?,)*) => {
        /// Rows of every table: a batch of revisions fills the tables of revisions, a batch of
        /// entities the tables of entities.
        #[derive(Debug, Default)]
        pub struct Rows {
            $(#[doc = concat!("Rows of `", stringify!($name), "`.")] pub $name: Vec<$row>,)*
        }

        /// Every table, with no rows yet, in the order of the data dictionary.
        pub fn all() -> Vec<Table> {
            vec![$(Table::of::<$row>(stringify!($name), &[$($($key),+)?])$(.ordered($order))?,)*]
        }

        impl Rows {
            /// How many rows each table has here, in the order of `all()`.
            pub fn counts(&self) -> Vec<usize> {
                vec![$(self.$name.len(),)*]
            }

            /// Each table's rows as one record batch (none for a table without rows here), in the
            /// order of `all()`, the tables in parallel.
            pub fn records(&self, tables: &[Table]) -> Result<Vec<Option<RecordBatch>>, arrow::Unfit> {
                use rayon::prelude::*;
                type Job<'a> = Box<dyn Fn(&Table) -> Result<Option<RecordBatch>, arrow::Unfit> + Send + Sync + 'a>;
                let jobs: Vec<Job<'_>> = vec![$(Box::new(|table: &Table| match self.$name.is_empty() {
                    true => Ok(None),
                    false => arrow::record_batch(table, &self.$name).map(Some),
                }),)*];
                jobs.par_iter().zip(tables).map(|(job, table)| job(table)).collect()
            }
        }

        #[cfg(test)]
        fn described() -> Vec<(String, Vec<Column>)> {
            vec![$(describe::<$row>(),)*]
        }
    };
}

// Orders: what was curated last comes first (a living dataset is read for what is new), so
// revisions, claims and the sources they cite are newest revision first, and changes newest first;
// things looked up by name (entities, organizations, systems) are in the order of their names;
// `citations`, a link table, keeps its key's order.
tables! {
    profiles: ProfileRow => Order::Descending("updated"),
    entities: EntityRow => Order::Ascending("name"),
    organizations: OrganizationRow => Order::Ascending("name"),
    systems: SystemRow => Order::Ascending("name"),
    people: PersonRow => Order::Ascending("name"),
    identifiers: IdentifierRow ["entity_id", "scheme"],
    claims: ClaimRow => Order::Descending("updated"),
    contracts: ContractRow => Order::Descending("updated"),
    figures: FigureRow => Order::Descending("updated"),
    events: EventRow => Order::Descending("updated"),
    relations: RelationRow => Order::Descending("updated"),
    sources: SourceRow => Order::Descending("updated"),
    citations: CitationRow ["claim_id", "source_id"],
    changes: ChangeRow => Order::Descending("new_updated"),
}

/// The order a browser of the data (Datasette) shows a table's rows in unless the reader sorts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// By primary key.
    Key,
    /// By this column, smallest (earliest, first in the alphabet) first.
    Ascending(&'static str),
    /// By this column, largest (newest) first.
    Descending(&'static str),
}

/// The type of a column, as the row type's JSON Schema declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text: Arrow `utf8`.
    Text,
    /// True or false: Arrow `bool`.
    Boolean,
    /// A day: Arrow `date32`.
    Date,
    /// An exact decimal: Arrow `decimal128(38, 9)`.
    Decimal,
    /// A list of texts: Arrow `list<utf8>`; a JSON array in CSV.
    TextList,
}

impl ColumnType {
    /// The Arrow type of the column.
    pub fn arrow(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Boolean => DataType::Boolean,
            ColumnType::Date => DataType::Date32,
            ColumnType::Decimal => DECIMAL_TYPE,
            // `element`, as the Parquet format names list elements (arrow-rs would say `item`).
            ColumnType::TextList => DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
        }
    }

    /// How the data dictionary names the type.
    pub fn label(self) -> &'static str {
        match self {
            ColumnType::Text => "string",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Decimal => "decimal(38, 9)",
            ColumnType::TextList => "list of strings",
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Name of the column.
    pub name: String,
    /// Its type.
    pub column_type: ColumnType,
    /// Whether a row may leave it empty.
    pub nullable: bool,
    /// What it holds: the doc comment of the field.
    pub description: String,
    /// The only values it may hold, for columns of a closed vocabulary.
    pub values: Vec<String>,
    /// The table whose `id` it holds, if it is a foreign key.
    pub references: Option<String>,
    /// Whether full-text search covers it.
    pub search: bool,
    /// Whether a browser of the data offers it as a facet.
    pub facet: bool,
}

/// A table ready to write: its description, columns, keys and rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// Name of the table.
    pub name: &'static str,
    /// What a row is: the doc comment of the row type.
    pub description: String,
    /// Columns, in order.
    pub columns: Vec<Column>,
    /// Columns whose values identify a row.
    pub primary_key: Vec<&'static str>,
    /// The order a browser of the data shows its rows in.
    pub order: Order,
    /// The number of rows written so far.
    pub rows: usize,
}

impl Table {
    /// The table `name` of the row type `T`, keyed by `key` (`id` if empty), with no rows yet.
    pub fn of<T: JsonSchema>(name: &'static str, key: &[&'static str]) -> Table {
        let (description, columns) = describe::<T>();
        Table {
            name,
            description,
            columns,
            primary_key: if key.is_empty() { vec!["id"] } else { key.to_vec() },
            order: Order::Key,
            rows: 0,
        }
    }

    /// The table, its rows shown in `order`.
    pub fn ordered(self, order: Order) -> Table {
        Table { order, ..self }
    }

    /// The column `name`, if the table has it.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// (column, table) pairs: the column holds an `id` of that table.
    pub fn foreign_keys(&self) -> impl Iterator<Item = (&str, &str)> {
        self.columns
            .iter()
            .filter_map(|column| Some((column.name.as_str(), column.references.as_deref()?)))
    }

    /// Rows of the table as one Arrow record batch, with the table's schema and metadata.
    pub fn batch<T: Serialize>(&self, rows: &[T]) -> Result<RecordBatch, String> {
        arrow::record_batch(self, rows).map_err(|e| e.to_string())
    }
}

/// The Arrow fields of columns, each carrying its description as field metadata.
pub fn arrow_fields(columns: &[Column]) -> Vec<FieldRef> {
    columns
        .iter()
        .map(|column| {
            let metadata = HashMap::from([("description".to_owned(), column.description.clone())]);
            Arc::new(Field::new(&column.name, column.column_type.arrow(), column.nullable).with_metadata(metadata))
        })
        .collect()
}

/// The Arrow schema of a table, with its description as schema metadata.
pub fn arrow_schema(table: &Table) -> ArrowSchema {
    ArrowSchema::new(arrow_fields(&table.columns))
        .with_metadata(HashMap::from([("description".to_owned(), table.description.clone())]))
}

/// The description and columns of a row type, read from its JSON Schema.
///
/// Panics if a field has a type no table can hold; every row type is covered by a unit test.
pub fn describe<T: JsonSchema>() -> (String, Vec<Column>) {
    let schema = schemars::schema_for!(T);
    let root = schema.as_value();
    let definitions = root.get("$defs").cloned().unwrap_or(Value::Null);
    let description = text(root, "description")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let properties = root
        .get("properties")
        .and_then(Value::as_object)
        .expect("a row type is a struct");
    let columns = properties
        .iter()
        .map(|(name, property)| column(name, property, &definitions))
        .collect();
    (description, columns)
}

fn text(schema: &Value, key: &str) -> String {
    schema.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn column(name: &str, property: &Value, definitions: &Value) -> Column {
    let mut description = text(property, "description");
    let references = property.get("x-references").and_then(Value::as_str).map(str::to_owned);
    let flag = |key: &str| property.get(key).and_then(Value::as_bool).unwrap_or(false);
    let (search, facet) = (flag("x-search"), flag("x-facet"));
    let mut nullable = false;
    let mut schema = property.clone();
    loop {
        if description.is_empty() {
            description = text(&schema, "description");
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.trim_start_matches("#/$defs/");
            schema = definitions[name].clone();
            continue;
        }
        if let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array) {
            let (nulls, others): (Vec<&Value>, Vec<&Value>) = alternatives
                .iter()
                .partition(|a| a.get("type") == Some(&Value::from("null")));
            if nulls.len() == 1 && others.len() == 1 {
                nullable = true;
                schema = others[0].clone();
                continue;
            }
        }
        break;
    }
    let mut types: Vec<&str> = match schema.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"null") {
        nullable = true;
        types.retain(|t| *t != "null");
    }
    let mut values = Vec::new();
    let closed = schema
        .get("oneOf")
        .or_else(|| schema.get("enum"))
        .and_then(Value::as_array);
    let column_type = if let Some(options) = closed {
        for option in options {
            let value = option.get("const").unwrap_or(option);
            values.extend(value.as_str().map(str::to_owned));
        }
        ColumnType::Text
    } else {
        match (types.as_slice(), schema.get("format").and_then(Value::as_str)) {
            (["boolean"], _) => ColumnType::Boolean,
            (["string"], Some("date")) => ColumnType::Date,
            (["string"], Some("decimal")) => ColumnType::Decimal,
            (["string"], _) => ColumnType::Text,
            (["array"], _) if schema["items"]["type"] == "string" => ColumnType::TextList,
            other => panic!("column `{name}` has a type no table holds: {other:?}"),
        }
    };
    Column {
        name: name.to_owned(),
        column_type,
        nullable,
        // Doc comments wrap; a description is one line everywhere it is published.
        description: description.split_whitespace().collect::<Vec<_>>().join(" "),
        values,
        references,
        search,
        facet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_typed_and_described() {
        for (description, columns) in described() {
            assert!(!description.is_empty());
            for column in columns {
                assert!(!column.description.is_empty(), "{} has no description", column.name);
            }
        }
    }

    #[test]
    fn facets_are_the_columns_the_contract_names() {
        // SPEC, "Datasette as a publication": these columns, wherever a table has them.
        const FACETED: [&str; 6] = ["kind", "type", "status", "predicate", "metric", "currency"];
        let mut faceted = Vec::new();
        for table in all() {
            for column in &table.columns {
                assert_eq!(
                    column.facet,
                    FACETED.contains(&column.name.as_str()),
                    "{}.{}",
                    table.name,
                    column.name
                );
                if column.facet {
                    faceted.push(format!("{}.{}", table.name, column.name));
                }
            }
        }
        assert_eq!(
            faceted,
            [
                "entities.type",
                "organizations.kind",
                "systems.kind",
                "claims.kind",
                "contracts.currency",
                "contracts.status",
                "figures.metric",
                "figures.currency",
                "figures.status",
                "events.kind",
                "events.status",
                "relations.predicate",
                "relations.status",
                "changes.kind",
            ]
        );
    }

    #[test]
    fn every_table_is_ordered_by_a_column_it_has() {
        for table in all() {
            let column = match table.order {
                Order::Key => continue,
                Order::Ascending(column) | Order::Descending(column) => column,
            };
            let found = table
                .column(column)
                .unwrap_or_else(|| panic!("{} has no column {column}", table.name));
            assert!(
                !found.nullable,
                "{}.{column} can be empty, which sorts apart",
                table.name
            );
        }
        let claims = all().into_iter().find(|t| t.name == "claims").expect("claims");
        assert_eq!(claims.order, Order::Descending("updated"));
    }

    #[test]
    fn schema_types_become_column_types() {
        let (_, columns) = describe::<ContractRow>();
        let find = |name: &str| columns.iter().find(|c| c.name == name).expect(name).clone();
        assert_eq!(find("id").column_type, ColumnType::Text);
        assert!(!find("id").nullable);
        assert_eq!(find("updated").column_type, ColumnType::Date);
        assert_eq!(find("is_latest").column_type, ColumnType::Boolean);
        assert_eq!(find("value").column_type, ColumnType::Decimal);
        assert!(find("value").nullable);
        assert_eq!(find("start_from").column_type, ColumnType::Date);
        assert!(find("start_from").nullable);
        let qualifier = find("qualifier");
        assert_eq!(
            qualifier.values,
            ["exact", "about", "at_least", "at_most", "more_than", "less_than"]
        );
        assert!(qualifier.nullable);
        assert_eq!(find("status").values, ["reported", "planned", "disputed", "not_found"]);
        assert!(!find("status").nullable);
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(&names[..5], ["id", "key", "profile", "updated", "is_latest"]);
        assert_eq!(
            &names[names.len() - 6..],
            ["status", "attributed_to", "quote", "as_of", "as_of_from", "as_of_to"]
        );
        let (_, profile) = describe::<ProfileRow>();
        assert_eq!(profile[5].column_type, ColumnType::TextList);
        assert!(!profile[5].nullable);
    }
}
