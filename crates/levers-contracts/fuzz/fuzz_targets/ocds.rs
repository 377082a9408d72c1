//! cargo-fuzz target for the streamed OCDS reader: any bytes, fed in any chunking, must give a
//! balanced report or an error, never a panic, and the same result however they are split.
//!
//! Run: `cd crates/levers-contracts/fuzz && cargo +nightly fuzz run ocds -- -max_len=65536`

#![no_main]

use libfuzzer_sys::fuzz_target;

struct Trickle<'a>(&'a [u8], usize);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.1.min(buf.len()).min(self.0.len());
        buf[..k].copy_from_slice(&self.0[..k]);
        self.0 = &self.0[k..];
        Ok(k)
    }
}

fuzz_target!(|data: &[u8]| {
    let (split, data) = match data.split_first() {
        Some((s, d)) => (usize::from(*s).max(1), d),
        None => (1, data),
    };
    let mut a = Vec::new();
    let whole = levers_contracts::ocds::read_ocds("fuzz.json", data, &mut |c| a.push(c));
    let mut b = Vec::new();
    let parts =
        levers_contracts::ocds::read_ocds("fuzz.json", Trickle(data, split), &mut |c| b.push(c));
    match (whole, parts) {
        (Ok(x), Ok(y)) => {
            assert!(x.balanced(), "{x:?}");
            assert_eq!(x, y);
            assert_eq!(a, b);
        }
        (Err(_), Err(_)) => {}
        (x, y) => panic!("chunking changed the outcome: {x:?} / {y:?}"),
    }
});
