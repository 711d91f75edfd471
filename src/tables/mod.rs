//! The published tables: row types (`rows`), the checked dataset turned into rows (`normalize`), and
//! each table as one Arrow record batch whose schema is derived from the row type's JSON Schema, so
//! that names, types and descriptions are written once, on the Rust type.

mod arrow;
mod normalize;
pub mod rows;

pub use normalize::{Names, Normalized, entities, named, revisions};

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, FieldRef, Schema as ArrowSchema};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Arrow scale and precision of every exact decimal.
pub const DECIMAL_TYPE: DataType = DataType::Decimal128(38, 9);

/// A row type of a published table.
pub trait Row: Serialize + JsonSchema {
    /// Name of the table: its file names and resource names derive from it.
    const TABLE: &'static str;
    /// Columns whose values identify a row.
    const PRIMARY_KEY: &'static [&'static str];
    /// (column, table) pairs: the column holds an `id` of that table.
    const FOREIGN_KEYS: &'static [(&'static str, &'static str)];
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
    pub primary_key: &'static [&'static str],
    /// (column, table) pairs: the column holds an `id` of that table.
    pub foreign_keys: &'static [(&'static str, &'static str)],
    /// The number of rows written so far.
    pub rows: usize,
}

impl Table {
    /// The table of a row type, with no rows yet.
    pub fn of<T: Row>() -> Table {
        let (description, columns) = describe::<T>();
        Table {
            name: T::TABLE,
            description,
            columns,
            primary_key: T::PRIMARY_KEY,
            foreign_keys: T::FOREIGN_KEYS,
            rows: 0,
        }
    }

    /// Rows of the table as one Arrow record batch, with the table's schema and metadata.
    pub fn batch<T: Row>(&self, rows: &[T]) -> Result<RecordBatch, String> {
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
    }
}

#[cfg(test)]
mod tests {
    use super::rows::*;
    use super::*;

    #[test]
    fn every_column_is_typed_and_described() {
        let tables = [
            describe::<ProfileRow>(),
            describe::<EntityRow>(),
            describe::<OrganizationRow>(),
            describe::<SystemRow>(),
            describe::<ClaimRow>(),
            describe::<ContractRow>(),
            describe::<FigureRow>(),
            describe::<EventRow>(),
            describe::<RelationRow>(),
            describe::<SourceRow>(),
            describe::<CitationRow>(),
            describe::<ChangeRow>(),
        ];
        for (description, columns) in tables {
            assert!(!description.is_empty());
            for column in columns {
                assert!(!column.description.is_empty(), "{} has no description", column.name);
            }
        }
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
        assert_eq!(find("status").values, ["reported", "planned", "disputed"]);
        assert!(!find("status").nullable);
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(&names[..5], ["id", "key", "profile", "updated", "is_latest"]);
        assert_eq!(&names[names.len() - 3..], ["status", "attributed_to", "quote"]);
        let (_, profile) = describe::<ProfileRow>();
        assert_eq!(profile[5].column_type, ColumnType::TextList);
        assert!(!profile[5].nullable);
    }
}
