//! Identifiers of an entity in other registers (Wikidata, GLEIF, the SEC, SAM.gov, ...): the schemes,
//! the form of their values with the check digits where a scheme has them, the value as the dataset
//! writes it, and the scheme's public page of a value.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A register that identifies organizations, systems or people (SPEC.md, "Identifiers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Wikidata item id: `Q` and digits without a leading zero, e.g. `Q3884`.
    Wikidata,
    /// Legal Entity Identifier (ISO 17442): 20 characters of A-Z and 0-9 in upper case, the last two
    /// its check digits (ISO 7064 mod 97-10), e.g. `ZXTILKJKG63JELOEG630`.
    Lei,
    /// Central Index Key of the US Securities and Exchange Commission (EDGAR): 1 to 10 digits,
    /// written out zero-padded to 10, e.g. `1018724` or `0001018724`.
    SecCik,
    /// Unique Entity ID of SAM.gov, the US federal award system: 12 characters of 0-9 and A-Z without
    /// I and O, in upper case.
    Uei,
    /// D-U-N-S number of Dun & Bradstreet: 9 digits, without dashes.
    Duns,
    /// Commercial and Government Entity (CAGE) code of a US or NATO supplier: 5 characters of A-Z
    /// and 0-9, in upper case.
    Cage,
    /// US Employer Identification Number of the IRS: 2 digits, `-` and 7 digits, e.g. `91-1646860`.
    Ein,
    /// International Securities Identification Number (ISO 6166): 12 characters in upper case, 2
    /// letters, 9 letters or digits and a Luhn check digit, e.g. `US0231351067`.
    Isin,
    /// OpenCorporates company: `<jurisdiction>/<company number>`, a jurisdiction code of lower-case
    /// letters (`us_de`, `gb`, `ca_bc`) and the company number in letters, digits and `-`, e.g.
    /// `us_de/2956232`.
    Opencorporates,
}

/// A value that a scheme refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierError {
    /// The scheme that refused the value.
    pub scheme: Scheme,
    /// The value as written.
    pub value: String,
    /// What is wrong with it.
    pub problem: Problem,
}

/// What is wrong with an identifier's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The value is empty.
    Empty,
    /// The value has a number of characters the scheme does not allow.
    Length {
        /// Characters in the value.
        found: usize,
    },
    /// The value has lower-case letters where the scheme writes upper case. Nothing is fixed up
    /// silently: a curator writes the value as the register does.
    LowerCase {
        /// The value in upper case, when that is a valid value of the scheme.
        upper_case: Option<String>,
    },
    /// A character the scheme does not allow at its place.
    Character {
        /// Its place in the value, counted in characters from 1.
        position: usize,
        /// The character.
        character: char,
        /// What the scheme allows there, in words.
        allowed: &'static str,
    },
    /// A Wikidata id with nothing after its `Q`.
    NoNumber,
    /// A Wikidata id whose number starts with a zero.
    LeadingZero,
    /// Check digits that the rest of the value does not give.
    CheckDigits {
        /// The check digits written.
        found: String,
        /// The check digits the rest of the value gives.
        expected: String,
    },
    /// An OpenCorporates id without the `/` between jurisdiction and company number.
    NoSeparator,
    /// An OpenCorporates id whose jurisdiction is not a jurisdiction code.
    Jurisdiction {
        /// The jurisdiction as written.
        jurisdiction: String,
    },
    /// An OpenCorporates id with nothing after its `/`.
    NoCompanyNumber,
}

/// Characters of an LEI, a CAGE code and most of an ISIN.
const UPPER_ALPHANUMERIC: &str = "one of A-Z and 0-9";
/// Characters of a UEI: I and O are left out, as they read like 1 and 0.
const UEI_CHARACTERS: &str = "one of 0-9 and A-Z without I and O";
/// Characters of a CIK, a DUNS number and most of an EIN.
const DIGIT: &str = "a digit";

impl Scheme {
    /// Every scheme, in the order of SPEC.md's table.
    pub const ALL: [Scheme; 9] = [
        Scheme::Wikidata,
        Scheme::Lei,
        Scheme::SecCik,
        Scheme::Uei,
        Scheme::Duns,
        Scheme::Cage,
        Scheme::Ein,
        Scheme::Isin,
        Scheme::Opencorporates,
    ];

