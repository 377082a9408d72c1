//! Payments kept column-wise: the fields the procurement analysis reads, for the rows one import
//! added in one financial year, dictionary-encoded (each distinct string, each way of naming a
//! supplier and each combination of rule fields stored once) with varint columns for row ids,
//! dates, amounts and keys. A year of a million payments is a handful of these blocks; reading them
//! back into [`Payments`] gives exactly what reading the rows one at a time gives. Version-tagged;
//! decoding checks every length and reports corruption instead of panicking.

use std::collections::HashMap;

use levers_spend::Transaction;
use levers_spend::analysis::Payments;
use levers_spend::suppliers::{
    normalise_charity_number, normalise_company_number, normalise_vat_number,
};
use time::Date;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Version 2 adds the ProClass category to each combination of rule fields; version 1 blocks
/// (written before migration 0016) still read, with no category.
const MAGIC: &[u8; 4] = b"LSP2";
const MAGIC_V1: &[u8; 4] = b"LSP1";
/// Rows per block at most.
pub(crate) const BLOCK_ROWS: usize = 131_072;
/// 2000-01-01 as a Julian day: dates are stored relative to it.
const J2000: i32 = 2_451_545;

/// One payment's analysed fields as stored (a missing text field is "").
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BlockRow<'a> {
    pub row_id: i64,
    pub date: Option<Date>,
    pub amount_pence: i64,
    pub redacted: bool,
    pub supplier_name: &'a str,
    pub supplier_id: &'a str,
    pub company_number: &'a str,
    pub charity_number: &'a str,
    pub vat_number: &'a str,
    pub expense_type: &'a str,
    pub expense_area: &'a str,
    pub purpose: &'a str,
    pub creditor_type: &'a str,
    /// The ProClass category ("" when none).
    pub category: &'a str,
}

impl<'a> BlockRow<'a> {
    pub(crate) fn of(row_id: i64, t: &'a Transaction) -> BlockRow<'a> {
        let o = |s: &'a Option<String>| s.as_deref().unwrap_or("");
        BlockRow {
            row_id,
            date: t.date,
            amount_pence: t.amount.pence(),
            redacted: t.redacted,
            supplier_name: &t.supplier_name,
            supplier_id: o(&t.supplier_id),
            company_number: o(&t.company_number),
            charity_number: o(&t.charity_number),
            vat_number: o(&t.vat_number),
            expense_type: o(&t.expense_type),
            expense_area: o(&t.expense_area),
            purpose: o(&t.purpose),
            creditor_type: o(&t.creditor_type),
            category: levers_spend::proclass_category(t.proclass_label.as_deref()).unwrap_or(""),
        }
    }
}

type Sk = ([u32; 5], bool);
type Fk = [u32; 5];

/// Builds one block.
#[derive(Default)]
pub(crate) struct BlockWriter {
    strings: FastMap<Box<str>, u32>,
    string_bytes: Vec<u8>,
    string_count: u32,
    sks: FastMap<Sk, u32>,
    sk_list: Vec<Sk>,
    fks: FastMap<Fk, u32>,
    fk_list: Vec<Fk>,
    ids: Vec<u8>,
    dates: Vec<u8>,
    amounts: Vec<u8>,
    keys: Vec<u8>,
    last_id: i64,
    rows: usize,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

impl BlockWriter {
    fn string(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return u32::MAX;
        }
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = self.string_count;
        self.string_count += 1;
        varint(&mut self.string_bytes, s.len() as u64);
        self.string_bytes.extend_from_slice(s.as_bytes());
        self.strings.insert(Box::from(s), i);
        i
    }

    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    pub(crate) fn push(&mut self, r: &BlockRow<'_>) {
        let sk: Sk = (
            [
                self.string(r.supplier_name),
                self.string(r.supplier_id),
                self.string(r.company_number),
                self.string(r.charity_number),
                self.string(r.vat_number),
            ],
            r.redacted,
        );
        let fk: Fk = [
            self.string(r.expense_type),
            self.string(r.expense_area),
            self.string(r.purpose),
            self.string(r.creditor_type),
            self.string(r.category),
        ];
        let next = self.sk_list.len() as u32;
        let ski = *self.sks.entry(sk).or_insert(next);
        if ski == next {
            self.sk_list.push(sk);
        }
        let next = self.fk_list.len() as u32;
        let fki = *self.fks.entry(fk).or_insert(next);
        if fki == next {
            self.fk_list.push(fk);
        }
        varint(&mut self.ids, zigzag(r.row_id - self.last_id));
        self.last_id = r.row_id;
        varint(
            &mut self.dates,
            r.date
                .map_or(0, |d| zigzag(i64::from(d.to_julian_day() - J2000)) + 1),
        );
        varint(&mut self.amounts, zigzag(r.amount_pence));
        varint(&mut self.keys, u64::from(ski));
        varint(&mut self.keys, u64::from(fki));
        self.rows += 1;
    }

