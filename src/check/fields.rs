//! An entity's declared fields one by one, as the merger compares, keeps and gives them back: typed
//! values taken from the entity's own type through its `Serialize` (no JSON text on the way), packed
//! in one compact encoding that compares equal exactly when the values do, and read back into the
//! type, once merged, through its `Deserialize`.
//!
//! Entity types hold texts (ids, words, names), lists of texts and nested structs of texts (the
//! identifiers, one field per scheme); a nested struct's members are fields of their own, dotted
//! (`identifiers.lei`), so that they merge one by one.

use serde::de::{self, IntoDeserializer, Visitor};
use serde::ser::{self, Impossible, Serialize};
use std::fmt;

/// The value of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A text: a name, an id, a word, an identifier.
    Text(String),
    /// A list of texts: aliases.
    List(Vec<String>),
}

impl fmt::Display for FieldValue {
    /// As JSON: a text quoted, a list as an array; what messages show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = match self {
            FieldValue::Text(text) => serde_json::to_string(text),
            FieldValue::List(items) => serde_json::to_string(items),
        };
        f.write_str(&json.map_err(|_| fmt::Error)?)
    }
}

const TEXT: u8 = 0;
const LIST: u8 = 1;

impl FieldValue {
    /// Appends the value's encoding: a tag, then each text as its length (4 bytes) and its bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let text = |out: &mut Vec<u8>, text: &str| {
            out.extend_from_slice(&(text.len() as u32).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        };
        match self {
            FieldValue::Text(value) => {
                out.push(TEXT);
                text(out, value);
            }
            FieldValue::List(items) => {
                out.push(LIST);
                out.extend_from_slice(&(items.len() as u32).to_le_bytes());
                for item in items {
                    text(out, item);
                }
            }
        }
    }

    /// The value `encode` wrote.
    pub fn decode(mut bytes: &[u8]) -> FieldValue {
        fn take<'a>(bytes: &mut &'a [u8], n: usize) -> &'a [u8] {
            let (head, rest) = bytes.split_at(n.min(bytes.len()));
            *bytes = rest;
            head
        }
        fn number(bytes: &mut &[u8]) -> usize {
            let mut four = [0; 4];
            four.copy_from_slice(take(bytes, 4));
            u32::from_le_bytes(four) as usize
        }
        fn text(bytes: &mut &[u8]) -> String {
            let length = number(bytes);
            String::from_utf8_lossy(take(bytes, length)).into_owned()
        }
        match take(&mut bytes, 1) {
            [LIST] => {
                let count = number(&mut bytes);
                FieldValue::List((0..count).map(|_| text(&mut bytes)).collect())
            }
            _ => FieldValue::Text(text(&mut bytes)),
        }
    }
}

/// Why a value could not be split into fields or read back: a type the entities do not have.
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

impl de::Error for Unfit {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Unfit(message.to_string())
    }
}

/// The fields of an entity as declared, in the order of its type, leaving out `skip` (its id and
/// sources) and every field it leaves out.
pub fn split<T: Serialize>(entity: &T, skip: &[&str]) -> Result<Vec<(String, FieldValue)>, Unfit> {
    let mut fields = Vec::new();
    entity.serialize(StructSplitter {
        prefix: "",
        skip,
        fields: &mut fields,
        key: None,
    })?;
    Ok(fields)
}

/// Reads merged fields back into the entity's type; `id` is given as the field `id`.
pub fn join<T: de::DeserializeOwned>(id: &str, fields: &[(&str, FieldValue)]) -> Result<T, Unfit> {
    let mut group = Group::default();
    group.insert("id", Node::Value(FieldValue::Text(id.to_owned())));
    for (name, value) in fields {
        group.insert(name, Node::Value(value.clone()));
    }
    T::deserialize(Node::Group(group))
}

/// A struct's members as fields (top level) or dotted subfields (a nested struct, or a mapping of
/// names such as the identifiers by scheme).
struct StructSplitter<'a> {
    prefix: &'a str,
    skip: &'a [&'a str],
    fields: &'a mut Vec<(String, FieldValue)>,
    /// The name of the mapping's member whose value comes next.
    key: Option<String>,
}

macro_rules! refuse {
    ($ok:ty; $($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, Unfit> {
            Err(Unfit(concat!("an entity field of a type entities do not have (", stringify!($method), ")").into()))
        })*
    };
}

