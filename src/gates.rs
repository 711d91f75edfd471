//! Publication gates: the `assertions` of `dataset.yaml` resolved against the published tables,
//! counted on the rows of the checked dataset as they are made (one pass, linear in the rows), and
//! judged once the last row is in, before anything is published.
//!
//! A column is filled in a row when its value is not empty: not null, not an empty text, and for
//! a list, at least one item (an empty list is empty, as `[]` is in CSV). A gate on the filled
//! values of a table without rows fails, whatever it requires above 0: no row holds the values it
//! asks for (`min_rows` is the gate of the rows themselves).

use crate::check::{Dataset, Sink};
use crate::diagnostic::{Code, Diagnostic, Source, did_you_mean};
use crate::load::Document;
use crate::model::{Assertion, Fraction};
use crate::quantity::SCALE;
use crate::tables::Table;
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

/// The publication gates of a dataset, and what they have counted so far.
#[derive(Debug, Default)]
pub struct Gates {
    gates: Vec<Gate>,
    /// The table names, in the order of `tables::all()`.
    tables: Vec<&'static str>,
    /// Rows counted so far, per table.
    rows: Vec<u64>,
    /// Per table: whether a gate counts the filled values of one of its columns, which are read
    /// from its record batches.
    records: Vec<bool>,
}

/// One gate: a table and what it must hold.
#[derive(Debug)]
struct Gate {
    /// The table's index in `tables::all()`.
    table: usize,
    test: Test,
}

/// What a gate requires of its table.
#[derive(Debug)]
enum Test {
    /// Bounds on the number of rows.
    Rows { min: Option<Bound>, max: Option<Bound> },
    /// The fewest filled values of a column, as a fraction of the rows.
    Filled {
        /// The column's index in its table.
        column: usize,
        /// The column's name.
        name: String,
        min: Fraction,
        /// Where a failure is reported.
        at: Diagnostic,
        /// Filled values counted so far.
        filled: u64,
    },
}

/// A bound on the rows of a table, and where a failure of it is reported.
#[derive(Debug)]
struct Bound {
    value: u64,
    /// The diagnostic of a failure, but its message: the bound's place in `dataset.yaml`.
    at: Diagnostic,
}

impl Gates {
    /// The gates of `dataset` over `tables` (in the order of `tables::all()`). An assertion that is
    /// not a gate (of neither form, or of both, or naming a table or column the dataset does not
    /// have) is a problem added to the dataset's, which stops the run; the others are gates.
    pub fn of(dataset: &mut Dataset, tables: &[Table]) -> Gates {
        let mut gates = Gates {
            gates: Vec::new(),
            tables: tables.iter().map(|table| table.name).collect(),
            rows: vec![0; tables.len()],
            records: vec![false; tables.len()],
        };
        let (Some(meta), Some(document)) = (&dataset.meta, &dataset.document) else {
            return gates;
        };
        let mut source = Source::new(document.text());
        let mut problems = Vec::new();
        for (index, assertion) in meta.assertions.iter().enumerate() {
            let pointer = format!("/assertions/{index}");
            let found = gate(assertion, &pointer, document, tables, &mut problems);
            if let Some(gate) = found {
                gates.gates.push(gate);
            }
        }
        source.attach(&document.path, &mut problems);
        for problem in problems {
            dataset.problems.push(problem);
        }
        for gate in &mut gates.gates {
            match &mut gate.test {
                Test::Rows { min, max } => {
                    for bound in min.iter_mut().chain(max.iter_mut()) {
                        bound.at.snippet = source.snippet(bound.at.position);
                    }
                }
                Test::Filled { at, .. } => {
                    at.snippet = source.snippet(at.position);
                    gates.records[gate.table] = true;
                }
            }
        }
        gates
    }

    /// Whether there is no gate to count for.
    pub fn is_empty(&self) -> bool {
        self.gates.is_empty()
    }

    /// Per table, in the order of `tables::all()`: whether `count` needs its record batch.
    pub fn records_wanted(&self) -> &[bool] {
        &self.records
    }

    /// Counts a batch of rows: `counts` is the rows of each table, `records` its record batch,
    /// which every table `records_wanted` names must have when it has rows.
    pub fn count(&mut self, counts: &[usize], records: &[Option<RecordBatch>]) {
        for (total, count) in self.rows.iter_mut().zip(counts) {
            *total += *count as u64;
        }
        for gate in &mut self.gates {
            if let Test::Filled { column, filled, .. } = &mut gate.test
                && let Some(Some(batch)) = records.get(gate.table)
                && *column < batch.num_columns()
            {
                *filled += filled_values(batch.column(*column));
            }
        }
    }

