//! Rows to Arrow record batches, straight from the row types' `Serialize`: each value goes into the
//! builder of its column as the type it already is (a day as its `date32` number, a decimal as its
//! `i128` units), never through text that would be parsed again.
//!
//! Row types serialize as a struct or, with `#[serde(flatten)]` members, as a map; either way each
//! member names its column. A member left out (`skip_serializing_none`) is a null. Day and decimal
//! types tell text formats from this one by `is_human_readable`, which is false here.

use super::{ColumnType, Table};
use arrow_array::builder::{BooleanBuilder, Date32Builder, Decimal128Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::Field;
use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt;
use std::sync::Arc;

/// Why rows did not fit their table: a bug of a row type, reported rather than written.
#[derive(Debug)]
pub struct Unfit(String);

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unfit {}

impl ser::Error for Unfit {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Unfit(message.to_string())
    }
}

/// The rows of a table as one record batch with the table's schema and metadata.
pub fn record_batch<T: Serialize>(table: &Table, rows: &[T]) -> Result<RecordBatch, Unfit> {
    let mut columns = Columns::new(table, rows.len());
    for row in rows {
        row.serialize(RowSerializer { columns: &mut columns })?;
        columns.end_row()?;
    }
    let arrays = columns.finish();
    RecordBatch::try_new(Arc::new(super::arrow_schema(table)), arrays).map_err(|e| Unfit(e.to_string()))
}

/// The builder of one column.
enum Builder {
    Text(StringBuilder),
    Boolean(BooleanBuilder),
    Date(Date32Builder),
    Decimal(Decimal128Builder),
    TextList(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(column_type: ColumnType, rows: usize) -> Builder {
        match column_type {
            ColumnType::Text => Builder::Text(StringBuilder::with_capacity(rows, rows * 16)),
            ColumnType::Boolean => Builder::Boolean(BooleanBuilder::with_capacity(rows)),
            ColumnType::Date => Builder::Date(Date32Builder::with_capacity(rows)),
            ColumnType::Decimal => {
                Builder::Decimal(Decimal128Builder::with_capacity(rows).with_data_type(super::DECIMAL_TYPE))
            }
            ColumnType::TextList => {
                Builder::TextList(ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
                    "element",
                    arrow_schema::DataType::Utf8,
                    true,
                ))))
            }
        }
    }

    fn append_null(&mut self) {
        match self {
            Builder::Text(b) => b.append_null(),
            Builder::Boolean(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
            Builder::Decimal(b) => b.append_null(),
            Builder::TextList(b) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Boolean(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Decimal(b) => Arc::new(b.finish()),
            Builder::TextList(b) => Arc::new(b.finish()),
        }
    }
}

/// Every column's builder, and which columns the row being written has filled.
struct Columns<'t> {
    table: &'t Table,
    builders: Vec<Builder>,
    filled: Vec<bool>,
    /// Where the next member is most likely to be: members come in column order.
    cursor: usize,
}

impl<'t> Columns<'t> {
    fn new(table: &'t Table, rows: usize) -> Columns<'t> {
        Columns {
            table,
            builders: table
                .columns
                .iter()
                .map(|c| Builder::new(c.column_type, rows))
                .collect(),
            filled: vec![false; table.columns.len()],
            cursor: 0,
        }
    }

    /// The index of the column `name`.
    fn index(&mut self, name: &str) -> Result<usize, Unfit> {
        let columns = &self.table.columns;
        let found = match columns.get(self.cursor) {
            Some(column) if column.name == name => Some(self.cursor),
            _ => columns.iter().position(|column| column.name == name),
        };
        let index = found.ok_or_else(|| Unfit(format!("{}: no column `{name}`", self.table.name)))?;
        if std::mem::replace(&mut self.filled[index], true) {
            return Err(Unfit(format!(
                "{}: the column `{name}` is given twice",
                self.table.name
            )));
        }
        self.cursor = index + 1;
        Ok(index)
    }

    /// Ends a row: every column it left out is null.
    fn end_row(&mut self) -> Result<(), Unfit> {
        for (index, filled) in self.filled.iter_mut().enumerate() {
            if !std::mem::replace(filled, false) {
                self.builders[index].append_null();
            }
        }
        self.cursor = 0;
        Ok(())
    }

    fn finish(mut self) -> Vec<ArrayRef> {
        self.builders.iter_mut().map(Builder::finish).collect()
    }
}

/// Declares the methods of a serializer that refuse what the rows never hold.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Unfit> {
            Err(Unfit(concat!("a value no column holds (", stringify!($method), ")").into()))
        })*
    };
}

/// A row: a struct, or a map when it has flattened members.
struct RowSerializer<'c, 't> {
    columns: &'c mut Columns<'t>,
}