    /// The scheme's name in the input and the tables (its serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Wikidata => "wikidata",
            Scheme::Lei => "lei",
            Scheme::SecCik => "sec_cik",
            Scheme::Uei => "uei",
            Scheme::Duns => "duns",
            Scheme::Cage => "cage",
            Scheme::Ein => "ein",
            Scheme::Isin => "isin",
            Scheme::Opencorporates => "opencorporates",
        }
    }

    /// What one value of the scheme is called in a sentence.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Wikidata => "Wikidata item id",
            Scheme::Lei => "LEI",
            Scheme::SecCik => "SEC CIK",
            Scheme::Uei => "UEI",
            Scheme::Duns => "DUNS number",
            Scheme::Cage => "CAGE code",
            Scheme::Ein => "EIN",
            Scheme::Isin => "ISIN",
            Scheme::Opencorporates => "OpenCorporates id",
        }
    }

    /// The form of a value, as a sentence that follows an error.
    pub fn expected_form(self) -> &'static str {
        match self {
            Scheme::Wikidata => "a Wikidata item id is `Q` and digits without a leading zero, e.g. `Q3884`",
            Scheme::Lei => {
                "an LEI is 20 characters of A-Z and 0-9, the last two its check digits (ISO 17442), e.g. `ZXTILKJKG63JELOEG630`"
            }
            Scheme::SecCik => "an SEC CIK is 1 to 10 digits, e.g. `1018724` or `0001018724`",
            Scheme::Uei => "a UEI (SAM.gov Unique Entity ID) is 12 characters of 0-9 and A-Z without I and O",
            Scheme::Duns => "a DUNS number is 9 digits, without dashes",
            Scheme::Cage => "a CAGE code is 5 characters of A-Z and 0-9",
            Scheme::Ein => "an EIN is 2 digits, `-` and 7 digits, e.g. `91-1646860`",
            Scheme::Isin => {
                "an ISIN is 12 characters: 2 letters, 9 letters or digits and a check digit (ISO 6166), e.g. `US0231351067`"
            }
            Scheme::Opencorporates => {
                "an OpenCorporates id is `<jurisdiction>/<company number>`: a jurisdiction code of lower-case letters such as `us_de`, `gb` or `ca_bc`, and the company number in letters, digits and `-`, e.g. `us_de/2956232`"
            }
        }
    }

    /// Checks a value as written and returns it as the dataset writes it: the SEC CIK zero-padded to
    /// 10 digits, every other value unchanged. Case and spaces are never fixed up.
    pub fn check(&self, value: &str) -> Result<String, IdentifierError> {
        let checked = match self {
            Scheme::Wikidata => wikidata(value),
            Scheme::Lei => lei(value),
            Scheme::SecCik => sec_cik(value),
            Scheme::Uei => fixed(value, 12, is_uei_character, UEI_CHARACTERS, true),
            Scheme::Duns => fixed(value, 9, |c| c.is_ascii_digit(), DIGIT, false),
            Scheme::Cage => fixed(value, 5, is_upper_alphanumeric, UPPER_ALPHANUMERIC, true),
            Scheme::Ein => ein(value),
            Scheme::Isin => isin(value),
            Scheme::Opencorporates => opencorporates(value),
        };
        checked.map_err(|problem| {
            // Suggest the upper-case value only when it is valid, so the suggestion never leads
            // to a second error. The upper-case value has no lower-case letters: one level deep.
            let problem = match problem {
                Problem::LowerCase { .. } => Problem::LowerCase {
                    upper_case: self.check(&value.to_ascii_uppercase()).ok(),
                },
                problem => problem,
            };
            IdentifierError {
                scheme: *self,
                value: value.to_owned(),
                problem,
            }
        })
    }

    /// The public page of a value returned by `check`, or None for a scheme without one (DUNS,
    /// CAGE, EIN, ISIN). Checked values are URL-safe as they are: nothing is escaped.
    pub fn url(&self, normalised: &str) -> Option<String> {
        match self {
            Scheme::Wikidata => Some(format!("https://www.wikidata.org/wiki/{normalised}")),
            Scheme::Lei => Some(format!("https://search.gleif.org/#/record/{normalised}")),
            Scheme::SecCik => Some(format!(
                "https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK={normalised}"
            )),
            Scheme::Uei => Some(format!("https://sam.gov/entity/{normalised}")),
            Scheme::Opencorporates => Some(format!("https://opencorporates.com/companies/{normalised}")),
            Scheme::Duns | Scheme::Cage | Scheme::Ein | Scheme::Isin => None,
        }
    }
}

/// An entity's identifiers in other registers, by scheme. Each value is checked when it is read
/// (its form and check digits: an error says what the scheme expects) and kept as the dataset
/// writes it (a CIK zero-padded to 10), so no later stage checks or pads it again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identifiers(pub BTreeMap<Scheme, String>);

impl Identifiers {
    /// The name of the schema of a scheme's value: the checker finds a value to check by it.
    pub fn schema_name(scheme: Scheme) -> String {
        let camel: String = scheme
            .as_str()
            .split('_')
            .map(|word| word[..1].to_ascii_uppercase() + &word[1..])
            .collect();
        format!("Identifier{camel}")
    }

    /// The scheme whose value's schema is named `name`, if any.
    pub fn scheme_of_schema(name: &str) -> Option<Scheme> {
        Scheme::ALL
            .into_iter()
            .find(|scheme| Identifiers::schema_name(*scheme) == name)
    }
}

/// As a mapping of each scheme to its value as the dataset writes it.
impl Serialize for Identifiers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (scheme, value) in &self.0 {
            map.serialize_entry(scheme.as_str(), value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Identifiers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Identifiers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of schemes to identifiers")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Identifiers, A::Error> {
                let mut identifiers = BTreeMap::new();
                while let Some(scheme) = map.next_key::<Scheme>()? {
                    let written = map.next_value::<Written>()?.0;
                    let value = scheme.check(&written).map_err(serde::de::Error::custom)?;
                    identifiers.insert(scheme, value);
                }
                Ok(Identifiers(identifiers))
            }
        }

        deserializer.deserialize_map(Visitor)
    }
}

/// A value as written: text, or digits written as a number (`sec_cik: 1018724`), kept as their text.
struct Written(String);

