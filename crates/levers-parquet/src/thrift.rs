//! The Thrift compact protocol, as much of it as a Parquet footer and page header need: structs
//! of i32, i64, binary, list and nested struct fields.

pub(crate) const I32: u8 = 5;
pub(crate) const BINARY: u8 = 8;
pub(crate) const STRUCT: u8 = 12;
const I64: u8 = 6;
const LIST: u8 = 9;

/// One top-level struct being written; nested structs keep their own last field id.
pub(crate) struct Thrift {
    out: Vec<u8>,
    last: Vec<i16>,
}

impl Thrift {
    pub(crate) fn new() -> Thrift {
        Thrift {
            out: Vec::new(),
            last: vec![0],
        }
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn field(&mut self, id: i16, ty: u8) {
        let last = self.last.last_mut().map_or(0, |l| std::mem::replace(l, id));
        let delta = id - last;
        if (1..=15).contains(&delta) {
            self.out.push(((delta as u8) << 4) | ty);
        } else {
            self.out.push(ty);
            self.varint(((i64::from(id) << 1) ^ (i64::from(id) >> 63)) as u64);
        }
    }

    pub(crate) fn i32(&mut self, id: i16, v: i32) {
        self.field(id, I32);
        self.varint(((v << 1) ^ (v >> 31)) as u32 as u64);
    }

    pub(crate) fn i64(&mut self, id: i16, v: i64) {
        self.field(id, I64);
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    pub(crate) fn binary(&mut self, id: i16, b: &[u8]) {
        self.field(id, BINARY);
        self.list_binary(b);
    }

    /// A list field of `n` elements of type `elem`; write the elements next.
    pub(crate) fn list(&mut self, id: i16, elem: u8, n: usize) {
        self.field(id, LIST);
        if n < 15 {
            self.out.push(((n as u8) << 4) | elem);
        } else {
            self.out.push(0xF0 | elem);
            self.varint(n as u64);
        }
    }

    pub(crate) fn list_i32(&mut self, v: i32) {
        self.varint(((v << 1) ^ (v >> 31)) as u32 as u64);
    }

    pub(crate) fn list_binary(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    /// A struct field; end it with [`Thrift::end_struct`].
    pub(crate) fn begin_struct(&mut self, id: i16) {
        self.field(id, STRUCT);
        self.last.push(0);
    }

    /// A struct as a list element; end it with [`Thrift::end_struct`].
    pub(crate) fn begin_element(&mut self) {
        self.last.push(0);
    }

    pub(crate) fn end_struct(&mut self) {
        self.out.push(0);
        self.last.pop();
    }

    /// Ends the top-level struct and returns its bytes.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.push(0);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_delta_coded_and_long_jumps_spelled_out() {
        let mut t = Thrift::new();
        t.i32(1, -1);
        t.i64(20, 300);
        t.begin_struct(21);
        t.binary(1, b"ab");
        t.end_struct();
        assert_eq!(
            t.finish(),
            vec![
                0x15, 0x01, 0x06, 40, 0xD8, 0x04, 0x1C, 0x18, 2, b'a', b'b', 0, 0
            ]
        );
    }
}
