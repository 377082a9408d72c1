//! The parts of an OCDS release (1.1, with the UK extension) that levers reads, as serde types.
//! Everything else in a release is skipped unread. Types are lenient where publishers differ
//! (`tag` as a string or a list, amounts as numbers or text, `buyerID: []`): what cannot be read is
//! noted on the contract, and only a release that is not a JSON object at all is rejected.

use levers_core::Money;
use std::borrow::Cow;
use std::marker::PhantomData;

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
/// Borrowed from the release's bytes when it has no escapes (most text), so reading a release
/// allocates only for what it keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text<'a>, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Text<'a>, A::Error> {
                // `buyerID: []`, or a list of strings where one was expected: the first string.
                let mut first = None;
                while let Some(t) = a.next_element::<Text<'a>>()? {
                    if first.is_none() {
                        first = t.0;
                    }
                }
                Ok(Text(first))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Text<'a>, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl Text<'_> {
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
        Ok(Flag(match t.get() {
            Some(s)
                if ["true", "yes", "y", "1"]
                    .iter()
                    .any(|w| s.eq_ignore_ascii_case(w)) =>
            {
                Some(true)
            }
            Some(s)
                if ["false", "no", "n", "0"]
                    .iter()
                    .any(|w| s.eq_ignore_ascii_case(w)) =>
            {
                Some(false)
            }
            _ => None,
        }))
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
pub struct Value<'a> {
    pub amount: Option<Amount>,
    pub amount_gross: Option<Amount>,
    #[serde(borrow)]
    pub currency: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Period<'a> {
    #[serde(borrow)]
    pub start_date: Text<'a>,
    #[serde(borrow)]
    pub end_date: Text<'a>,
    #[serde(borrow)]
    pub max_extent_date: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Classification<'a> {
    #[serde(borrow)]
    pub scheme: Text<'a>,
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub description: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Item<'a> {
    #[serde(borrow)]
    pub classification: Option<Classification<'a>>,
    #[serde(borrow)]
    pub additional_classifications: List<Classification<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Document<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub document_type: Text<'a>,
    #[serde(borrow)]
    pub notice_type: Text<'a>,
    #[serde(borrow)]
    pub url: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Renewal<'a> {
    #[serde(borrow)]
    pub description: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Suitability {
    pub sme: Flag,
    pub vcse: Flag,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Location<'a> {
    #[serde(borrow)]
    pub description: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct OtherRequirements<'a> {
    pub reserved_participation: Texts,
    #[serde(borrow)]
    pub reserved_participation_location: Option<Location<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct RawLot<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub title: Text<'a>,
    #[serde(borrow)]
    pub value: Option<Value<'a>>,
    #[serde(borrow)]
    pub contract_period: Option<Period<'a>>,
    pub has_renewal: Flag,
    #[serde(borrow)]
    pub renewal: Option<Renewal<'a>>,
    pub suitability: Option<Suitability>,
    #[serde(borrow)]
    pub other_requirements: Option<OtherRequirements<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Tender<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub title: Text<'a>,
    #[serde(borrow)]
    pub description: Text<'a>,
    #[serde(borrow)]
    pub status: Text<'a>,
    #[serde(borrow)]
    pub classification: Option<Classification<'a>>,
    #[serde(borrow)]
    pub items: List<Item<'a>>,
    #[serde(borrow)]
    pub value: Option<Value<'a>>,
    #[serde(borrow)]
    pub min_value: Option<Value<'a>>,
    #[serde(borrow)]
    pub procurement_method: Text<'a>,
    #[serde(borrow)]
    pub procurement_method_details: Text<'a>,
    #[serde(borrow)]
    pub main_procurement_category: Text<'a>,
    pub special_regime: Texts,
    pub above_threshold: Flag,
    #[serde(borrow)]
    pub tender_period: Option<Period<'a>>,
    #[serde(borrow)]
    pub contract_period: Option<Period<'a>>,
    pub has_renewal: Flag,
    #[serde(borrow)]
    pub renewal: Option<Renewal<'a>>,
    pub suitability: Option<Suitability>,
    #[serde(borrow)]
    pub other_requirements: Option<OtherRequirements<'a>>,
    #[serde(borrow)]
    pub lots: List<RawLot<'a>>,
    #[serde(borrow)]
    pub documents: List<Document<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OrgRef<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub name: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Identifier<'a> {
    #[serde(borrow)]
    pub scheme: Text<'a>,
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub legal_name: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Address<'a> {
    #[serde(borrow)]
    pub postal_code: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Details<'a> {
    #[serde(borrow)]
    pub scale: Text<'a>,
    pub vcse: Flag,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Party<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub identifier: Option<Identifier<'a>>,
    #[serde(borrow)]
    pub additional_identifiers: List<Identifier<'a>>,
    #[serde(borrow)]
    pub address: Option<Address<'a>>,
    pub roles: Texts,
    #[serde(borrow)]
    pub details: Option<Details<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Award<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub status: Text<'a>,
    #[serde(borrow)]
    pub value: Option<Value<'a>>,
    #[serde(borrow)]
    pub suppliers: List<OrgRef<'a>>,
    #[serde(borrow)]
    pub contract_period: Option<Period<'a>>,
    #[serde(borrow)]
    pub items: List<Item<'a>>,
    #[serde(borrow)]
    pub documents: List<Document<'a>>,
    pub has_renewal: Flag,
    #[serde(borrow)]
    pub renewal: Option<Renewal<'a>>,
    pub above_threshold: Flag,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct RawContract<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub status: Text<'a>,
    #[serde(borrow)]
    pub value: Option<Value<'a>>,
    #[serde(borrow)]
    pub period: Option<Period<'a>>,
    #[serde(borrow)]
    pub items: List<Item<'a>>,
    #[serde(borrow)]
    pub documents: List<Document<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Planning<'a> {
    #[serde(borrow)]
    pub documents: List<Document<'a>>,
}

/// A release (or a record's compiled release).
#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Release<'a> {
    #[serde(borrow)]
    pub ocid: Text<'a>,
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub date: Text<'a>,
    pub tag: Texts,
    #[serde(borrow)]
    pub buyer: Option<OrgRef<'a>>,
    #[serde(borrow)]
    pub parties: List<Party<'a>>,
    #[serde(borrow)]
    pub planning: Option<Planning<'a>>,
    #[serde(borrow)]
    pub tender: Option<Tender<'a>>,
    #[serde(borrow)]
    pub awards: List<Award<'a>>,
    #[serde(borrow)]
    pub contracts: List<RawContract<'a>>,
}

/// A record of a record package: its compiled release, else its embedded releases.
#[derive(Debug, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Record<'a> {
    #[serde(borrow)]
    pub ocid: Text<'a>,
    #[serde(borrow)]
    pub compiled_release: Option<Release<'a>>,
    #[serde(borrow)]
    pub releases: List<Release<'a>>,
}

/// Just enough of a release to name it when the rest cannot be read.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct Name<'a> {
    #[serde(borrow)]
    pub ocid: Text<'a>,
    #[serde(borrow)]
    pub id: Text<'a>,
}