    /// Every gate that the rows counted fail, in the order of `dataset.yaml`, each at its bound
    /// with the figure measured.
    pub fn failures(&self) -> Vec<Diagnostic> {
        let mut failed = Vec::new();
        for gate in &self.gates {
            let table = self.tables[gate.table];
            let rows = self.rows[gate.table];
            match &gate.test {
                Test::Rows { min, max } => {
                    if let Some(min) = min.as_ref().filter(|min| rows < min.value) {
                        let message = format!(
                            "{table} has {}; at least {} {} required",
                            counted(rows, "row"),
                            min.value,
                            if min.value == 1 { "is" } else { "are" }
                        );
                        failed.push(with_message(&min.at, message));
                    }
                    if let Some(max) = max.as_ref().filter(|max| rows > max.value) {
                        let allowed = match max.value {
                            0 => "none are allowed".to_owned(),
                            1 => "at most 1 is allowed".to_owned(),
                            value => format!("at most {value} are allowed"),
                        };
                        let message = format!("{table} has {}; {allowed}", counted(rows, "row"));
                        failed.push(with_message(&max.at, message));
                    }
                }
                Test::Filled {
                    name, min, at, filled, ..
                } => {
                    if passes(*filled, rows, *min) {
                        continue;
                    }
                    let required = format!("at least {} are required", percent_of(*min));
                    let message = match rows {
                        0 => format!("{table} has no rows, so {table}.{name} is filled in none; {required}"),
                        _ => format!(
                            "{table}.{name} is filled in {filled} of {} ({}); {required}",
                            counted(rows, "row"),
                            share(*filled, rows)
                        ),
                    };
                    failed.push(with_message(at, message));
                }
            }
        }
        failed
    }
}

/// The gate an assertion states, or `None` after adding its problems to `problems`.
fn gate(
    assertion: &Assertion,
    pointer: &str,
    document: &Document,
    tables: &[Table],
    problems: &mut Vec<Diagnostic>,
) -> Option<Gate> {
    let before = problems.len();
    let field = |name: &str| format!("{pointer}/{name}");
    let at_key = |code: Code, name: &str, message: String| {
        Diagnostic::new(code, &document.path, document.key_position(&field(name)), message).at_pointer(&field(name))
    };
    let is_column = assertion.column.is_some() || assertion.min_filled.is_some();
    let rows_bound = match (assertion.min_rows, assertion.max_rows) {
        (Some(_), _) => Some("min_rows"),
        (None, Some(_)) => Some("max_rows"),
        (None, None) => None,
    };
    match (&assertion.column, &assertion.min_filled, rows_bound) {
        (_, _, Some(bound)) if is_column => problems.push(at_key(
            Code::Schema,
            bound,
            "an assertion is about the rows of a table (`min_rows`, `max_rows`) or about the filled values \
             of a column (`column`, `min_filled`), not both: write two assertions"
                .into(),
        )),
        (None, Some(_), None) => problems.push(at_key(
            Code::Schema,
            "min_filled",
            "`min_filled` needs `column`: the column whose filled values it counts".into(),
        )),
        (Some(column), None, None) => problems.push(at_key(
            Code::Schema,
            "column",
            format!(
                "the column `{column}` needs `min_filled`: the fraction of rows (0 to 1) in which it must be filled"
            ),
        )),
        (None, None, None) => problems.push(document.error(
            Code::Schema,
            pointer,
            format!(
                "an assertion on `{}` needs a bound: `min_rows`, `max_rows`, or `column` with `min_filled`",
                assertion.table
            ),
        )),
        _ => {}
    }
    if let (Some(min), Some(max)) = (assertion.min_rows, assertion.max_rows)
        && min > max
    {
        problems.push(document.error(
            Code::RangeOrder,
            &field("min_rows"),
            format!("min_rows {min} is above max_rows {max}: no table can pass both"),
        ));
    }
    let Some(table) = tables.iter().position(|table| table.name == assertion.table) else {
        let names = tables.iter().map(|table| table.name);
        let hint = match did_you_mean(&assertion.table, names.clone()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the tables are {}", listed(names)),
        };
        problems.push(document.error(
            Code::GateUnknown,
            &field("table"),
            format!("`{}` is not a table of the dataset; {hint}", assertion.table),
        ));
        return None;
    };
    let column = match &assertion.column {
        None => None,
        Some(name) => {
            let columns = tables[table].columns.iter().map(|column| column.name.as_str());
            match columns.clone().position(|column| column == name) {
                Some(column) => Some(column),
                None => {
                    let hint = match did_you_mean(name, columns.clone()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("{} has the columns {}", assertion.table, listed(columns)),
                    };
                    problems.push(document.error(
                        Code::GateUnknown,
                        &field("column"),
                        format!("`{name}` is not a column of {}; {hint}", assertion.table),
                    ));
                    return None;
                }
            }
        }
    };
    if problems.len() > before {
        return None;
    }
    let bound = |name: &str, value: Option<u64>| {
        value.map(|value| Bound {
            value,
            at: document.error(Code::GateFailed, &field(name), String::new()),
        })
    };
    let test = match (column, assertion.min_filled) {
        (Some(column), Some(min)) => Test::Filled {
            column,
            name: tables[table].columns[column].name.clone(),
            min,
            at: document.error(Code::GateFailed, &field("min_filled"), String::new()),
            filled: 0,
        },
        _ => Test::Rows {
            min: bound("min_rows", assertion.min_rows),
            max: bound("max_rows", assertion.max_rows),
        },
    };
    Some(Gate { table, test })
}

