//! A compact binary form of a [`Contract`] for the import's partition files (`spill.rs`): written
//! and read back by the same build, so no versioning, but every field is named once in `put` and
//! once in `get` (both destructure or build the structs whole, so a field added to the model does
//! not compile until it is added here). Lengths and numbers are little-endian; strings UTF-8.

use levers_contracts::Contract;
use levers_contracts::model::{Lot, Source, Stage, SupplierRef};
use levers_core::Money;
use time::Date;

/// Something that can be written to and read from a partition file.
trait Field: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Option<Self>;
}

/// Reads fields back from one encoded contract.
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.buf.len() < n {
            return None;
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Some(a)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

impl Field for String {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        out.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.u32()? as usize;
        String::from_utf8(r.take(n)?.to_vec()).ok()
    }
}

impl Field for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(r.take(1)?[0] != 0)
    }
}

impl Field for Money {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.pence().to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(Money::from_pence(i64::from_le_bytes(
            r.take(8)?.try_into().ok()?,
        )))
    }
}

impl Field for Date {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_julian_day().to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Date::from_julian_day(i32::from_le_bytes(r.take(4)?.try_into().ok()?)).ok()
    }
}

impl Field for Source {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(match self {
            Source::Register => 0,
            Source::Ocds => 1,
        });
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match r.take(1)?[0] {
            0 => Some(Source::Register),
            1 => Some(Source::Ocds),
            _ => None,
        }
    }
}

const STAGES: [Stage; 6] = [
    Stage::Planning,
    Stage::Tender,
    Stage::Award,
    Stage::Contract,
    Stage::Implementation,
    Stage::Cancelled,
];

impl Field for Stage {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(STAGES.iter().position(|s| s == self).unwrap_or(0) as u8);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        STAGES.get(usize::from(r.take(1)?[0])).copied()
    }
}

impl<T: Field> Field for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match r.take(1)?[0] {
            0 => Some(None),
            1 => Some(Some(T::get(r)?)),
            _ => None,
        }
    }
}

impl<T: Field> Field for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for v in self {
            v.put(out);
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.u32()? as usize;
        let mut v = Vec::with_capacity(n.min(r.buf.len()));
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Some(v)
    }
}

/// Writes each named field in order, and reads them back in the same order.
macro_rules! record {
    ($ty:ident { $($f:ident),* $(,)? }) => {
        impl Field for $ty {
            fn put(&self, out: &mut Vec<u8>) {
                let $ty { $($f),* } = self;
                $($f.put(out);)*
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                Some($ty { $($f: Field::get(r)?),* })
            }
        }
    };
}

record!(SupplierRef {
    name,
    id,
    company_number,
    charity_number,
    scale,
    vcse,
    postcode
});
record!(Lot {
    id,
    title,
    value_net,
    value_gross,
    start,
    end,
    max_extent,
    has_renewal
});
record!(Contract {
    key,
    source,
    ocid,
    release_id,
    release_date,
    reference,
    title,
    description,
    buyer,
    department,
    notice_type,
    tags,
    stage,
    status,
    cpv,
    category,
    value_net,
    value_gross,
    currency,
    start,
    end,
    max_extent,
    review,
    has_renewal,
    renewal,
    tender_end,
    procedure,
    above_threshold,
    special_regime,
    main_category,
    suitable_sme,
    suitable_vcse,
    reserved,
    reserved_location,
    lots,
    suppliers,
    url,
    warnings,
    seen,
});

/// Appends `c` to `out`.
pub fn put(c: &Contract, out: &mut Vec<u8>) {
    c.put(out);
}

/// Reads one contract written by [`put`] (all of `buf`); `None` if it is not one.
pub fn get(buf: &[u8]) -> Option<Contract> {
    let mut r = Reader { buf };
    let c = Contract::get(&mut r)?;
    r.buf.is_empty().then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_with_every_field_set_comes_back_the_same() {
        let d = |j| Date::from_julian_day(j).unwrap();
        let lot = Lot {
            id: "1".into(),
            title: "Lot \u{e9}".into(),
            value_net: Some(Money::from_pence(-5)),
            value_gross: Some(Money::from_pence(i64::MAX)),
            start: Some(d(2_460_000)),
            end: None,
            max_extent: Some(d(2_461_000)),
            has_renewal: true,
        };
        let sup = SupplierRef {
            name: "Acme".into(),
            id: Some("GB-COH-1".into()),
            company_number: Some("01".into()),
            charity_number: None,
            scale: Some("sme".into()),
            vcse: Some(false),
            postcode: Some("LM1 1AA".into()),
        };
        let c = Contract {
            key: "ocds:a".into(),
            source: Source::Ocds,
            ocid: Some("a".into()),
            release_id: Some("r".into()),
            release_date: Some("2026-01-01T00:00:00Z".into()),
            reference: "ref".into(),
            title: "t".into(),
            description: "line\nbreak \"quoted\"".into(),
            buyer: "b".into(),
            department: "d".into(),
            notice_type: Some("UK4".into()),
            tags: vec!["tender".into()],
            stage: Stage::Cancelled,
            status: Some("active".into()),
            cpv: vec!["55524000".into(), "90910000".into()],
            category: "services".into(),
            value_net: Some(Money::from_pence(12_000_000)),
            value_gross: None,
            currency: Some("GBP".into()),
            start: Some(d(2_460_100)),
            end: Some(d(2_460_200)),
            max_extent: None,
            review: Some(d(2_460_150)),
            has_renewal: true,
            renewal: "two years".into(),
            tender_end: Some(d(2_460_050)),
            procedure: "open".into(),
            above_threshold: Some(true),
            special_regime: vec!["lightTouch".into()],
            main_category: "services".into(),
            suitable_sme: Some(true),
            suitable_vcse: None,
            reserved: vec!["smeVcse".into()],
            reserved_location: Some("Levermouth".into()),
            lots: vec![lot.clone(), Lot::default()],
            suppliers: vec![sup, SupplierRef::default()],
            url: Some("https://example.org".into()),
            warnings: vec!["w".into()],
            seen: vec!["r".into(), "q".into()],
        };
        let mut buf = Vec::new();
        put(&c, &mut buf);
        assert_eq!(get(&buf), Some(c.clone()));
        put(&Contract::default(), &mut buf);
        assert_eq!(get(&buf), None, "two contracts are not one");
        assert_eq!(get(&buf[..10]), None, "cut short");
    }
}
