//! A value flattened into dotted field names, each with its value as one line of text: what
//! `changes` compares. Typed values are flattened straight from their `Serialize` impl, so the field
//! names are serde's and no `serde_json::Value` is built on the way.
//!
//! The text of a value: strings as they are, a missing value (`null`) as nothing, numbers as their
//! digits, lists as compact JSON. An amount serializes as its exact value in plain digits (see
//! `model::DecimalText`), so `9.1 million` and `9100000` are the same value.

use serde::Serialize;
use serde::ser;
use serde_json::Value;
use std::fmt;

/// How serde_json (with `arbitrary_precision`) serializes a number: a struct of this name with one
/// field of this name holding its digits.
const NUMBER: &str = "$serde_json::private::Number";

/// Dotted field names with the text of their values, in serialization order.
pub type Fields = Vec<(String, String)>;

/// The fields of `value`, a struct or a map, leaving out its own members named in `skip` (nested
/// members are never skipped).
pub fn fields<T: Serialize + ?Sized>(value: &T, skip: &[&str]) -> Fields {
    let mut out = Fields::new();
    let node = Node {
        prefix: String::new(),
        skip,
        out: &mut out,
    };
    // The model's types serialize to nothing but the shapes handled here.
    value.serialize(node).expect("a curated value flattens into fields");
    out
}

/// The fields of a declaration, as `fields` gives them for the typed entity: a list as compact JSON.
pub fn fields_of_declared(declared: &[(String, crate::check::FieldValue)]) -> Fields {
    use crate::check::FieldValue;
    let text = |value: &FieldValue| match value {
        FieldValue::Text(text) => text.clone(),
        FieldValue::List(items) => serde_json::to_string(items).unwrap_or_default(),
    };
    declared
        .iter()
        .map(|(name, value)| (name.clone(), text(value)))
        .collect()
}

/// The fields of a JSON mapping, as `fields` gives them for a typed value: what the tests compare
/// `fields` with.
#[cfg(test)]
fn fields_of_map(map: &serde_json::Map<String, Value>) -> Fields {
    let mut out = Fields::new();
    for (name, value) in map {
        flatten_value(name.clone(), value, &mut out);
    }
    out
}

#[cfg(test)]
fn flatten_value(prefix: String, value: &Value, out: &mut Fields) {
    match value {
        Value::Object(map) => {
            for (name, value) in map {
                flatten_value(join(&prefix, name), value, out);
            }
        }
        Value::String(text) => push_scalar(prefix, text.clone(), out),
        Value::Number(number) => push_scalar(prefix, number.to_string(), out),
        Value::Null => out.push((prefix, String::new())),
        other => out.push((prefix, other.to_string())),
    }
}

fn join(prefix: &str, name: &str) -> String {
    match prefix.is_empty() {
        true => name.to_owned(),
        false => format!("{prefix}.{name}"),
    }
}

/// A string or a number.
fn push_scalar(name: String, text: String, out: &mut Fields) {
    out.push((name, text));
}

/// Why a value could not be flattened: a shape the model does not have (a map with a key that is
/// a list or a mapping), or an error of a value's own `Serialize`.
#[derive(Debug)]
pub struct Unflattened(String);

impl fmt::Display for Unflattened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unflattened {}

impl ser::Error for Unflattened {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Unflattened(message.to_string())
    }
}

/// The value at one dotted name: a scalar or a list becomes one field, a struct or map its members.
struct Node<'a> {
    prefix: String,
    /// Members left out, at the top level only.
    skip: &'a [&'a str],
    out: &'a mut Fields,
}

impl<'a> Node<'a> {
    fn scalar(self, text: String) -> Result<(), Unflattened> {
        push_scalar(self.prefix, text, self.out);
        Ok(())
    }

    fn leaf(self, text: String) -> Result<(), Unflattened> {
        self.out.push((self.prefix, text));
        Ok(())
    }

    fn member(&mut self, name: &str) -> Option<Node<'_>> {
        if self.prefix.is_empty() && self.skip.contains(&name) {
            return None;
        }
        Some(Node {
            prefix: join(&self.prefix, name),
            skip: &[],
            out: &mut *self.out,
        })
    }

    /// The node of member `name`, which takes this one's place (an enum variant, as serde_json
    /// writes it: a mapping of the variant's name to its content).
    fn into_member(self, name: &str) -> Option<Node<'a>> {
        if self.prefix.is_empty() && self.skip.contains(&name) {
            return None;
        }
        Some(Node {
            prefix: join(&self.prefix, name),
            skip: &[],
            out: self.out,
        })
    }

    /// A float as serde_json writes it: its shortest digits, or `null` if it is not finite.
    fn float(self, number: Value) -> Result<(), Unflattened> {
        match number {
            Value::Null => self.leaf(String::new()),
            number => self.scalar(number.to_string()),
        }
    }
}

