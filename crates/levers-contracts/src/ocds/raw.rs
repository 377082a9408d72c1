//! The parts of an OCDS release (1.1, with the UK extension) that levers reads, as serde types.
//! Everything else in a release is skipped unread. Types are lenient where publishers differ
//! (`tag` as a string or a list, amounts as numbers or text, `buyerID: []`): what cannot be read is
//! noted on the contract, and only a release that is not a JSON object at all is rejected.

use levers_core::Money;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};

/// An amount as published: a JSON number or numeric text, to pence; anything else kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    Pence(Money),
    Bad(String),
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an amount")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(i64::try_from(v)
                    .ok()
                    .and_then(|p| p.checked_mul(100))
                    .map_or_else(
                        || Amount::Bad(v.to_string()),
                        |p| Amount::Pence(Money::from_pence(p)),
                    ))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(v.checked_mul(100).map_or_else(
                    || Amount::Bad(v.to_string()),
                    |p| Amount::Pence(Money::from_pence(p)),
                ))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                // Decimal amounts in pounds, read by serde_json to the nearest double; rounding the
                // pence recovers the written figure exactly for any amount below £10^13.
                Ok(Money::from_pounds_f64(v)
                    .map_or_else(|| Amount::Bad(v.to_string()), Amount::Pence))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Ok(levers_spend::parse_amount(v)
                    .map_or_else(|_| Amount::Bad(v.to_string()), Amount::Pence))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Amount, E> {
                Ok(Amount::Bad("null".into()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Amount, E> {
                Ok(Amount::Bad(v.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Amount, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Amount::Bad("a list".into()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Amount, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Amount::Bad("an object".into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Text, or whatever stands where text should (numbers kept as text, anything else dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Text, A::Error> {
                // `buyerID: []`, or a list of strings where one was expected: the first string.
                let mut first = None;
                while let Some(t) = a.next_element::<Text>()? {
                    if first.is_none() {
                        first = t.0;
                    }
                }
                Ok(Text(first))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Text, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl Text {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    pub fn string(&self) -> String {
        self.get().unwrap_or_default().to_string()
    }
}

/// One string or a list of them (`tag`, `specialRegime`, `reservedParticipation`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts(pub Vec<String>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Texts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text or a list of text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_string()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Texts, E> {
                Ok(Texts::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Texts, E> {
                Ok(Texts::default())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Texts, E> {
                Ok(Texts(vec![v.to_string()]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Texts, A::Error> {
                let mut out = Vec::new();
                while let Some(t) = a.next_element::<Text>()? {
                    if let Some(s) = t.get() {
                        out.push(s.to_string());
                    }
                }
                Ok(Texts(out))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Texts, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Texts::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// `true`/`false`, also written as text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = Text::deserialize(d)?;
        Ok(Flag(
            match t.get().map(str::to_ascii_lowercase).as_deref() {
                Some("true" | "yes" | "y" | "1") => Some(true),
                Some("false" | "no" | "n" | "0") => Some(false),
                _ => None,
            },
        ))
    }
}

/// A list that may be missing, null or (wrongly) a single object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(List(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default()))
    }
}

impl<T> List<T> {
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Value {
    pub amount: Option<Amount>,
    pub amount_gross: Option<Amount>,
    pub currency: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Period {
    pub start_date: Text,
    pub end_date: Text,
    pub max_extent_date: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Classification {
    pub scheme: Text,
    pub id: Text,
    pub description: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Item {
    pub classification: Option<Classification>,
    pub additional_classifications: List<Classification>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Document {
    pub id: Text,
    pub document_type: Text,
    pub notice_type: Text,
    pub url: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Renewal {
    pub description: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Suitability {
    pub sme: Flag,
    pub vcse: Flag,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Location {
    pub description: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct OtherRequirements {
    pub reserved_participation: Texts,
    pub reserved_participation_location: Option<Location>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct RawLot {
    pub id: Text,
    pub title: Text,
    pub value: Option<Value>,
    pub contract_period: Option<Period>,
    pub has_renewal: Flag,
    pub renewal: Option<Renewal>,
    pub suitability: Option<Suitability>,
    pub other_requirements: Option<OtherRequirements>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Tender {
    pub id: Text,
    pub title: Text,
    pub description: Text,
    pub status: Text,
    pub classification: Option<Classification>,
    pub items: List<Item>,
    pub value: Option<Value>,
    pub min_value: Option<Value>,
    pub procurement_method: Text,
    pub procurement_method_details: Text,
    pub main_procurement_category: Text,
    pub special_regime: Texts,
    pub above_threshold: Flag,
    pub tender_period: Option<Period>,
    pub contract_period: Option<Period>,
    pub has_renewal: Flag,
    pub renewal: Option<Renewal>,
    pub suitability: Option<Suitability>,
    pub other_requirements: Option<OtherRequirements>,
    pub lots: List<RawLot>,
    pub documents: List<Document>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OrgRef {
    pub id: Text,
    pub name: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Identifier {
    pub scheme: Text,
    pub id: Text,
    pub legal_name: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Address {
    pub postal_code: Text,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Details {
    pub scale: Text,
    pub vcse: Flag,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Party {
    pub id: Text,
    pub name: Text,
    pub identifier: Option<Identifier>,
    pub additional_identifiers: List<Identifier>,
    pub address: Option<Address>,
    pub roles: Texts,
    pub details: Option<Details>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Award {
    pub id: Text,
    pub status: Text,
    pub value: Option<Value>,
    pub suppliers: List<OrgRef>,
    pub contract_period: Option<Period>,
    pub items: List<Item>,
    pub documents: List<Document>,
    pub has_renewal: Flag,
    pub renewal: Option<Renewal>,
    pub above_threshold: Flag,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct RawContract {
    pub id: Text,
    pub status: Text,
    pub value: Option<Value>,
    pub period: Option<Period>,
    pub items: List<Item>,
    pub documents: List<Document>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Planning {
    pub documents: List<Document>,
}

/// A release (or a record's compiled release).
#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Release {
    pub ocid: Text,
    pub id: Text,
    pub date: Text,
    pub tag: Texts,
    pub buyer: Option<OrgRef>,
    pub parties: List<Party>,
    pub planning: Option<Planning>,
    pub tender: Option<Tender>,
    pub awards: List<Award>,
    pub contracts: List<RawContract>,
}

/// A record of a record package: its compiled release, else its embedded releases.
#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Record {
    pub ocid: Text,
    pub compiled_release: Option<Release>,
    pub releases: List<Release>,
}

/// Just enough of a release to name it when the rest cannot be read.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Name {
    pub ocid: Text,
    pub id: Text,
}