impl<'c, 't> ser::Serializer for RowSerializer<'c, 't> {
    type Ok = ();
    type Error = Unfit;
    type SerializeSeq = Impossible<(), Unfit>;
    type SerializeTuple = Impossible<(), Unfit>;
    type SerializeTupleStruct = Impossible<(), Unfit>;
    type SerializeTupleVariant = Impossible<(), Unfit>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Unfit>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unfit> {
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Unfit> {
        Ok(self)
    }

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Unfit> {
        Err(Unfit("a row is a struct".into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Unfit> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unfit> {
        Err(Unfit("a row is a struct".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unfit> {
        Err(Unfit("a row is a struct".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unfit> {
        Err(Unfit("a row is a struct".into()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Unfit> {
        Err(Unfit("a row is a struct".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unfit> {
        Err(Unfit("a row is a struct".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unfit> {
        Err(Unfit("a row is a struct".into()))
    }
}

impl RowSerializer<'_, '_> {
    fn member<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Unfit> {
        let index = self.columns.index(name)?;
        self.member_at(index, value)
    }

    fn member_at<T: Serialize + ?Sized>(&mut self, index: usize, value: &T) -> Result<(), Unfit> {
        let column = &self.columns.table.columns[index];
        let builder = &mut self.columns.builders[index];
        value
            .serialize(ValueSerializer {
                target: Target::Column(builder),
            })
            .map_err(|e| Unfit(format!("{}.{}: {e}", self.columns.table.name, column.name)))
    }
}

impl ser::SerializeStruct for RowSerializer<'_, '_> {
    type Ok = ();
    type Error = Unfit;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Unfit> {
        self.member(name, value)
    }
    fn end(self) -> Result<(), Unfit> {
        Ok(())
    }
}

impl ser::SerializeMap for RowSerializer<'_, '_> {
    type Ok = ();
    type Error = Unfit;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Unfit> {
        Err(Unfit("members of a row come with their values".into()))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Unfit> {
        Err(Unfit("members of a row come with their names".into()))
    }
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Unfit> {
        let index = key.serialize(KeySerializer {
            columns: &mut *self.columns,
        })?;
        self.member_at(index, value)
    }
    fn end(self) -> Result<(), Unfit> {
        Ok(())
    }
}

/// A member's name, as the index of its column.
struct KeySerializer<'c, 't> {
    columns: &'c mut Columns<'t>,
}

impl ser::Serializer for KeySerializer<'_, '_> {
    type Ok = usize;
    type Error = Unfit;
    type SerializeSeq = Impossible<usize, Unfit>;
    type SerializeTuple = Impossible<usize, Unfit>;
    type SerializeTupleStruct = Impossible<usize, Unfit>;
    type SerializeTupleVariant = Impossible<usize, Unfit>;
    type SerializeMap = Impossible<usize, Unfit>;
    type SerializeStruct = Impossible<usize, Unfit>;
    type SerializeStructVariant = Impossible<usize, Unfit>;

    fn serialize_str(self, name: &str) -> Result<usize, Unfit> {
        self.columns.index(name)
    }

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<usize, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<usize, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, _: &T) -> Result<usize, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<usize, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unfit> {
        Err(Unfit("a member name that is not a text".into()))
    }
}

/// Where a value goes: the builder of its column, or the values of a list being written.
enum Target<'b> {
    Column(&'b mut Builder),
    Item(&'b mut StringBuilder),
}

/// One value, into the builder of its column.
struct ValueSerializer<'b> {
    target: Target<'b>,
}

impl ValueSerializer<'_> {
    fn mismatch(&self, found: &str) -> Unfit {
        let expected = match &self.target {
            Target::Column(Builder::Text(_)) | Target::Item(_) => "a text",
            Target::Column(Builder::Boolean(_)) => "a boolean",
            Target::Column(Builder::Date(_)) => "a day (date32)",
            Target::Column(Builder::Decimal(_)) => "a decimal (i128 units)",
            Target::Column(Builder::TextList(_)) => "a list of texts",
        };
        Unfit(format!("expected {expected}, found {found}"))
    }

    fn text(self, text: &str) -> Result<(), Unfit> {
        match self.target {
            Target::Column(Builder::Text(b)) | Target::Item(b) => {
                b.append_value(text);
                Ok(())
            }
            _ => Err(self.mismatch("a text")),
        }
    }
}

impl<'b> ser::Serializer for ValueSerializer<'b> {
    type Ok = ();
    type Error = Unfit;
    type SerializeSeq = ListSerializer<'b>;
    type SerializeTuple = Impossible<(), Unfit>;
    type SerializeTupleStruct = Impossible<(), Unfit>;
    type SerializeTupleVariant = Impossible<(), Unfit>;
    type SerializeMap = Impossible<(), Unfit>;
    type SerializeStruct = Impossible<(), Unfit>;
    type SerializeStructVariant = Impossible<(), Unfit>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_str(self, text: &str) -> Result<(), Unfit> {
        self.text(text)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unfit> {
        self.text(variant)
    }
    fn serialize_bool(self, value: bool) -> Result<(), Unfit> {
        match self.target {
            Target::Column(Builder::Boolean(b)) => {
                b.append_value(value);
                Ok(())
            }
            _ => Err(self.mismatch("a boolean")),
        }
    }
    fn serialize_i32(self, days: i32) -> Result<(), Unfit> {
        match self.target {
            Target::Column(Builder::Date(b)) => {
                b.append_value(days);
                Ok(())
            }
            _ => Err(self.mismatch("an i32")),
        }
    }
    fn serialize_i128(self, units: i128) -> Result<(), Unfit> {
        match self.target {
            Target::Column(Builder::Decimal(b)) => {
                b.append_value(units);
                Ok(())
            }
            _ => Err(self.mismatch("an i128")),
        }
    }
    fn serialize_none(self) -> Result<(), Unfit> {
        match self.target {
            Target::Column(builder) => {
                builder.append_null();
                Ok(())
            }
            Target::Item(_) => Err(self.mismatch("a missing list item")),
        }
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unfit> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Unfit> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<ListSerializer<'b>, Unfit> {
        match self.target {
            Target::Column(Builder::TextList(list)) => Ok(ListSerializer { list }),
            _ => Err(self.mismatch("a list")),
        }
    }

    refuse!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unfit> {
        Err(self.mismatch("an enum variant with a value"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unfit> {
        Err(self.mismatch("a tuple"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Unfit> {
        Err(self.mismatch("a tuple"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unfit> {
        Err(self.mismatch("a tuple"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unfit> {
        Err(self.mismatch("a mapping"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Unfit> {
        Err(self.mismatch("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unfit> {
        Err(self.mismatch("a struct"))
    }
}

/// The items of a list of texts, written straight into the list's values.
struct ListSerializer<'b> {
    list: &'b mut ListBuilder<StringBuilder>,
}

impl ser::SerializeSeq for ListSerializer<'_> {
    type Ok = ();
    type Error = Unfit;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, item: &T) -> Result<(), Unfit> {
        item.serialize(ValueSerializer {
            target: Target::Item(self.list.values()),
        })
    }
    fn end(self) -> Result<(), Unfit> {
        self.list.append(true);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::rows::{Day, Exact};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Decimal128Type};
    use arrow_array::{Array, BooleanArray};

    #[derive(Serialize, schemars::JsonSchema)]
    struct Inner {
        /// A decimal.
        value: Option<Exact>,
        /// A list.
        names: Vec<String>,
    }

    /// A row of every column type, one member flattened.
    #[serde_with::skip_serializing_none]
    #[derive(Serialize, schemars::JsonSchema)]
    struct Sample {
        /// A text.
        id: String,
        /// A day.
        day: Option<Day>,
        /// A boolean.
        flag: bool,
        #[serde(flatten)]
        inner: Inner,
        /// A closed vocabulary.
        status: crate::model::Status,
    }

    #[test]
    fn every_value_reaches_its_column_as_the_type_it_is() {
        let table = Table::of::<Sample>("samples", &[]);
        let day = jiff::civil::date(2019, 2, 28);
        let units = crate::quantity::Decimal::parse("177.9 billion").expect("decimal").units;
        let rows = [
            Sample {
                id: "a".into(),
                day: Some(Day(day)),
                flag: true,
                inner: Inner {
                    value: Some(Exact(crate::quantity::Decimal { units })),
                    names: vec!["x".into(), "y".into()],
                },
                status: crate::model::Status::Planned,
            },
            Sample {
                id: "b".into(),
                day: None,
                flag: false,
                inner: Inner {
                    value: None,
                    names: vec![],
                },
                status: crate::model::Status::Reported,
            },
        ];
        let batch = record_batch(&table, &rows).expect("batch");
        let column = |name: &str| batch.column_by_name(name).expect(name).clone();
        assert_eq!(column("id").as_string::<i32>().value(1), "b");
        let days = column("day");
        assert_eq!(
            days.as_primitive::<Date32Type>().value(0),
            crate::date::days_since_epoch(day)
        );
        assert!(days.is_null(1), "a member left out is null");
        let flags = column("flag");
        let flags: &BooleanArray = flags.as_boolean();
        assert!(flags.value(0) && !flags.value(1));
        let values = column("value");
        assert_eq!(
            values.as_primitive::<Decimal128Type>().value(0),
            177_900_000_000 * 1_000_000_000
        );
        assert!(values.is_null(1));
        let names = column("names");
        let list = names.as_list::<i32>();
        assert_eq!(
            list.value(0).as_string::<i32>().iter().flatten().collect::<Vec<_>>(),
            ["x", "y"]
        );
        assert_eq!(list.value(1).len(), 0);
        assert!(!list.is_null(1), "an empty list is not null");
        assert_eq!(column("status").as_string::<i32>().value(0), "planned");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_naming_its_column() {
        #[derive(Serialize, schemars::JsonSchema)]
        struct Wrong {
            /// Said to be a text, written as a boolean.
            #[schemars(with = "String")]
            id: bool,
        }
        let error = record_batch(&Table::of::<Wrong>("wrong", &[]), &[Wrong { id: true }]).expect_err("refused");
        assert_eq!(error.to_string(), "wrong.id: expected a text, found a boolean");
    }
}