impl<'a> ser::Serializer for Node<'a> {
    type Ok = ();
    type Error = Unflattened;
    type SerializeSeq = List<'a>;
    type SerializeTuple = List<'a>;
    type SerializeTupleStruct = List<'a>;
    type SerializeTupleVariant = List<'a>;
    type SerializeMap = Members<'a>;
    type SerializeStruct = Members<'a>;
    type SerializeStructVariant = Members<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Unflattened> {
        self.leaf(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unflattened> {
        // Not widened to f64: 0.1f32 is `0.1` in JSON, `0.10000000149011612` as an f64.
        self.float(Value::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unflattened> {
        self.float(Value::from(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Unflattened> {
        self.scalar(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<(), Unflattened> {
        self.scalar(v.to_owned())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unflattened> {
        self.leaf(serde_json::to_string(v).map_err(ser::Error::custom)?)
    }
    fn serialize_none(self) -> Result<(), Unflattened> {
        self.leaf(String::new())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unflattened> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unflattened> {
        self.leaf(String::new())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unflattened> {
        self.leaf(String::new())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unflattened> {
        self.scalar(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Unflattened> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Unflattened> {
        match self.into_member(variant) {
            Some(node) => value.serialize(node),
            None => Ok(()),
        }
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<List<'a>, Unflattened> {
        Ok(List::new(Some(self)))
    }
    fn serialize_tuple(self, len: usize) -> Result<List<'a>, Unflattened> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<List<'a>, Unflattened> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<List<'a>, Unflattened> {
        Ok(List::new(self.into_member(variant)))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Members<'a>, Unflattened> {
        Ok(Members::new(Some(self)))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'a>, Unflattened> {
        Ok(Members::new(Some(self)))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Members<'a>, Unflattened> {
        Ok(Members::new(self.into_member(variant)))
    }
}

/// A list: one field, its text the list as compact JSON.
pub struct List<'a> {
    /// Where the list goes; none if it is a member left out.
    node: Option<Node<'a>>,
    json: String,
}

impl<'a> List<'a> {
    fn new(node: Option<Node<'a>>) -> List<'a> {
        List {
            node,
            json: String::from("["),
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflattened> {
        if self.node.is_none() {
            return Ok(());
        }
        if self.json.len() > 1 {
            self.json.push(',');
        }
        self.json
            .push_str(&serde_json::to_string(value).map_err(ser::Error::custom)?);
        Ok(())
    }

    fn close(mut self) -> Result<(), Unflattened> {
        self.json.push(']');
        match self.node {
            Some(node) => node.leaf(self.json),
            None => Ok(()),
        }
    }
}

impl ser::SerializeSeq for List<'_> {
    type Ok = ();
    type Error = Unflattened;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflattened> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unflattened> {
        self.close()
    }
}

impl ser::SerializeTuple for List<'_> {
    type Ok = ();
    type Error = Unflattened;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflattened> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unflattened> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for List<'_> {
    type Ok = ();
    type Error = Unflattened;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflattened> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unflattened> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for List<'_> {
    type Ok = ();
    type Error = Unflattened;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflattened> {
        self.item(value)
    }
    fn end(self) -> Result<(), Unflattened> {
        self.close()
    }
}

/// The members of a struct, a map or a struct variant, each flattened under its name.
pub struct Members<'a> {
    /// Where the members go; none if they are a member left out.
    node: Option<Node<'a>>,
    /// The key of a map entry whose value comes next.
    key: Option<String>,
}

impl<'a> Members<'a> {
    fn new(node: Option<Node<'a>>) -> Members<'a> {
        Members { node, key: None }
    }

    fn member<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Unflattened> {
        match self.node.as_mut().and_then(|node| node.member(name)) {
            Some(node) => value.serialize(node),
            None => Ok(()),
        }
    }
}

impl ser::SerializeStruct for Members<'_> {
    type Ok = ();
    type Error = Unflattened;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Unflattened> {
        if name == NUMBER {
            // A JSON number, which serde_json hands over as its digits.
            return match &mut self.node {
                Some(node) => value.serialize(Node {
                    prefix: node.prefix.clone(),
                    skip: &[],
                    out: &mut *node.out,
                }),
                None => Ok(()),
            };
        }
        self.member(name, value)
    }
    fn end(self) -> Result<(), Unflattened> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Members<'_> {
    type Ok = ();
    type Error = Unflattened;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Unflattened> {
        self.member(name, value)
    }
    fn end(self) -> Result<(), Unflattened> {
        Ok(())
    }
}

impl ser::SerializeMap for Members<'_> {
    type Ok = ();
    type Error = Unflattened;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unflattened> {
        // A key as serde_json writes it: text as it is, a number or a boolean as its text.
        let key = match serde_json::to_value(key).map_err(ser::Error::custom)? {
            Value::String(key) => key,
            Value::Number(number) => number.to_string(),
            Value::Bool(boolean) => boolean.to_string(),
            other => return Err(ser::Error::custom(format!("a map key that is not text: {other}"))),
        };
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unflattened> {
        let key = self.key.take().unwrap_or_default();
        self.member(&key, value)
    }
    fn end(self) -> Result<(), Unflattened> {
        Ok(())
    }
}

/// Generated profiles, for comparing this module with serde_json on revisions of every shape.
#[cfg(test)]
#[allow(dead_code)]
#[path = "../../examples/generate.rs"]
mod generate;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// What the fields of a value were before this module: the value as JSON, flattened.
    fn through_json<T: Serialize>(value: &T, skip: &[&str]) -> Fields {
        let Value::Object(mut map) = serde_json::to_value(value).expect("json") else {
            panic!("not a mapping")
        };
        map.retain(|name, _| !skip.contains(&name.as_str()));
        fields_of_map(&map)
    }

    #[derive(Serialize)]
    struct Inner {
        value: Option<crate::model::DecimalText>,
        #[serde(skip_serializing_if = "Option::is_none")]
        low: Option<String>,
        unit: &'static str,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        OneWay,
    }

    #[derive(Serialize)]
    struct Extra {
        sources: Vec<String>,
        quote: Option<String>,
    }

    #[derive(Serialize)]
    struct Outer {
        id: &'static str,
        name: String,
        amount: Inner,
        empty: Option<Inner>,
        kind: Kind,
        flag: bool,
        count: u64,
        list: Vec<String>,
        #[serde(flatten)]
        extra: Extra,
    }

    fn outer() -> Outer {
        Outer {
            id: "x",
            name: "Straße \"quoted\"".into(),
            amount: Inner {
                value: Some(crate::model::DecimalText::parse("$9.1 million").expect("an amount")),
                low: None,
                unit: "high",
            },
            empty: None,
            kind: Kind::OneWay,
            flag: true,
            count: 12,
            list: vec!["a\"b".into(), "ü".into()],
            extra: Extra {
                sources: vec!["s1".into()],
                quote: None,
            },
        }
    }

    #[test]
    fn typed_values_flatten_to_names_and_text() {
        let expected: Fields = [
            ("name", "Straße \"quoted\""),
            ("amount.value", "9100000"),
            ("amount.unit", "high"),
            ("empty", ""),
            ("kind", "one_way"),
            ("flag", "true"),
            ("count", "12"),
            ("list", r#"["a\"b","ü"]"#),
            ("quote", ""),
        ]
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .collect();
        assert_eq!(fields(&outer(), &["id", "sources"]), expected);
    }

    #[test]
    fn typed_values_flatten_as_their_json_does() {
        assert_eq!(fields(&outer(), &[]), through_json(&outer(), &[]));
        assert_eq!(
            fields(&outer(), &["id", "sources"]),
            through_json(&outer(), &["id", "sources"])
        );
    }

    /// A typed amount is its exact value (see `typed_values_flatten_to_names_and_text`); a text is
    /// a text.
    #[test]
    fn only_top_level_members_are_skipped() {
        let value = json!({"value": "1", "amount": {"value": "2 thousand", "id": "kept"}, "id": "gone"});
        let flat = fields(&value, &["id", "value"]);
        assert_eq!(
            flat,
            [
                ("amount.value".to_owned(), "2 thousand".to_owned()),
                ("amount.id".to_owned(), "kept".to_owned())
            ]
        );
    }

    #[test]
    fn json_numbers_flatten_to_their_digits() {
        let value = json!({"count": 12, "amount": {"low": 5, "high": 1.50}});
        let expected = fields_of_map(value.as_object().expect("map"));
        assert_eq!(fields(&value, &[]), expected);
        assert_eq!(expected[0], ("count".to_owned(), "12".to_owned()));
        assert_eq!(expected[2], ("amount.high".to_owned(), "1.5".to_owned()));
    }

    #[test]
    fn a_bound_that_is_not_a_decimal_stays_as_written() {
        let flat = fields_of_map(json!({"high": "unknown", "low": 5}).as_object().expect("map"));
        assert_eq!(
            flat,
            [
                ("high".to_owned(), "unknown".to_owned()),
                ("low".to_owned(), "5".to_owned())
            ]
        );
    }

    #[test]
    fn floats_and_number_keys_flatten_as_json_does() {
        let value: BTreeMap<u32, f32> = [(1, 0.1), (2, f32::NAN)].into();
        let flat = fields(&value, &[]);
        assert_eq!(
            flat,
            [("1".to_owned(), "0.1".to_owned()), ("2".to_owned(), String::new())]
        );
        assert_eq!(flat, through_json(&value, &[]));
        let keyed: BTreeMap<bool, f64> = [(true, 2.5)].into();
        assert_eq!(fields(&keyed, &[]), [("true".to_owned(), "2.5".to_owned())]);
        assert_eq!(fields(&keyed, &[]), through_json(&keyed, &[]));
    }

    #[derive(Serialize)]
    enum Shape {
        Pair(u8, String),
        Box { width: u8, label: Option<String> },
    }

    #[derive(Serialize)]
    struct Shapes {
        pair: Shape,
        boxed: Shape,
        #[serde(flatten)]
        top: Shape,
    }

    #[test]
    fn tuple_and_struct_variants_flatten_as_json_does() {
        let value = Shapes {
            pair: Shape::Pair(1, "a".into()),
            boxed: Shape::Box { width: 2, label: None },
            top: Shape::Pair(3, "b".into()),
        };
        let expected: Fields = [
            ("pair.Pair", r#"[1,"a"]"#),
            ("boxed.Box.width", "2"),
            ("boxed.Box.label", ""),
            ("Pair", r#"[3,"b"]"#),
        ]
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .collect();
        assert_eq!(fields(&value, &[]), expected);
        assert_eq!(fields(&value, &[]), through_json(&value, &[]));
        // A variant named in `skip` at the top level is left out, whatever its shape.
        assert_eq!(fields(&value, &["Pair"]), expected[..3]);
        let boxed = Shape::Box {
            width: 4,
            label: Some("x".into()),
        };
        assert_eq!(fields(&boxed, &["Box"]), []);
        assert_eq!(
            fields(&boxed, &[]),
            [
                ("Box.width".to_owned(), "4".to_owned()),
                ("Box.label".to_owned(), "x".to_owned())
            ]
        );
    }

    /// Every revision of a generated folder, and each of its claims, flattens as its JSON does.
    #[test]
    fn generated_revisions_flatten_as_their_json_does() {
        let dir = tempfile::tempdir().expect("temporary folder");
        super::generate::generate(30, 7, dir.path()).expect("generated input");
        let limits = crate::load::Limits::default();
        let mut revisions = 0;
        let mut claims = 0;
        for profile in std::fs::read_dir(dir.path().join("profiles")).expect("profiles") {
            for file in std::fs::read_dir(profile.expect("profile").path()).expect("revisions") {
                let path = file.expect("revision").path();
                let bytes = std::fs::read(&path).expect("bytes");
                let document = crate::load::parse(&path, &bytes, crate::load::Format::Yaml, &limits).expect("parsed");
                let revision: crate::model::Revision = serde_json::from_value(document.value).expect("a revision");
                let lists = super::super::PROFILE_LISTS;
                assert_eq!(
                    fields(&revision, lists),
                    through_json(&revision, lists),
                    "{}",
                    path.display()
                );
                let own = super::super::CLAIM_OWN;
                for contract in &revision.contracts {
                    assert_eq!(fields(contract, own), through_json(contract, own));
                }
                for figure in &revision.figures {
                    assert_eq!(fields(figure, own), through_json(figure, own));
                }
                for event in &revision.events {
                    assert_eq!(fields(event, own), through_json(event, own));
                }
                for relation in &revision.relations {
                    assert_eq!(fields(relation, own), through_json(relation, own));
                }
                revisions += 1;
                claims += revision.contracts.len()
                    + revision.figures.len()
                    + revision.events.len()
                    + revision.relations.len();
            }
        }
        // 30 profiles of 1 to 3 revisions, each with claims of every kind.
        assert_eq!(revisions, 60);
        assert!(claims > 60 * 20, "{claims} claims");
    }
}
