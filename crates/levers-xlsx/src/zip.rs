//! The smallest ZIP writer an .xlsx needs: stored (uncompressed) entries, CRC-32, a central directory,
//! and a fixed timestamp (1980-01-01) so output is reproducible.

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum ZIP requires.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

/// DOS date for 1980-01-01 and time 00:00:00.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;

#[derive(Default)]
pub(crate) struct Writer {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

impl Writer {
    /// Adds one file. Sizes beyond 4 GiB (ZIP64) are not supported; no export comes near that.
    pub(crate) fn add(&mut self, name: &str, data: &[u8]) {
        let crc = crc32(data);
        let size = u32::try_from(data.len()).expect("an xlsx part under 4 GiB");
        let offset = u32::try_from(self.out.len()).expect("an xlsx under 4 GiB");
        let name_len = u16::try_from(name.len()).expect("short part name");
        // Local file header. Flag bit 11: names are UTF-8.
        let o = &mut self.out;
        u32le(o, 0x0403_4b50);
        u16le(o, 20);
        u16le(o, 1 << 11);
        u16le(o, 0); // stored
        u16le(o, DOS_TIME);
        u16le(o, DOS_DATE);
        u32le(o, crc);
        u32le(o, size);
        u32le(o, size);
        u16le(o, name_len);
        u16le(o, 0);
        o.extend_from_slice(name.as_bytes());
        o.extend_from_slice(data);
        // Central directory record.
        let c = &mut self.central;
        u32le(c, 0x0201_4b50);
        u16le(c, 20);
        u16le(c, 20);
        u16le(c, 1 << 11);
        u16le(c, 0);
        u16le(c, DOS_TIME);
        u16le(c, DOS_DATE);
        u32le(c, crc);
        u32le(c, size);
        u32le(c, size);
        u16le(c, name_len);
        u16le(c, 0); // extra
        u16le(c, 0); // comment
        u16le(c, 0); // disk
        u16le(c, 0); // internal attributes
        u32le(c, 0); // external attributes
        u32le(c, offset);
        c.extend_from_slice(name.as_bytes());
        self.entries += 1;
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        let cd_offset = u32::try_from(self.out.len()).expect("an xlsx under 4 GiB");
        let cd_size = u32::try_from(self.central.len()).expect("small directory");
        self.out.extend_from_slice(&self.central);
        let o = &mut self.out;
        u32le(o, 0x0605_4b50);
        u16le(o, 0);
        u16le(o, 0);
        u16le(o, self.entries);
        u16le(o, self.entries);
        u32le(o, cd_size);
        u32le(o, cd_offset);
        u16le(o, 0);
        self.out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn crc_of_known_strings() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    /// Reads back a stored ZIP through its central directory, checking every CRC and size.
    pub(crate) fn list(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
        let rd16 = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]) as usize;
        let rd32 = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap()) as usize;
        let end = zip.len() - 22;
        assert_eq!(rd32(end), 0x0605_4b50, "end of central directory");
        let count = rd16(end + 10);
        let mut at = rd32(end + 16);
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(rd32(at), 0x0201_4b50);
            let crc = rd32(at + 16) as u32;
            let size = rd32(at + 20);
            let name_len = rd16(at + 28);
            let local = rd32(at + 42);
            let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(rd32(local), 0x0403_4b50);
            let data_at = local + 30 + rd16(local + 26) + rd16(local + 28);
            let data = zip[data_at..data_at + size].to_vec();
            assert_eq!(crc32(&data), crc, "crc of {name}");
            out.push((name, data));
            at += 46 + name_len;
        }
        out
    }
}
