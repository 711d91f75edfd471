//! The value of one cell of a record batch, typed by its column: what the workbook and database
//! writers read, a row at a time.

use crate::date::date_from_days;
use crate::quantity::Decimal;
use crate::tables::ColumnType;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type};
use arrow_array::{Array, ArrayRef};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// A missing value.
    Null,
    Text(&'a str),
    Boolean(bool),
    Date(jiff::civil::Date),
    Decimal(Decimal),
    /// A list, its items in order.
    List(Vec<&'a str>),
}

/// The cell of `array` at `row`.
pub fn cell(array: &ArrayRef, column_type: ColumnType, row: usize) -> Cell<'_> {
    if array.is_null(row) {
        return Cell::Null;
    }
    match column_type {
        ColumnType::Text => Cell::Text(array.as_string::<i32>().value(row)),
        ColumnType::Boolean => Cell::Boolean(array.as_boolean().value(row)),
        ColumnType::Date => Cell::Date(date_from_days(array.as_primitive::<Date32Type>().value(row))),
        ColumnType::Decimal => Cell::Decimal(Decimal {
            units: array.as_primitive::<Decimal128Type>().value(row),
        }),
        ColumnType::TextList => {
            // The items borrow from `array`'s values, in the range its offsets give for the row.
            let list = array.as_list::<i32>();
            let values = list.values().as_string::<i32>();
            let offsets = list.value_offsets();
            let range = offsets[row] as usize..offsets[row + 1] as usize;
            Cell::List(range.filter(|&i| values.is_valid(i)).map(|i| values.value(i)).collect())
        }
    }
}

/// A list as JSON text (`["a","b"]`), as in CSV.
pub fn json_list(items: &[&str]) -> String {
    serde_json::to_string(items).unwrap_or_default()
}