/// Names in backticks, separated by commas.
fn listed<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

/// A copy of the diagnostic `at` with its message.
fn with_message(at: &Diagnostic, message: String) -> Diagnostic {
    let mut problem = Diagnostic::new(at.code, &at.path, at.position, message);
    problem.pointer = at.pointer.clone();
    problem.snippet = at.snippet.clone();
    problem
}

/// `1 row`, `3 rows`.
fn counted(count: u64, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}

/// Whether `filled` values of `rows` are at least the fraction `min`, compared exactly: filled /
/// rows >= units / 10^9 is filled * 10^9 >= units * rows, in integers.
fn passes(filled: u64, rows: u64, min: Fraction) -> bool {
    let units = u128::try_from(min.0.units).unwrap_or(0);
    if rows == 0 {
        return units == 0;
    }
    u128::from(filled) * 10u128.pow(SCALE) >= units * u128::from(rows)
}

/// A fraction as a percentage, exactly: `0.5` is `50%`, `0.125` is `12.5%`.
fn percent_of(fraction: Fraction) -> String {
    // Units of 10^-9 of the whole are units of 10^-7 of a percent.
    let units = u128::try_from(fraction.0.units).unwrap_or(0);
    decimal(units, 7) + "%"
}

/// `filled` of `rows` (not 0) as a percentage: exact when it has at most two decimals (`30%`,
/// `12.25%`); else the tenth of a percent below it (`over 33.3%` for 1 of 3), which a failing
/// figure never reaches its requirement by, as a rounded figure could.
fn share(filled: u64, rows: u64) -> String {
    let (filled, rows) = (u128::from(filled), u128::from(rows));
    match (filled * 10_000) % rows {
        0 => decimal(filled * 10_000 / rows, 2) + "%",
        _ => format!("over {}%", decimal(filled * 1_000 / rows, 1)),
    }
}