impl<'de> Deserialize<'de> for Written {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Written;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an identifier")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Written, E> {
                Ok(Written(text.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<Written, E> {
                Ok(Written(number.to_string()))
            }
            // serde_json's numbers with `arbitrary_precision` come as a one-entry map of their digits.
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Written, A::Error> {
                match map.next_key::<String>()?.as_deref() {
                    Some("$serde_json::private::Number") => map.next_value().map(Written),
                    _ => Err(serde::de::Error::custom("expected an identifier, found a mapping")),
                }
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for Identifiers {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Identifiers".into()
    }

    /// A mapping with one optional member a scheme, each a definition of its own named by
    /// `schema_name` (which the checker recognizes) and described as the scheme is.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let schemes = schemars::schema_for!(Scheme);
        let described = |scheme: Scheme| {
            schemes
                .as_value()
                .get("oneOf")
                .and_then(serde_json::Value::as_array)
                .and_then(|variants| {
                    variants
                        .iter()
                        .find(|v| v.get("const").and_then(serde_json::Value::as_str) == Some(scheme.as_str()))
                })
                .and_then(|v| v.get("description").cloned())
                .unwrap_or_default()
        };
        let path = generator.settings().definitions_path.trim_start_matches('/').to_owned();
        let mut properties = serde_json::Map::new();
        for scheme in Scheme::ALL {
            let name = Identifiers::schema_name(scheme);
            // Digits may be written as a number: the check reads them as written.
            let definition = serde_json::json!({
                "description": described(scheme),
                "type": ["string", "integer"]
            });
            generator.definitions_mut().insert(name.clone(), definition);
            properties.insert(
                scheme.as_str().to_owned(),
                serde_json::json!({ "$ref": format!("#/{path}/{name}") }),
            );
        }
        schemars::json_schema!({
            "description": "Identifiers of the entity in other registers, by scheme.",
            "type": "object",
            "properties": properties,
            "additionalProperties": false
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for IdentifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.scheme.name();
        let form = self.scheme.expected_form();
        if self.problem == Problem::Empty {
            return write!(f, "an empty value is not a valid {name}: {form}");
        }
        write!(f, "`{}` is not a valid {name}: ", self.value)?;
        match &self.problem {
            // Written above, without the empty value.
            Problem::Empty => Ok(()),
            Problem::Length { found } => {
                let plural = if *found == 1 { "" } else { "s" };
                write!(f, "it has {found} character{plural}; {form}")
            }
            Problem::LowerCase {
                upper_case: Some(upper_case),
            } => write!(
                f,
                "it has lower-case letters, and {name}s are written in upper case: `{upper_case}`"
            ),
            Problem::LowerCase { upper_case: None } => write!(
                f,
                "it has lower-case letters, and {name}s are written in upper case; {form}"
            ),
            Problem::Character {
                position,
                character,
                allowed,
            } => write!(
                f,
                "character {position} is {}, not {allowed}; {form}",
                Shown(*character)
            ),
            Problem::NoNumber => write!(f, "it has no digits after the `Q`; {form}"),
            Problem::LeadingZero => write!(f, "its number starts with a zero; {form}"),
            Problem::CheckDigits { found, expected } => match self.scheme {
                Scheme::Isin => write!(
                    f,
                    "its check digit is `{found}`, but the first 11 characters give `{expected}` (ISO 6166, Luhn over the letters read as A=10 ... Z=35)"
                ),
                _ => write!(
                    f,
                    "its check digits are `{found}`, but the first 18 characters give `{expected}` (ISO 17442, ISO 7064 mod 97-10)"
                ),
            },
            Problem::NoSeparator => write!(
                f,
                "it has no `/` between the jurisdiction and the company number; {form}"
            ),
            Problem::Jurisdiction { jurisdiction } => write!(
                f,
                "its jurisdiction `{jurisdiction}` is not a jurisdiction code; {form}"
            ),
            Problem::NoCompanyNumber => {
                write!(f, "it has no company number after the `/`; {form}")
            }
        }
    }
}

impl std::error::Error for IdentifierError {}

/// A character as a message shows it: a space in words, an invisible character by its code point,
/// and any other character outside ASCII with its code point too, so that a look-alike (the Cyrillic
/// `О` in place of `O`) can be told apart.
struct Shown(char);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        let code = u32::from(c);
        if c == ' ' {
            f.write_str("a space")
        } else if c.is_whitespace() {
            write!(f, "a space of another kind (U+{code:04X})")
        } else if c.is_control() || is_invisible(c) {
            write!(f, "an invisible character (U+{code:04X})")
        } else if c.is_ascii() {
            write!(f, "`{c}`")
        } else {
            write!(f, "`{c}` (U+{code:04X})")
        }
    }
}

/// Characters of no width that editors do not show: the zero-width space, non-joiner and joiner,
/// the direction marks, the word joiner and the byte order mark.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
}

/// A letter A-Z or a digit.
fn is_upper_alphanumeric(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

/// A character of a UEI.
fn is_uei_character(c: char) -> bool {
    is_upper_alphanumeric(c) && c != 'I' && c != 'O'
}

/// Checks every character of `text`, which starts at character `offset + 1` of the value. A
/// lower-case letter whose upper case is allowed is reported as such when `upper_case` is set.
fn characters(
    text: &str,
    offset: usize,
    allowed: impl Fn(char) -> bool,
    allowed_words: &'static str,
    upper_case: bool,
) -> Result<(), Problem> {
    for (index, character) in text.chars().enumerate() {
        if allowed(character) {
            continue;
        }
        if upper_case && character.is_ascii_lowercase() && allowed(character.to_ascii_uppercase()) {
            return Err(Problem::LowerCase { upper_case: None });
        }
        return Err(Problem::Character {
            position: offset + index + 1,
            character,
            allowed: allowed_words,
        });
    }
    Ok(())
}

/// A value of `length` characters that each pass `allowed`.
fn fixed(
    value: &str,
    length: usize,
    allowed: impl Fn(char) -> bool,
    allowed_words: &'static str,
    upper_case: bool,
) -> Result<String, Problem> {
    if value.is_empty() {
        return Err(Problem::Empty);
    }
    characters(value, 0, allowed, allowed_words, upper_case)?;
    // Every character passed, so each is ASCII and bytes count characters.
    if value.len() != length {
        return Err(Problem::Length { found: value.len() });
    }
    Ok(value.to_owned())
}

/// `Q` and digits without a leading zero.
fn wikidata(value: &str) -> Result<String, Problem> {
    let mut chars = value.chars();
    match chars.next() {
        None => return Err(Problem::Empty),
        Some('Q') => {}
        Some('q') => return Err(Problem::LowerCase { upper_case: None }),
        Some(character) => {
            return Err(Problem::Character {
                position: 1,
                character,
                allowed: "`Q`",
            });
        }
    }
    let number = chars.as_str();
    if number.is_empty() {
        return Err(Problem::NoNumber);
    }
    characters(number, 1, |c| c.is_ascii_digit(), DIGIT, false)?;
    if number.starts_with('0') {
        return Err(Problem::LeadingZero);
    }
    Ok(value.to_owned())
}

/// 20 characters A-Z 0-9, the last two the ISO 7064 mod 97-10 check digits of the first 18.
fn lei(value: &str) -> Result<String, Problem> {
    fixed(value, 20, is_upper_alphanumeric, UPPER_ALPHANUMERIC, true)?;
    let (body, check) = value.split_at(18);
    // ISO 17442 makes the check digits digits; a letter there would weigh as two digits.
    characters(check, 18, |c| c.is_ascii_digit(), DIGIT, false)?;
    let expected = lei_check_digits(body)?;
    if check != expected {
        return Err(Problem::CheckDigits {
            found: check.to_owned(),
            expected,
        });
    }
    Ok(value.to_owned())
}

/// The two check digits that make `body` (characters 0-9 and A-Z) an ISO 7064 mod 97-10 number:
/// 98 minus the body followed by `00` modulo 97, each letter read as the two digits of A=10 ... Z=35.
fn lei_check_digits(body: &str) -> Result<String, Problem> {
    let remainder = body.chars().enumerate().try_fold(0, |remainder, (index, c)| {
        let value = alphanumeric_value(index, c)?;
        let shift = if value < 10 { 10 } else { 100 };
        Ok((remainder * shift + value) % 97)
    })?;
    Ok(format!("{:02}", 98 - remainder * 100 % 97))
}

/// The character at `index` of a value read as a number: 0-9 as 0 to 9, A-Z as 10 to 35. Any other
/// character (lower case included) is refused, so the check digits are never computed from it.
fn alphanumeric_value(index: usize, c: char) -> Result<u32, Problem> {
    match c.to_digit(36) {
        Some(value) if is_upper_alphanumeric(c) => Ok(value),
        _ => Err(Problem::Character {
            position: index + 1,
            character: c,
            allowed: UPPER_ALPHANUMERIC,
        }),
    }
}

/// 1 to 10 digits, written out zero-padded to 10.
fn sec_cik(value: &str) -> Result<String, Problem> {
    if value.is_empty() {
        return Err(Problem::Empty);
    }
    characters(value, 0, |c| c.is_ascii_digit(), DIGIT, false)?;
    if value.len() > 10 {
        return Err(Problem::Length { found: value.len() });
    }
    Ok(format!("{value:0>10}"))
}

/// `NN-NNNNNNN`.
fn ein(value: &str) -> Result<String, Problem> {
    fixed(value, 10, |c| c.is_ascii_digit() || c == '-', "a digit or `-`", false)?;
    for (index, character) in value.chars().enumerate() {
        let (allowed, allowed_words) = if index == 2 {
            (character == '-', "`-`")
        } else {
            (character.is_ascii_digit(), DIGIT)
        };
        if !allowed {
            return Err(Problem::Character {
                position: index + 1,
                character,
                allowed: allowed_words,
            });
        }
    }
    Ok(value.to_owned())
}

/// 12 characters: 2 letters, 9 letters or digits and the Luhn check digit of the first 11.
fn isin(value: &str) -> Result<String, Problem> {
    fixed(value, 12, is_upper_alphanumeric, UPPER_ALPHANUMERIC, true)?;
    let (body, check) = value.split_at(11);
    characters(&body[..2], 0, |c| c.is_ascii_uppercase(), "a letter A-Z", false)?;
    characters(check, 11, |c| c.is_ascii_digit(), DIGIT, false)?;
    let expected = isin_check_digit(body)?;
    if check != expected {
        return Err(Problem::CheckDigits {
            found: check.to_owned(),
            expected,
        });
    }
    Ok(value.to_owned())
}

/// The Luhn check digit of `body` (characters 0-9 and A-Z), each letter read as the two digits of
/// A=10 ... Z=35.
fn isin_check_digit(body: &str) -> Result<String, Problem> {
    let mut digits = Vec::with_capacity(body.len() * 2);
    for (index, c) in body.chars().enumerate() {
        let value = alphanumeric_value(index, c)?;
        if value >= 10 {
            digits.push(value / 10);
        }
        digits.push(value % 10);
    }
    // The check digit will stand to the right, so the rightmost digit of the body is doubled.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(index, &digit)| match (index % 2 == 0, digit * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => digit,
        })
        .sum();
    Ok(((10 - sum % 10) % 10).to_string())
}