    /// The encoded block.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            64 + self.string_bytes.len()
                + self.sk_list.len() * 8
                + self.ids.len()
                + self.dates.len()
                + self.amounts.len()
                + self.keys.len(),
        );
        out.extend_from_slice(MAGIC);
        varint(&mut out, self.rows as u64);
        varint(&mut out, u64::from(self.string_count));
        out.extend_from_slice(&self.string_bytes);
        // String ids are stored +1 so "" (u32::MAX) is 0.
        let sid = |v: u32| if v == u32::MAX { 0 } else { u64::from(v) + 1 };
        varint(&mut out, self.sk_list.len() as u64);
        for (s, redacted) in &self.sk_list {
            for v in s {
                varint(&mut out, sid(*v));
            }
            out.push(u8::from(*redacted));
        }
        varint(&mut out, self.fk_list.len() as u64);
        for f in &self.fk_list {
            for v in f {
                varint(&mut out, sid(*v));
            }
        }
        for col in [&self.ids, &self.dates, &self.amounts, &self.keys] {
            varint(&mut out, col.len() as u64);
            out.extend_from_slice(col);
        }
        out
    }
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> R<'a> {
    fn err(&self, what: &str) -> String {
        format!(
            "stored spend block is corrupt at byte {}: {what}. Undo and re-import the file it came from",
            self.at
        )
    }
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let Some(&b) = self.b.get(self.at) else {
                return Err(self.err("it ends inside a number"));
            };
            self.at += 1;
            if shift > 63 {
                return Err(self.err("a number is too long"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| self.err("a length runs past the end"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn count(&mut self, what: &str) -> Result<usize, String> {
        let n = self.varint()?;
        // Every counted item takes at least one byte.
        if n as usize > self.b.len() {
            return Err(self.err(what));
        }
        Ok(n as usize)
    }
}

/// Decodes a block and adds its rows to `out` as payments of body `body`, in stored order: the
/// result is the same as pushing each row's text with [`Payments::push`]. Returns the rows added.
pub(crate) fn decode_into(bytes: &[u8], body: u16, out: &mut Payments) -> Result<usize, String> {
    let mut r = R { b: bytes, at: 0 };
    let v1 = match r.take(4)? {
        m if m == MAGIC => false,
        m if m == MAGIC_V1 => true,
        _ => return Err(r.err("it is not a spend block of this version")),
    };
    let rows = r.count("too many rows")?;
    let n_strings = r.count("too many strings")?;
    let mut strings: Vec<&str> = Vec::with_capacity(n_strings + 1);
    strings.push("");
    for _ in 0..n_strings {
        let len = r.count("a string is too long")?;
        let s = std::str::from_utf8(r.take(len)?).map_err(|_| r.err("a string is not UTF-8"))?;
        strings.push(s);
    }
    let get = |r: &mut R<'_>| -> Result<&str, String> {
        let i = r.varint()? as usize;
        strings
            .get(i)
            .copied()
            .ok_or_else(|| r.err("a string id is out of range"))
    };
    let n_sk = r.count("too many suppliers")?;
    let mut sks: Vec<([&str; 5], bool)> = Vec::with_capacity(n_sk);
    for _ in 0..n_sk {
        let s = [
            get(&mut r)?,
            get(&mut r)?,
            get(&mut r)?,
            get(&mut r)?,
            get(&mut r)?,
        ];
        let red = r.take(1)?[0] != 0;
        sks.push((s, red));
    }
    let n_fk = r.count("too many field combinations")?;
    let mut fks: Vec<[&str; 5]> = Vec::with_capacity(n_fk);
    for _ in 0..n_fk {
        let f = [get(&mut r)?, get(&mut r)?, get(&mut r)?, get(&mut r)?];
        let cat = if v1 { "" } else { get(&mut r)? };
        fks.push([f[0], f[1], f[2], f[3], cat]);
    }
    let mut cols = Vec::with_capacity(4);
    for _ in 0..4 {
        let len = r.count("a column is too long")?;
        cols.push(R {
            b: r.take(len)?,
            at: 0,
        });
    }
    let [mut ids, mut dates, mut amounts, mut keys] =
        <[R<'_>; 4]>::try_from(cols).map_err(|_| "four columns".to_string())?;
    // Block keys become the payments' keys on first use, so strings and keys are added in the
    // same order as pushing the rows one at a time would add them.
    let mut sk_map = vec![u32::MAX; sks.len()];
    let mut fk_map = vec![u32::MAX; fks.len()];
    let mut id = 0i64;
    out.rows.reserve(rows);
    for _ in 0..rows {
        id += unzigzag(ids.varint()?);
        let d = dates.varint()?;
        let date = if d == 0 {
            None
        } else {
            let j = i64::from(J2000) + unzigzag(d - 1);
            Some(
                i32::try_from(j)
                    .ok()
                    .and_then(|j| Date::from_julian_day(j).ok())
                    .ok_or_else(|| dates.err("a date is out of range"))?,
            )
        };
        let amount = unzigzag(amounts.varint()?);
        let ski = keys.varint()? as usize;
        let fki = keys.varint()? as usize;
        let (Some(sk), Some(fk)) = (sk_map.get_mut(ski), fk_map.get_mut(fki)) else {
            return Err(keys.err("a key is out of range"));
        };
        if *sk == u32::MAX {
            let ([name, sid, co, ch, vat], red) = sks[ski];
            // Registered numbers as the supplier records hold them (normalised), so they can meet.
            let co = normalise_company_number(co).unwrap_or_default();
            let ch = normalise_charity_number(ch).unwrap_or_default();
            let vat = normalise_vat_number(vat).unwrap_or_default();
            *sk = out.supplier_key(body, name, sid, &co, &ch, &vat, red);
        }
        if *fk == u32::MAX {
            let [et, ea, pu, ct, cat] = fks[fki];
            *fk = out.fact_key(et, ea, pu, ct, cat);
        }
        out.push_keyed(id, date, amount, *sk, *fk);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_spend::analysis::PaymentText;

    type Row = (i64, Option<Date>, i64, bool, [&'static str; 9]);

    fn rows() -> Vec<Row> {
        vec![
            (
                7,
                Some(time::macros::date!(2024 - 05 - 01)),
                100_050,
                false,
                [
                    "Acme Ltd",
                    "S1",
                    "1234567",
                    "",
                    "",
                    "ICT",
                    "Resources",
                    "",
                    "",
                ],
            ),
            (
                9,
                None,
                -2_025,
                false,
                [
                    "Beta CIC",
                    "",
                    "",
                    "1100000",
                    "GB123456789",
                    "",
                    "",
                    "Care",
                    "Vendor",
                ],
            ),
            (
                12,
                Some(time::macros::date!(1899 - 12 - 31)),
                5,
                true,
                ["REDACTED", "", "", "", "", "ICT", "Resources", "", ""],
            ),
            (
                13,
                Some(time::macros::date!(2025 - 03 - 31)),
                i64::MAX / 4,
                false,
                [
                    "Acme Ltd",
                    "S1",
                    "1234567",
                    "",
                    "",
                    "ICT",
                    "Resources",
                    "",
                    "",
                ],
            ),
        ]
    }

    #[test]
    fn decoding_gives_what_pushing_the_text_gives() {
        let mut w = BlockWriter::default();
        let mut direct = Payments::default();
        for (id, date, amount, red, f) in rows() {
            let category = if id % 2 == 0 {
                "FACILITIES MGT : Lifts"
            } else {
                ""
            };
            let r = BlockRow {
                row_id: id,
                date,
                amount_pence: amount,
                redacted: red,
                supplier_name: f[0],
                supplier_id: f[1],
                company_number: f[2],
                charity_number: f[3],
                vat_number: f[4],
                expense_type: f[5],
                expense_area: f[6],
                purpose: f[7],
                creditor_type: f[8],
                category,
            };
            w.push(&r);
            let co = normalise_company_number(f[2]).unwrap_or_default();
            let ch = normalise_charity_number(f[3]).unwrap_or_default();
            let vat = normalise_vat_number(f[4]).unwrap_or_default();
            direct.push(PaymentText {
                row_id: id,
                body: 1,
                redacted: red,
                date,
                amount_pence: amount,
                supplier_name: f[0],
                supplier_id: f[1],
                company_number: &co,
                charity_number: &ch,
                vat_number: &vat,
                expense_type: f[5],
                expense_area: f[6],
                purpose: f[7],
                creditor_type: f[8],
                category,
            });
        }
        assert_eq!(w.len(), 4);
        let bytes = w.finish();
        let mut decoded = Payments::default();
        assert_eq!(decode_into(&bytes, 1, &mut decoded).unwrap(), 4);
        assert_eq!(decoded.rows, direct.rows);
        assert_eq!(decoded.supplier_keys, direct.supplier_keys);
        assert_eq!(decoded.fact_keys, direct.fact_keys);
        assert_eq!(decoded.strings.len(), direct.strings.len());
        // Every truncation is reported, never a panic.
        for n in 0..bytes.len() {
            assert!(decode_into(&bytes[..n], 1, &mut Payments::default()).is_err());
        }
    }
}