/// `units` of 10^-`scale` in plain digits, without trailing zeros after the point.
fn decimal(units: u128, scale: u32) -> String {
    let one = 10u128.pow(scale);
    let (whole, part) = (units / one, units % one);
    match part {
        0 => whole.to_string(),
        _ => {
            let digits = format!("{part:0width$}", width = scale as usize);
            format!("{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// How many values of a column are filled: not null, not an empty text, not an empty list.
fn filled_values(array: &dyn Array) -> u64 {
    let count = match array.data_type() {
        DataType::Utf8 => array.as_string_opt::<i32>().map_or(0, |texts| {
            texts.iter().filter(|text| text.is_some_and(|t| !t.is_empty())).count()
        }),
        DataType::List(_) => array.as_list_opt::<i32>().map_or(0, |lists| {
            (0..lists.len())
                .filter(|&row| lists.is_valid(row) && lists.value_length(row) > 0)
                .count()
        }),
        _ => array.len() - array.null_count(),
    };
    count as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::Decimal;
    use crate::tables::{ContractRow, ProfileRow};
    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{ArrayRef, StringArray};
    use std::sync::Arc;

    fn fraction(text: &str) -> Fraction {
        Fraction::parse(text).expect("a fraction")
    }

    #[test]
    fn fractions_are_exact_and_from_0_to_1() {
        assert_eq!(fraction("0.3").0, Decimal { units: 300_000_000 });
        assert_eq!(fraction("1").0, Decimal { units: 1_000_000_000 });
        assert_eq!(fraction("5e-1").0, Decimal { units: 500_000_000 });
        assert!(Fraction::parse("1.000000001").is_err());
        assert!(Fraction::parse("-0.1").is_err());
        assert_eq!(
            Fraction::parse("0.1234567891"),
            Err(
                "`0.1234567891` has more than 9 digits after the decimal point: write the fraction with at most 9"
                    .into()
            )
        );
    }

    #[test]
    fn filled_shares_are_compared_exactly() {
        // 0.1 + 0.2 is not 0.3 in floats; 3 of 10 rows is 30% here, and 0.3 lets it pass.
        assert!(passes(3, 10, fraction("0.3")));
        assert!(!passes(2, 10, fraction("0.3")));
        assert!(passes(1, 3, fraction("0.333333333")));
        assert!(!passes(1, 3, fraction("0.333333334")));
        assert!(passes(u64::MAX, u64::MAX, fraction("1")));
        assert!(!passes(0, 0, fraction("0.5")), "an empty table has no filled values");
        assert!(passes(0, 0, fraction("0")));
    }

    #[test]
    fn percentages_are_exact_or_say_over() {
        assert_eq!(percent_of(fraction("0.5")), "50%");
        assert_eq!(percent_of(fraction("0.125")), "12.5%");
        assert_eq!(percent_of(fraction("0.123456789")), "12.3456789%");
        assert_eq!(percent_of(fraction("1")), "100%");
        assert_eq!(share(12, 40), "30%");
        assert_eq!(share(1, 8), "12.5%");
        assert_eq!(share(49, 400), "12.25%");
        assert_eq!(share(1, 3), "over 33.3%");
        assert_eq!(share(2, 3), "over 66.6%");
        assert_eq!(
            share(49_999, 100_000),
            "over 49.9%",
            "never rounded up to what it misses"
        );
        assert_eq!(share(0, 7), "0%");
    }

    #[test]
    fn empty_texts_lists_and_nulls_are_not_filled() {
        let texts: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), None, Some(""), Some("b")]));
        assert_eq!(filled_values(&texts), 2);
        let mut lists = ListBuilder::new(StringBuilder::new());
        lists.values().append_value("x");
        lists.append(true);
        lists.append(true);
        lists.append(false);
        lists.values().append_value("y");
        lists.values().append_value("z");
        lists.append(true);
        let lists: ArrayRef = Arc::new(lists.finish());
        assert_eq!(filled_values(&lists), 2, "one item or more");
        let numbers: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![Some(1), None, Some(0)]));
        assert_eq!(filled_values(&numbers), 2, "zero is a value");
    }

    /// A dataset.yaml of `assertions` (YAML lines after `assertions:`), as `check::dataset`
    /// would give it.
    fn dataset(assertions: &str) -> Dataset {
        let text = format!("name: t\ntitle: T\nversion: '1'\nlicense: CC0-1.0\nassertions:\n{assertions}");
        let path = std::path::Path::new("dataset.yaml");
        let limits = crate::load::Limits::default();
        let document = crate::load::parse(path, text.as_bytes(), crate::load::Format::Yaml, &limits).expect("yaml");
        let meta = serde_json::from_value(document.value.clone()).expect("a dataset.yaml");
        Dataset {
            path: path.to_owned(),
            meta: Some(meta),
            document: Some(document),
            problems: crate::check::FileProblems::new(crate::check::MAX_FILE_PROBLEMS),
        }
    }

    fn tables() -> Vec<Table> {
        vec![
            Table::of::<ProfileRow>("profiles", &[]),
            Table::of::<ContractRow>("contracts", &[]),
        ]
    }

    /// Each problem as `line:column code message`.
    fn shown(problems: &[Diagnostic]) -> Vec<String> {
        problems
            .iter()
            .map(|p| {
                format!(
                    "{}:{} {} {}",
                    p.position.line,
                    p.position.column,
                    p.code.as_str(),
                    p.message
                )
            })
            .collect()
    }

    #[test]
    fn rows_are_counted_across_batches_and_judged_at_the_end() {
        let tables = tables();
        let mut dataset =
            dataset("  - {table: profiles, min_rows: 2}\n  - table: contracts\n    min_rows: 1\n    max_rows: 3\n");
        let mut gates = Gates::of(&mut dataset, &tables);
        assert!(dataset.problems.kept().is_empty(), "{:?}", dataset.problems);
        assert_eq!(gates.records_wanted(), [false, false]);
        gates.count(&[1, 2], &[None, None]);
        assert_eq!(
            shown(&gates.failures()),
            ["6:33 E0230 profiles has 1 row; at least 2 are required"]
        );
        gates.count(&[1, 2], &[None, None]);
        assert_eq!(
            shown(&gates.failures()),
            ["9:15 E0230 contracts has 4 rows; at most 3 are allowed"]
        );
        let failed = gates.failures();
        assert_eq!(failed[0].pointer.as_deref(), Some("/assertions/1/max_rows"));
        assert_eq!(
            failed[0].snippet.as_ref().map(|s| s.text.as_str()),
            Some("    max_rows: 3")
        );
    }

    #[test]
    fn filled_values_are_counted_from_the_record_batches() {
        let tables = tables();
        let mut dataset = dataset("  - {table: profiles, column: summary, min_filled: 0.75}\n");
        let mut gates = Gates::of(&mut dataset, &tables);
        assert_eq!(gates.records_wanted(), [true, false]);
        let summary = tables[0]
            .columns
            .iter()
            .position(|c| c.name == "summary")
            .expect("summary");
        let batch = |summaries: Vec<Option<&str>>| {
            let mut columns: Vec<ArrayRef> = Vec::new();
            let fields: Vec<arrow_schema::FieldRef> = crate::tables::arrow_fields(&tables[0].columns);
            for (index, field) in fields.iter().enumerate() {
                columns.push(match index == summary {
                    true => Arc::new(StringArray::from(summaries.clone())),
                    false => arrow_array::new_null_array(field.data_type(), summaries.len()),
                });
            }
            let schema = arrow_schema::Schema::new(
                fields
                    .iter()
                    .map(|f| f.as_ref().clone().with_nullable(true))
                    .collect::<Vec<_>>(),
            );
            RecordBatch::try_new(Arc::new(schema), columns).expect("a batch")
        };
        gates.count(&[3, 0], &[Some(batch(vec![Some("a"), None, Some("b")])), None]);
        assert_eq!(
            shown(&gates.failures()),
            ["6:52 E0230 profiles.summary is filled in 2 of 3 rows (over 66.6%); at least 75% are required"]
        );
        gates.count(&[1, 0], &[Some(batch(vec![Some("c")])), None]);
        assert!(gates.failures().is_empty(), "3 of 4 is 75%");
    }

    #[test]
    fn a_column_of_an_empty_table_is_filled_in_none() {
        let tables = tables();
        let mut dataset = dataset("  - {table: contracts, column: value, min_filled: 0.5}\n");
        let gates = Gates::of(&mut dataset, &tables);
        assert_eq!(
            shown(&gates.failures()),
            ["6:51 E0230 contracts has no rows, so contracts.value is filled in none; at least 50% are required"]
        );
    }

    #[test]
    fn assertions_that_are_not_gates_are_problems_at_their_place() {
        let tables = tables();
        let mut dataset = dataset(
            "  - {table: contract, min_rows: 1}\n\
             \x20 - {table: contracts, column: valeu, min_filled: 0.5}\n\
             \x20 - {table: contracts}\n\
             \x20 - {table: contracts, column: value, min_filled: 0.5, min_rows: 1}\n\
             \x20 - {table: contracts, column: value}\n\
             \x20 - {table: contracts, min_filled: 0.5}\n\
             \x20 - {table: contracts, min_rows: 3, max_rows: 2}\n\
             \x20 - {table: nothing, max_rows: 2}\n",
        );
        let gates = Gates::of(&mut dataset, &tables);
        assert!(gates.is_empty());
        assert_eq!(
            shown(dataset.problems.kept()),
            [
                "6:13 E0231 `contract` is not a table of the dataset; did you mean `contracts`?",
                "7:32 E0231 `valeu` is not a column of contracts; did you mean `value`?",
                "8:5 E0101 an assertion on `contracts` needs a bound: `min_rows`, `max_rows`, or `column` with `min_filled`",
                "9:56 E0101 an assertion is about the rows of a table (`min_rows`, `max_rows`) or about the filled values of a column (`column`, `min_filled`), not both: write two assertions",
                "10:24 E0101 the column `value` needs `min_filled`: the fraction of rows (0 to 1) in which it must be filled",
                "11:24 E0101 `min_filled` needs `column`: the column whose filled values it counts",
                "12:34 E0204 min_rows 3 is above max_rows 2: no table can pass both",
                "13:13 E0231 `nothing` is not a table of the dataset; the tables are `profiles`, `contracts`",
            ]
        );
        assert!(dataset.problems.kept().iter().all(|p| p.snippet.is_some()));
    }
}