/// `<jurisdiction>/<company number>`: two lower-case letters, optionally `_` and 1 to 3 lower-case
/// letters (`gb`, `us_de`, `ca_bc`), then one or more ASCII letters, digits and `-`.
fn opencorporates(value: &str) -> Result<String, Problem> {
    if value.is_empty() {
        return Err(Problem::Empty);
    }
    let (jurisdiction, number) = value.split_once('/').ok_or(Problem::NoSeparator)?;
    if !is_jurisdiction(jurisdiction) {
        return Err(Problem::Jurisdiction {
            jurisdiction: jurisdiction.to_owned(),
        });
    }
    if number.is_empty() {
        return Err(Problem::NoCompanyNumber);
    }
    characters(
        number,
        jurisdiction.len() + 1,
        |c| c.is_ascii_alphanumeric() || c == '-',
        "a letter, a digit or `-`",
        false,
    )?;
    Ok(value.to_owned())
}

/// An OpenCorporates jurisdiction code: a country (ISO 3166-1 alpha-2) in lower case, optionally
/// `_` and a subdivision of 1 to 3 lower-case letters.
fn is_jurisdiction(text: &str) -> bool {
    let lower = |part: &str| part.bytes().all(|b| b.is_ascii_lowercase());
    let (country, subdivision) = match text.split_once('_') {
        Some((country, subdivision)) => (country, Some(subdivision)),
        None => (text, None),
    };
    country.len() == 2 && lower(country) && subdivision.is_none_or(|part| (1..=3).contains(&part.len()) && lower(part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The value as the dataset writes it, or the error message.
    fn checked(scheme: Scheme, value: &str) -> String {
        match scheme.check(value) {
            Ok(normalised) => format!("ok {normalised}"),
            Err(e) => e.to_string(),
        }
    }

    /// Checks each value and returns the ones refused, with why.
    fn refused(scheme: Scheme, values: &[&str]) -> Vec<String> {
        values
            .iter()
            .filter_map(|value| scheme.check(value).err().map(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn real_identifiers_of_amazon_apple_and_microsoft_pass() {
        // Amazon.com, Inc.; Apple Inc.; Microsoft Corporation.
        let none = Vec::<String>::new();
        assert_eq!(refused(Scheme::Wikidata, &["Q3884", "Q312", "Q2283"]), none);
        assert_eq!(
            refused(
                Scheme::Lei,
                &["ZXTILKJKG63JELOEG630", "HWUPKR0MPOU8FGXBT394", "INR2EJN1ERAN0W5ZP974"]
            ),
            none
        );
        assert_eq!(
            refused(Scheme::Isin, &["US0231351067", "US0378331005", "US5949181045"]),
            none
        );
        assert_eq!(refused(Scheme::Ein, &["91-1646860", "94-2404110", "91-1144442"]), none);
        assert_eq!(checked(Scheme::Lei, "ZXTILKJKG63JELOEG630"), "ok ZXTILKJKG63JELOEG630");
        assert_eq!(checked(Scheme::Isin, "US0231351067"), "ok US0231351067");
    }

    #[test]
    fn a_cik_is_written_out_zero_padded_to_ten_digits() {
        assert_eq!(checked(Scheme::SecCik, "0001018724"), "ok 0001018724");
        assert_eq!(checked(Scheme::SecCik, "1018724"), "ok 0001018724");
        assert_eq!(checked(Scheme::SecCik, "320193"), "ok 0000320193");
        assert_eq!(checked(Scheme::SecCik, "789019"), "ok 0000789019");
        assert_eq!(checked(Scheme::SecCik, "1"), "ok 0000000001");
        assert_eq!(checked(Scheme::SecCik, "9999999999"), "ok 9999999999");
    }

    #[test]
    fn other_values_are_kept_as_written() {
        assert_eq!(checked(Scheme::Uei, "ABCDEFGH1234"), "ok ABCDEFGH1234");
        assert_eq!(checked(Scheme::Duns, "012345678"), "ok 012345678");
        assert_eq!(checked(Scheme::Cage, "1A2B3"), "ok 1A2B3");
        assert_eq!(checked(Scheme::Ein, "91-1646860"), "ok 91-1646860");
        assert_eq!(checked(Scheme::Opencorporates, "us_de/2956232"), "ok us_de/2956232");
        assert_eq!(checked(Scheme::Opencorporates, "gb/SC123456"), "ok gb/SC123456");
        assert_eq!(checked(Scheme::Opencorporates, "ca_bc/BC0578072"), "ok ca_bc/BC0578072");
        assert_eq!(checked(Scheme::Opencorporates, "us_fl/P-12000"), "ok us_fl/P-12000");
    }

    #[test]
    fn public_pages() {
        let pages: Vec<_> = Scheme::ALL
            .iter()
            .map(|scheme| {
                let example = match scheme {
                    Scheme::Wikidata => "Q3884",
                    Scheme::Lei => "ZXTILKJKG63JELOEG630",
                    Scheme::SecCik => "1018724",
                    Scheme::Uei => "ABCDEFGH1234",
                    Scheme::Duns => "012345678",
                    Scheme::Cage => "1A2B3",
                    Scheme::Ein => "91-1646860",
                    Scheme::Isin => "US0231351067",
                    Scheme::Opencorporates => "us_de/2956232",
                };
                let normalised = scheme.check(example).unwrap_or_default();
                (scheme.as_str(), scheme.url(&normalised))
            })
            .collect();
        let page = |url: &str| Some(url.to_owned());
        assert_eq!(
            pages,
            [
                ("wikidata", page("https://www.wikidata.org/wiki/Q3884")),
                ("lei", page("https://search.gleif.org/#/record/ZXTILKJKG63JELOEG630")),
                (
                    "sec_cik",
                    page("https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=0001018724")
                ),
                ("uei", page("https://sam.gov/entity/ABCDEFGH1234")),
                ("duns", None),
                ("cage", None),
                ("ein", None),
                ("isin", None),
                (
                    "opencorporates",
                    page("https://opencorporates.com/companies/us_de/2956232")
                ),
            ]
        );
    }

    #[test]
    fn serde_names_are_those_of_the_spec() {
        let names: Vec<_> = Scheme::ALL.iter().map(|scheme| scheme.as_str()).collect();
        assert_eq!(
            names,
            [
                "wikidata",
                "lei",
                "sec_cik",
                "uei",
                "duns",
                "cage",
                "ein",
                "isin",
                "opencorporates"
            ]
        );
        for scheme in Scheme::ALL {
            let name = serde_json::to_value(scheme).ok();
            assert_eq!(name, Some(serde_json::Value::from(scheme.as_str())));
            let read: Option<Scheme> = serde_json::from_value(scheme.as_str().into()).ok();
            assert_eq!(read, Some(scheme));
            assert_eq!(scheme.to_string(), scheme.as_str());
        }
        for unknown in ["cik", "secCik", "SEC_CIK", "open_corporates", "LEI"] {
            let read: Result<Scheme, _> = serde_json::from_value(unknown.into());
            assert!(read.is_err(), "{unknown} read as a scheme");
        }
    }

    #[test]
    fn the_json_schema_describes_every_scheme() {
        let schema = serde_json::to_value(schemars::schema_for!(Scheme)).unwrap_or_default();
        let described: Vec<_> = schema["oneOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|variant| {
                (
                    variant["const"].as_str().unwrap_or_default(),
                    variant["description"]
                        .as_str()
                        .unwrap_or_default()
                        .split([':', '('])
                        .next()
                        .unwrap_or_default()
                        .trim(),
                )
            })
            .collect();
        assert_eq!(
            described,
            [
                ("wikidata", "Wikidata item id"),
                ("lei", "Legal Entity Identifier"),
                (
                    "sec_cik",
                    "Central Index Key of the US Securities and Exchange Commission"
                ),
                ("uei", "Unique Entity ID of SAM.gov, the US federal award system"),
                ("duns", "D-U-N-S number of Dun & Bradstreet"),
                ("cage", "Commercial and Government Entity"),
                ("ein", "US Employer Identification Number of the IRS"),
                ("isin", "International Securities Identification Number"),
                ("opencorporates", "OpenCorporates company"),
            ]
        );
    }

    /// The sentence that follows most errors of a scheme.
    fn form(scheme: Scheme) -> &'static str {
        scheme.expected_form()
    }

    #[test]
    fn bad_wikidata_ids() {
        let w = Scheme::Wikidata;
        let f = form(w);
        assert_eq!(
            checked(w, ""),
            format!("an empty value is not a valid Wikidata item id: {f}")
        );
        assert_eq!(
            checked(w, "3884"),
            format!("`3884` is not a valid Wikidata item id: character 1 is `3`, not `Q`; {f}")
        );
        assert_eq!(
            checked(w, "P31"),
            format!("`P31` is not a valid Wikidata item id: character 1 is `P`, not `Q`; {f}")
        );
        assert_eq!(
            checked(w, "q3884"),
            "`q3884` is not a valid Wikidata item id: it has lower-case letters, and Wikidata item ids are written in upper case: `Q3884`"
        );
        assert_eq!(
            checked(w, "Q"),
            format!("`Q` is not a valid Wikidata item id: it has no digits after the `Q`; {f}")
        );
        assert_eq!(
            checked(w, "Q03884"),
            format!("`Q03884` is not a valid Wikidata item id: its number starts with a zero; {f}")
        );
        assert_eq!(
            checked(w, "Q0"),
            format!("`Q0` is not a valid Wikidata item id: its number starts with a zero; {f}")
        );
        assert_eq!(
            checked(w, "Q38 84"),
            format!("`Q38 84` is not a valid Wikidata item id: character 4 is a space, not a digit; {f}")
        );
        assert_eq!(
            checked(w, " Q3884"),
            format!("` Q3884` is not a valid Wikidata item id: character 1 is a space, not `Q`; {f}")
        );
        assert_eq!(
            checked(w, "Q3884\u{a0}"),
            format!(
                "`Q3884\u{a0}` is not a valid Wikidata item id: character 6 is a space of another kind (U+00A0), not a digit; {f}"
            )
        );
        assert_eq!(
            checked(w, "Q38\u{200b}84"),
            format!(
                "`Q38\u{200b}84` is not a valid Wikidata item id: character 4 is an invisible character (U+200B), not a digit; {f}"
            )
        );
        assert_eq!(
            checked(w, "https://www.wikidata.org/wiki/Q3884"),
            format!(
                "`https://www.wikidata.org/wiki/Q3884` is not a valid Wikidata item id: character 1 is `h`, not `Q`; {f}"
            )
        );
    }

    #[test]
    fn bad_leis() {
        let l = Scheme::Lei;
        let f = form(l);
        assert_eq!(
            checked(l, "ZXTILKJKG63JELOEG631"),
            "`ZXTILKJKG63JELOEG631` is not a valid LEI: its check digits are `31`, but the first 18 characters give `30` (ISO 17442, ISO 7064 mod 97-10)"
        );
        assert_eq!(
            checked(l, "ZXTILKJKG63JELOEG603"),
            "`ZXTILKJKG63JELOEG603` is not a valid LEI: its check digits are `03`, but the first 18 characters give `30` (ISO 17442, ISO 7064 mod 97-10)"
        );
        assert_eq!(
            checked(l, "zxtilkjkg63jeloeg630"),
            "`zxtilkjkg63jeloeg630` is not a valid LEI: it has lower-case letters, and LEIs are written in upper case: `ZXTILKJKG63JELOEG630`"
        );
        assert_eq!(
            checked(l, "ZXTILKJKG63JELOEg630"),
            "`ZXTILKJKG63JELOEg630` is not a valid LEI: it has lower-case letters, and LEIs are written in upper case: `ZXTILKJKG63JELOEG630`"
        );
        // No suggestion that would itself be refused.
        assert_eq!(
            checked(l, "zxtilkjkg63jeloeg631"),
            format!(
                "`zxtilkjkg63jeloeg631` is not a valid LEI: it has lower-case letters, and LEIs are written in upper case; {f}"
            )
        );
        assert_eq!(
            checked(l, "ZXTILKJKG63JELOEG63"),
            format!("`ZXTILKJKG63JELOEG63` is not a valid LEI: it has 19 characters; {f}")
        );
        assert_eq!(
            checked(l, "ZXTILKJKG63JELOEG6300"),
            format!("`ZXTILKJKG63JELOEG6300` is not a valid LEI: it has 21 characters; {f}")
        );
        assert_eq!(
            checked(l, "ZXTILKJKG63-ELOEG630"),
            format!("`ZXTILKJKG63-ELOEG630` is not a valid LEI: character 12 is `-`, not one of A-Z and 0-9; {f}")
        );
        assert_eq!(
            checked(l, "ZXTILKJKG63 JELOEG630"),
            format!("`ZXTILKJKG63 JELOEG630` is not a valid LEI: character 12 is a space, not one of A-Z and 0-9; {f}")
        );
        // The Cyrillic О (U+041E) looks like the Latin O.
        assert_eq!(
            checked(l, "ZXTILKJKG63JEL\u{41e}EG630"),
            format!(
                "`ZXTILKJKG63JEL\u{41e}EG630` is not a valid LEI: character 15 is `\u{41e}` (U+041E), not one of A-Z and 0-9; {f}"
            )
        );
        // ISO 17442 makes the last two characters digits.
        assert_eq!(
            checked(l, "ZXTILKJKG63JELOEG6A0"),
            format!("`ZXTILKJKG63JELOEG6A0` is not a valid LEI: character 19 is `A`, not a digit; {f}")
        );
        assert_eq!(checked(l, ""), format!("an empty value is not a valid LEI: {f}"));
    }

    #[test]
    fn bad_ciks() {
        let c = Scheme::SecCik;
        let f = form(c);
        assert_eq!(
            checked(c, "CIK1018724"),
            format!("`CIK1018724` is not a valid SEC CIK: character 1 is `C`, not a digit; {f}")
        );
        assert_eq!(
            checked(c, "00001018724"),
            format!("`00001018724` is not a valid SEC CIK: it has 11 characters; {f}")
        );
        assert_eq!(
            checked(c, "1018724 "),
            format!("`1018724 ` is not a valid SEC CIK: character 8 is a space, not a digit; {f}")
        );
        assert_eq!(
            checked(c, "-1018724"),
            format!("`-1018724` is not a valid SEC CIK: character 1 is `-`, not a digit; {f}")
        );
        assert_eq!(checked(c, ""), format!("an empty value is not a valid SEC CIK: {f}"));
    }

    #[test]
    fn bad_ueis() {
        let u = Scheme::Uei;
        let f = form(u);
        assert_eq!(
            checked(u, "ABCDEFGHI234"),
            format!(
                "`ABCDEFGHI234` is not a valid UEI: character 9 is `I`, not one of 0-9 and A-Z without I and O; {f}"
            )
        );
        assert_eq!(
            checked(u, "ABCDEFGO1234"),
            format!(
                "`ABCDEFGO1234` is not a valid UEI: character 8 is `O`, not one of 0-9 and A-Z without I and O; {f}"
            )
        );
        assert_eq!(
            checked(u, "abcdefgh1234"),
            "`abcdefgh1234` is not a valid UEI: it has lower-case letters, and UEIs are written in upper case: `ABCDEFGH1234`"
        );
        // The upper case of `i` is still not a character of a UEI.
        assert_eq!(
            checked(u, "ABCDEFGHi234"),
            format!(
                "`ABCDEFGHi234` is not a valid UEI: character 9 is `i`, not one of 0-9 and A-Z without I and O; {f}"
            )
        );
        assert_eq!(
            checked(u, "ABCDEFGH123"),
            format!("`ABCDEFGH123` is not a valid UEI: it has 11 characters; {f}")
        );
        assert_eq!(
            checked(u, "ABCD-EFGH-1234"),
            format!(
                "`ABCD-EFGH-1234` is not a valid UEI: character 5 is `-`, not one of 0-9 and A-Z without I and O; {f}"
            )
        );
    }

    #[test]
    fn bad_duns_numbers() {
        let d = Scheme::Duns;
        let f = form(d);
        assert_eq!(
            checked(d, "12-345-6789"),
            format!("`12-345-6789` is not a valid DUNS number: character 3 is `-`, not a digit; {f}")
        );
        assert_eq!(
            checked(d, "12345678"),
            format!("`12345678` is not a valid DUNS number: it has 8 characters; {f}")
        );
        assert_eq!(
            checked(d, "1234567890"),
            format!("`1234567890` is not a valid DUNS number: it has 10 characters; {f}")
        );
    }

    #[test]
    fn bad_cage_codes() {
        let c = Scheme::Cage;
        let f = form(c);
        assert_eq!(
            checked(c, "1a2b3"),
            "`1a2b3` is not a valid CAGE code: it has lower-case letters, and CAGE codes are written in upper case: `1A2B3`"
        );
        assert_eq!(
            checked(c, "1A2B3C"),
            format!("`1A2B3C` is not a valid CAGE code: it has 6 characters; {f}")
        );
        assert_eq!(
            checked(c, "1"),
            format!("`1` is not a valid CAGE code: it has 1 character; {f}")
        );
        assert_eq!(
            checked(c, "1A-B3"),
            format!("`1A-B3` is not a valid CAGE code: character 3 is `-`, not one of A-Z and 0-9; {f}")
        );
    }

    #[test]
    fn bad_eins() {
        let e = Scheme::Ein;
        let f = form(e);
        assert_eq!(
            checked(e, "911646860"),
            format!("`911646860` is not a valid EIN: it has 9 characters; {f}")
        );
        assert_eq!(
            checked(e, "911-646860"),
            format!("`911-646860` is not a valid EIN: character 3 is `1`, not `-`; {f}")
        );
        assert_eq!(
            checked(e, "9-11646860"),
            format!("`9-11646860` is not a valid EIN: character 2 is `-`, not a digit; {f}")
        );
        assert_eq!(
            checked(e, "9a-1646860"),
            format!("`9a-1646860` is not a valid EIN: character 2 is `a`, not a digit or `-`; {f}")
        );
        assert_eq!(
            checked(e, "91 1646860"),
            format!("`91 1646860` is not a valid EIN: character 3 is a space, not a digit or `-`; {f}")
        );
    }

    #[test]
    fn bad_isins() {
        let i = Scheme::Isin;
        let f = form(i);
        assert_eq!(
            checked(i, "US0231351068"),
            "`US0231351068` is not a valid ISIN: its check digit is `8`, but the first 11 characters give `7` (ISO 6166, Luhn over the letters read as A=10 ... Z=35)"
        );
        assert_eq!(
            checked(i, "US0378331006"),
            "`US0378331006` is not a valid ISIN: its check digit is `6`, but the first 11 characters give `5` (ISO 6166, Luhn over the letters read as A=10 ... Z=35)"
        );
        assert_eq!(
            checked(i, "0S0231351067"),
            format!("`0S0231351067` is not a valid ISIN: character 1 is `0`, not a letter A-Z; {f}")
        );
        assert_eq!(
            checked(i, "U10231351067"),
            format!("`U10231351067` is not a valid ISIN: character 2 is `1`, not a letter A-Z; {f}")
        );
        assert_eq!(
            checked(i, "US023135106A"),
            format!("`US023135106A` is not a valid ISIN: character 12 is `A`, not a digit; {f}")
        );
        assert_eq!(
            checked(i, "us0231351067"),
            "`us0231351067` is not a valid ISIN: it has lower-case letters, and ISINs are written in upper case: `US0231351067`"
        );
        assert_eq!(
            checked(i, "US023135106"),
            format!("`US023135106` is not a valid ISIN: it has 11 characters; {f}")
        );
        assert_eq!(
            checked(i, "US-0231351067"),
            format!("`US-0231351067` is not a valid ISIN: character 3 is `-`, not one of A-Z and 0-9; {f}")
        );
    }

    #[test]
    fn bad_opencorporates_ids() {
        let o = Scheme::Opencorporates;
        let f = form(o);
        assert_eq!(
            checked(o, "2956232"),
            format!(
                "`2956232` is not a valid OpenCorporates id: it has no `/` between the jurisdiction and the company number; {f}"
            )
        );
        for jurisdiction in ["US_DE", "usa", "u", "us_", "us_dela", "_de", "us-de", "us_d1", ""] {
            assert_eq!(
                checked(o, &format!("{jurisdiction}/2956232")),
                format!(
                    "`{jurisdiction}/2956232` is not a valid OpenCorporates id: its jurisdiction `{jurisdiction}` is not a jurisdiction code; {f}"
                )
            );
        }
        assert_eq!(
            checked(o, "us_de/"),
            format!("`us_de/` is not a valid OpenCorporates id: it has no company number after the `/`; {f}")
        );
        assert_eq!(
            checked(o, "us_de/29 56232"),
            format!(
                "`us_de/29 56232` is not a valid OpenCorporates id: character 9 is a space, not a letter, a digit or `-`; {f}"
            )
        );
        assert_eq!(
            checked(o, "us_de/2956232/x"),
            format!(
                "`us_de/2956232/x` is not a valid OpenCorporates id: character 14 is `/`, not a letter, a digit or `-`; {f}"
            )
        );
        assert_eq!(
            checked(o, "gb/SC 123456"),
            format!(
                "`gb/SC 123456` is not a valid OpenCorporates id: character 6 is a space, not a letter, a digit or `-`; {f}"
            )
        );
        assert_eq!(
            checked(o, "us_de/2956232?x=1"),
            format!(
                "`us_de/2956232?x=1` is not a valid OpenCorporates id: character 14 is `?`, not a letter, a digit or `-`; {f}"
            )
        );
        assert_eq!(
            checked(o, "https://opencorporates.com/companies/us_de/2956232"),
            format!(
                "`https://opencorporates.com/companies/us_de/2956232` is not a valid OpenCorporates id: its jurisdiction `https:` is not a jurisdiction code; {f}"
            )
        );
        assert_eq!(
            checked(o, ""),
            format!("an empty value is not a valid OpenCorporates id: {f}")
        );
    }

    #[test]
    fn errors_keep_the_scheme_the_value_and_the_problem() {
        assert_eq!(
            Scheme::Lei.check("ZXTILKJKG63JELOEG631"),
            Err(IdentifierError {
                scheme: Scheme::Lei,
                value: "ZXTILKJKG63JELOEG631".to_owned(),
                problem: Problem::CheckDigits {
                    found: "31".to_owned(),
                    expected: "30".to_owned(),
                },
            })
        );
        assert_eq!(
            Scheme::Isin.check("us0231351067").map_err(|e| e.problem),
            Err(Problem::LowerCase {
                upper_case: Some("US0231351067".to_owned())
            })
        );
    }

    /// Check digits computed over letters read as two digits cannot catch every substitution of
    /// a digit for a letter (and, for ISIN's Luhn, of a letter for a letter): these values differ
    /// from a real one in one character, the O and 0 that readers confuse, and still pass, as the
    /// standards define them.
    #[test]
    fn check_digits_miss_some_substitutions_between_letters_and_digits() {
        // Amazon's LEI with its O at character 15 written as a zero.
        assert_eq!(checked(Scheme::Lei, "ZXTILKJKG63JEL0EG630"), "ok ZXTILKJKG63JEL0EG630");
        // Amazon's ISIN with its 0 at character 4 written as the letter O, and with another country.
        assert_eq!(checked(Scheme::Isin, "US0O31351067"), "ok US0O31351067");
        assert_eq!(checked(Scheme::Isin, "ES0231351067"), "ok ES0231351067");
    }

    /// The ISO 7064 mod 97-10 rule as SPEC.md states it, computed independently of the module: the
    /// whole value, each letter written out as its two digits, is 1 modulo 97.
    fn lei_by_the_rule(value: &str) -> bool {
        let digits: String = value
            .chars()
            .map(|c| c.to_digit(36).map(|v| v.to_string()).unwrap_or_default())
            .collect();
        digits.bytes().fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97) == 1
    }

    /// Luhn as a reader checks it, computed independently of the module: every second digit from
    /// the right, the check digit not doubled, and the sum of the digits a multiple of 10.
    fn isin_by_the_rule(value: &str) -> bool {
        let digits: String = value
            .chars()
            .map(|c| c.to_digit(36).map(|v| v.to_string()).unwrap_or_default())
            .collect();
        let sum: u32 = digits
            .bytes()
            .rev()
            .enumerate()
            .map(|(index, b)| {
                let digit = u32::from(b - b'0');
                if index % 2 == 1 {
                    (digit * 2) / 10 + (digit * 2) % 10
                } else {
                    digit
                }
            })
            .sum();
        sum.is_multiple_of(10)
    }

    /// Characters of the alphabet of LEIs and ISINs.
    const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// Every value that differs from `value` in exactly one character of `ALPHABET`, with the
    /// position changed and whether a digit and a letter were swapped for one another.
    fn substitutions(value: &str) -> Vec<(String, usize, bool)> {
        let mut changed = Vec::new();
        for (position, original) in value.char_indices() {
            for replacement in ALPHABET.chars().filter(|&c| c != original) {
                let mut text = value.to_owned();
                text.replace_range(position..position + 1, replacement.encode_utf8(&mut [0; 4]));
                let across = original.is_ascii_digit() != replacement.is_ascii_digit();
                changed.push((text, position, across));
            }
        }
        changed
    }

    proptest! {
        #[test]
        fn leis_with_their_check_digits_pass_and_one_changed_character_fails(body in "[A-Z0-9]{18}") {
            let check = lei_check_digits(&body).unwrap_or_default();
            let value = format!("{body}{check}");
            prop_assert!(lei_by_the_rule(&value));
            prop_assert_eq!(Scheme::Lei.check(&value), Ok(value.clone()));
            for (changed, position, across) in substitutions(&value) {
                let passes = Scheme::Lei.check(&changed).is_ok();
                if across {
                    // A letter weighs as two digits: a swap with a digit passes only when the
                    // rule says the changed value is valid too (about 1 in 100).
                    let digits_at_the_end = changed[18..].bytes().all(|b| b.is_ascii_digit());
                    prop_assert_eq!(passes, digits_at_the_end && lei_by_the_rule(&changed), "{} at {}", changed, position);
                } else {
                    prop_assert!(!passes, "{} passes, changed at {}", changed, position);
                }
            }
        }

        #[test]
        fn isins_with_their_check_digit_pass_and_one_changed_digit_fails(body in "[A-Z]{2}[A-Z0-9]{9}") {
            let check = isin_check_digit(&body).unwrap_or_default();
            let value = format!("{body}{check}");
            prop_assert!(isin_by_the_rule(&value));
            prop_assert_eq!(Scheme::Isin.check(&value), Ok(value.clone()));
            for (changed, position, _) in substitutions(&value) {
                let passes = Scheme::Isin.check(&changed).is_ok();
                let (was, now) = (value.as_bytes()[position], changed.as_bytes()[position]);
                if was.is_ascii_digit() && now.is_ascii_digit() {
                    prop_assert!(!passes, "{} passes, changed at {}", changed, position);
                } else {
                    // A letter is two digits: Luhn misses some changes of a letter (1 in 10 or so).
                    let form = changed.bytes().take(2).all(|b| b.is_ascii_uppercase())
                        && changed.as_bytes()[11].is_ascii_digit();
                    prop_assert_eq!(passes, form && isin_by_the_rule(&changed), "{} at {}", changed, position);
                }
            }
        }

        #[test]
        fn no_value_makes_a_scheme_panic(value in any::<String>()) {
            for scheme in Scheme::ALL {
                if let Ok(normalised) = scheme.check(&value) {
                    let _ = scheme.url(&normalised);
                }
            }
        }

        #[test]
        fn checked_values_are_url_safe_and_checked_again_unchanged(value in "[A-Za-z0-9_/ -]{0,24}") {
            for scheme in Scheme::ALL {
                if let Ok(normalised) = scheme.check(&value) {
                    prop_assert!(normalised.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/".contains(&b)));
                    prop_assert_eq!(scheme.check(&normalised), Ok(normalised.clone()));
                }
            }
        }
    }
}
