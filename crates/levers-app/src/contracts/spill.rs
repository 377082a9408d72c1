//! Grouping a file's contracts by key in bounded memory: each contract read is written to one of
//! several temporary partition files chosen by its key's hash (in `codec`'s compact form), then each
//! partition is read back alone and handed on, in the order its contracts were read. The import merges a partition with what is stored (each key read from
//! the store once and written once), and the OCDS benchmark merges it in memory: memory is one
//! partition, whatever the file's size. A small file stays in memory as one partition.

use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use levers_contracts::Contract;

/// Input bytes a partition is sized for: the flattened contracts of this much OCDS take some tens
/// of megabytes once read back.
pub const PARTITION_INPUT_BYTES: u64 = 16 << 20;
/// Most partitions (open files) at once.
const MAX_PARTITIONS: u64 = 512;
/// Each partition file's write buffer.
const BUFFER_BYTES: usize = 32 << 10;

/// One temporary partition file, removed when dropped.
struct Part {
    path: PathBuf,
    out: Option<BufWriter<std::fs::File>>,
}

impl Drop for Part {
    fn drop(&mut self) {
        self.out = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Contracts being grouped by key: in memory for a small input, else in partition files.
pub struct Spill {
    parts: Vec<Part>,
    held: Vec<Contract>,
    line: Vec<u8>,
    /// Contracts pushed.
    pub pushed: u64,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{what}: {e}"))
}

impl Spill {
    /// Partitions for `input_bytes` of input (0 or a small input: one, held in memory).
    pub fn new(input_bytes: u64) -> std::io::Result<Spill> {
        let n = input_bytes
            .div_ceil(PARTITION_INPUT_BYTES)
            .min(MAX_PARTITIONS);
        let mut parts = Vec::new();
        if n > 1 {
            let stem = format!(
                "levers-contracts-{}-{}",
                std::process::id(),
                &crate::credentials::random_token()[..12]
            );
            for i in 0..n {
                let path = std::env::temp_dir().join(format!("{stem}-{i}.part"));
                let f = std::fs::File::create(&path)
                    .map_err(|e| io_error("cannot write a temporary file for the import", e))?;
                parts.push(Part {
                    path,
                    out: Some(BufWriter::with_capacity(BUFFER_BYTES, f)),
                });
            }
        }
        Ok(Spill {
            parts,
            held: Vec::new(),
            line: Vec::with_capacity(4096),
            pushed: 0,
        })
    }

    /// How many partitions the contracts go to.
    pub fn partitions(&self) -> usize {
        self.parts.len().max(1)
    }

    pub fn push(&mut self, c: Contract) -> std::io::Result<()> {
        self.pushed += 1;
        if self.parts.is_empty() {
            self.held.push(c);
            return Ok(());
        }
        let mut h = std::hash::DefaultHasher::new();
        c.key.hash(&mut h);
        let i = (h.finish() % self.parts.len() as u64) as usize;
        // Each contract: its length, then its compact form (`codec`).
        self.line.clear();
        self.line.extend_from_slice(&[0; 4]);
        super::codec::put(&c, &mut self.line);
        let n = u32::try_from(self.line.len() - 4)
            .map_err(|e| io_error("a contract too large for the import", e))?;
        self.line[..4].copy_from_slice(&n.to_le_bytes());
        let out = self.parts[i]
            .out
            .as_mut()
            .expect("partitions are open until drained");
        out.write_all(&self.line)
            .map_err(|e| io_error("cannot write a temporary file for the import", e))
    }

    /// Hands on each partition in turn, its contracts in the order read: every contract of a key
    /// is in the same partition. Stops at `each`'s first error.
    pub fn drain<E: From<std::io::Error>>(
        mut self,
        each: &mut dyn FnMut(Vec<Contract>) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.parts.is_empty() {
            return each(std::mem::take(&mut self.held));
        }
        for p in &mut self.parts {
            if let Some(mut out) = p.out.take() {
                out.flush()
                    .map_err(|e| io_error("cannot write a temporary file for the import", e))?;
            }
        }
        for p in std::mem::take(&mut self.parts) {
            let f = std::fs::File::open(&p.path)
                .map_err(|e| io_error("cannot read a temporary file of the import", e))?;
            let mut r = BufReader::with_capacity(1 << 16, f);
            let mut part = Vec::new();
            let mut line = Vec::new();
            let damaged = || io_error("a temporary file of the import is damaged", "cut short");
            loop {
                let mut len = [0u8; 4];
                if r.fill_buf()
                    .map_err(|e| io_error("cannot read a temporary file of the import", e))?
                    .is_empty()
                {
                    break;
                }
                r.read_exact(&mut len).map_err(|_| damaged())?;
                line.resize(u32::from_le_bytes(len) as usize, 0);
                r.read_exact(&mut line).map_err(|_| damaged())?;
                part.push(super::codec::get(&line).ok_or_else(damaged)?);
            }
            drop(p);
            each(part)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(key: &str, title: &str) -> Contract {
        Contract {
            key: key.into(),
            title: title.into(),
            ..Contract::default()
        }
    }

    fn drained(mut s: Spill, cs: &[Contract]) -> Vec<Vec<Contract>> {
        for x in cs {
            s.push(x.clone()).unwrap();
        }
        let mut got = Vec::new();
        s.drain::<std::io::Error>(&mut |p| {
            got.push(p);
            Ok(())
        })
        .unwrap();
        got
    }

    #[test]
    fn a_keys_contracts_stay_in_one_partition_in_order() {
        let cs: Vec<Contract> = (0..200)
            .map(|i| c(&format!("ocds:{}", i % 37), &i.to_string()))
            .collect();
        let small = drained(Spill::new(1000).unwrap(), &cs);
        assert_eq!(small.len(), 1);
        let spilled = Spill::new(10 * PARTITION_INPUT_BYTES).unwrap();
        assert_eq!(spilled.partitions(), 10);
        let paths: Vec<PathBuf> = spilled.parts.iter().map(|p| p.path.clone()).collect();
        let big = drained(spilled, &cs);
        assert_eq!(big.len(), 10);
        assert!(paths.iter().all(|p| !p.exists()), "temporary files removed");
        for parts in [small, big] {
            let all: Vec<&Contract> = parts.iter().flatten().collect();
            assert_eq!(all.len(), 200);
            for k in 0..37 {
                let key = format!("ocds:{k}");
                let at: Vec<usize> = (0..all.len()).filter(|&i| all[i].key == key).collect();
                // In one partition, in the order read.
                let part = |i: usize| {
                    let mut n = i;
                    parts.iter().position(|p| {
                        let here = n < p.len();
                        n = n.saturating_sub(p.len());
                        here
                    })
                };
                assert!(at.iter().all(|&i| part(i) == part(at[0])), "{key}");
                let titles: Vec<u32> = at.iter().map(|&i| all[i].title.parse().unwrap()).collect();
                assert!(titles.windows(2).all(|w| w[0] < w[1]), "{key}: {titles:?}");
            }
        }
    }
}