impl<'a> ser::Serializer for StructSplitter<'a> {
    type Ok = ();
    type Error = Unfit;
    type SerializeSeq = Impossible<(), Unfit>;
    type SerializeTuple = Impossible<(), Unfit>;
    type SerializeTupleStruct = Impossible<(), Unfit>;
    type SerializeTupleVariant = Impossible<(), Unfit>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Unfit>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unfit> {
        Ok(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unfit> {
        value.serialize(self)
    }
    fn serialize_none(self) -> Result<(), Unfit> {
        Ok(())
    }

    refuse!((); serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_f32(f32), serialize_f64(f64), serialize_char(char), serialize_str(&str),
        serialize_bytes(&[u8]), serialize_unit(), serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str));

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
        Err(Unfit("an entity is a struct".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unfit> {
        Err(Unfit("an entity is a struct".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unfit> {
        Err(Unfit("an entity is a struct".into()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Unfit> {
        Err(Unfit("an entity is a struct".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unfit> {
        Err(Unfit("an entity is a struct".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unfit> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unfit> {
        Err(Unfit("an entity is a struct".into()))
    }
}

impl ser::SerializeMap for StructSplitter<'_> {
    type Ok = ();
    type Error = Unfit;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unfit> {
        match key.serialize(ValueSplitter)? {
            Split::Value(FieldValue::Text(name)) => {
                self.key = Some(name);
                Ok(())
            }
            _ => Err(Unfit("a mapping whose keys are not names".into())),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unfit> {
        let name = self
            .key
            .take()
            .ok_or_else(|| Unfit("a mapping's value without its key".into()))?;
        // Members of a mapping are never top-level fields: `skip` does not apply.
        let name = match self.prefix.is_empty() {
            true => name,
            false => format!("{}.{name}", self.prefix),
        };
        match value.serialize(ValueSplitter)? {
            Split::Value(value) => self.fields.push((name, value)),
            Split::Absent => {}
            Split::Struct => return Err(Unfit("a mapping of structs in an entity".into())),
        }
        Ok(())
    }
    fn end(self) -> Result<(), Unfit> {
        Ok(())
    }
}

impl ser::SerializeStruct for StructSplitter<'_> {
    type Ok = ();
    type Error = Unfit;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Unfit> {
        if self.prefix.is_empty() && self.skip.contains(&name) {
            return Ok(());
        }
        let name = match self.prefix.is_empty() {
            true => name.to_owned(),
            false => format!("{}.{name}", self.prefix),
        };
        let split = match value.serialize(ValueSplitter) {
            Err(Unfit(marker)) if marker == STRUCT => Split::Struct,
            other => other?,
        };
        match split {
            Split::Absent => {}
            Split::Value(value) => self.fields.push((name, value)),
            Split::Struct => value.serialize(StructSplitter {
                prefix: &name,
                skip: &[],
                fields: &mut *self.fields,
                key: None,
            })?,
        }
        Ok(())
    }
    fn end(self) -> Result<(), Unfit> {
        Ok(())
    }
}

/// What a field's value is: absent, a value, or a nested struct whose members are fields of their own.
enum Split {
    Absent,
    Value(FieldValue),
    Struct,
}

/// One field's value.
struct ValueSplitter;

impl ser::Serializer for ValueSplitter {
    type Ok = Split;
    type Error = Unfit;
    type SerializeSeq = ListSplitter;
    type SerializeTuple = Impossible<Split, Unfit>;
    type SerializeTupleStruct = Impossible<Split, Unfit>;
    type SerializeTupleVariant = Impossible<Split, Unfit>;
    type SerializeMap = Impossible<Split, Unfit>;
    type SerializeStruct = Impossible<Split, Unfit>;
    type SerializeStructVariant = Impossible<Split, Unfit>;

    fn serialize_str(self, text: &str) -> Result<Split, Unfit> {
        Ok(Split::Value(FieldValue::Text(text.to_owned())))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Split, Unfit> {
        Ok(Split::Value(FieldValue::Text(variant.to_owned())))
    }
    fn serialize_none(self) -> Result<Split, Unfit> {
        Ok(Split::Absent)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Split, Unfit> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<Split, Unfit> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<ListSplitter, Unfit> {
        Ok(ListSplitter(Vec::new()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Unfit> {
        // Told apart here, split by `StructSplitter` with the field's name as prefix.
        Err(Unfit(STRUCT.into()))
    }

    refuse!(Split; serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_f32(f32), serialize_f64(f64), serialize_char(char), serialize_bytes(&[u8]),
        serialize_unit(), serialize_unit_struct(&'static str));

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Split, Unfit> {
        Err(Unfit("an enum variant with a value in an entity".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unfit> {
        Err(Unfit("a tuple in an entity".into()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Unfit> {
        Err(Unfit("a tuple in an entity".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unfit> {
        Err(Unfit("a tuple in an entity".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unfit> {
        // Told apart here, split by `StructSplitter` with the field's name as prefix.
        Err(Unfit(STRUCT.into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unfit> {
        Err(Unfit("an enum variant with fields in an entity".into()))
    }
}

/// The marker of a nested struct, which `ValueSplitter` cannot split on its own.
const STRUCT: &str = "\u{0}struct";

/// The items of a list field.
struct ListSplitter(Vec<String>);

impl ser::SerializeSeq for ListSplitter {
    type Ok = Split;
    type Error = Unfit;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, item: &T) -> Result<(), Unfit> {
        match item.serialize(ValueSplitter)? {
            Split::Value(FieldValue::Text(text)) => {
                self.0.push(text);
                Ok(())
            }
            _ => Err(Unfit("a list item that is not a text".into())),
        }
    }
    fn end(self) -> Result<Split, Unfit> {
        Ok(Split::Value(FieldValue::List(self.0)))
    }
}

/// Fields grouped back into the shape of their type: dotted names into nested structs.
#[derive(Debug, Default)]
struct Group(Vec<(String, Node)>);

impl Group {
    fn insert(&mut self, name: &str, node: Node) {
        match name.split_once('.') {
            None => self.0.push((name.to_owned(), node)),
            Some((head, rest)) => {
                let at = match self.0.iter().position(|(n, _)| n == head) {
                    Some(at) => at,
                    None => {
                        self.0.push((head.to_owned(), Node::Group(Group::default())));
                        self.0.len() - 1
                    }
                };
                if let Node::Group(group) = &mut self.0[at].1 {
                    group.insert(rest, node);
                }
            }
        }
    }
}

/// A value to read: a field's value, or a struct of fields.
#[derive(Debug)]
enum Node {
    Value(FieldValue),
    Group(Group),
}

impl<'de> IntoDeserializer<'de, Unfit> for Node {
    type Deserializer = Node;
    fn into_deserializer(self) -> Node {
        self
    }
}

impl<'de> de::Deserializer<'de> for Node {
    type Error = Unfit;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        match self {
            Node::Value(FieldValue::Text(text)) => visitor.visit_string(text),
            Node::Value(FieldValue::List(items)) => {
                visitor.visit_seq(de::value::SeqDeserializer::new(items.into_iter()))
            }
            Node::Group(Group(members)) => visitor.visit_map(de::value::MapDeserializer::new(members.into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        match self {
            Node::Value(FieldValue::Text(text)) => visitor.visit_enum(text.into_deserializer()),
            _ => Err(Unfit("an enum that is not a text".into())),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Unfit> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Organization;

    fn organization(yaml_like: serde_json::Value) -> Organization {
        serde_json::from_value(yaml_like).expect("an organization")
    }

    #[test]
    fn an_entity_splits_into_its_fields_and_joins_back_whole() {
        let org = organization(serde_json::json!({
            "id": "aws", "name": "Amazon Web Services", "aliases": ["AWS", "Amazon’s cloud"],
            "kind": "company", "parent": "amazon", "country": "US", "sources": ["profile"]
        }));
        let fields = split(&org, &["id", "sources"]).expect("split");
        let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["name", "aliases", "kind", "parent", "country"]);
        assert_eq!(
            fields[1].1,
            FieldValue::List(vec!["AWS".into(), "Amazon’s cloud".into()])
        );
        assert_eq!(fields[1].1.to_string(), r#"["AWS","Amazon’s cloud"]"#);
        let borrowed: Vec<(&str, FieldValue)> = fields.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        let back: Organization = join("aws", &borrowed).expect("join");
        assert_eq!(
            serde_json::to_value(&back).ok(),
            serde_json::to_value(Organization { sources: None, ..org }).ok()
        );
    }

    #[test]
    fn encodings_round_trip_and_are_equal_exactly_when_values_are() {
        let values = [
            FieldValue::Text(String::new()),
            FieldValue::Text("Agency \"A\" é".into()),
            FieldValue::List(vec![]),
            FieldValue::List(vec!["a".into(), String::new(), "b".into()]),
        ];
        let encoded: Vec<Vec<u8>> = values
            .iter()
            .map(|value| {
                let mut bytes = Vec::new();
                value.encode(&mut bytes);
                bytes
            })
            .collect();
        for (value, bytes) in values.iter().zip(&encoded) {
            assert_eq!(&FieldValue::decode(bytes), value);
        }
        for (i, a) in encoded.iter().enumerate() {
            for (j, b) in encoded.iter().enumerate() {
                assert_eq!(a == b, i == j);
            }
        }
    }
}
