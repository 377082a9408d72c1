//! Line numbers as a text editor shows them for CSV records read from a stream, whatever the line
//! ends (LF, CRLF or a lone CR).

use std::io::Read;

/// Where the lines with something on them start, as the bytes stream past: for each, its byte offset
/// and the line breaks before it (`\n`, `\r\n` or a lone `\r`). The csv crate's own line count is a
/// line early after Windows (CRLF) line ends and skips empty lines; this gives the line a person sees
/// in a text editor. Only the starts not yet asked about are held (about one read buffer's worth).
#[derive(Default)]
struct LineStarts {
    /// (byte offset of a line's first character, line number).
    pending: std::collections::VecDeque<(u64, u64)>,
    /// Bytes seen, line breaks seen, and the last byte (a CR whose LF may come in the next read).
    seen: u64,
    breaks: u64,
    last: Option<u8>,
}

impl LineStarts {
    fn feed(&mut self, bytes: &[u8]) {
        let base = self.seen;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let at = base + i as u64;
            // A lone CR ends its line once the next byte shows it is not a CRLF; an LF always does.
            if self.last == Some(b'\r') && b != b'\n' {
                self.breaks += 1;
            }
            if b == b'\n' || b == b'\r' {
                if b == b'\n' {
                    self.breaks += 1;
                }
                self.last = Some(b);
                i += 1;
                continue;
            }
            if at == 0 || matches!(self.last, Some(b'\r' | b'\n')) {
                self.pending.push_back((at, self.breaks + 1));
            }
            // The rest of the line holds no line break: skip to its end.
            let run = bytes[i..]
                .iter()
                .position(|&c| c == b'\n' || c == b'\r')
                .unwrap_or(bytes.len() - i);
            i += run;
            self.last = Some(bytes[i - 1]);
        }
        self.seen += bytes.len() as u64;
    }

    /// The line of the record the CSV reader says starts at `byte` (its first character is at the
    /// first line start at or after it). Records are asked for in order.
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(at, _)) = self.pending.front() {
            if at < byte {
                self.pending.pop_front();
            } else {
                break;
            }
        }
        self.pending.front().map_or(self.breaks + 1, |p| p.1)
    }
}

/// A reader that notes where lines start as bytes pass through it, for [`Lines::line_at`].
pub struct LineCounting<R> {
    inner: R,
    starts: std::rc::Rc<std::cell::RefCell<LineStarts>>,
}

/// The line numbers of what a [`LineCounting`] reader has passed on.
pub struct Lines(std::rc::Rc<std::cell::RefCell<LineStarts>>);

impl Lines {
    /// The line an editor shows for the record a `csv` reader over the [`LineCounting`] reader says
    /// starts at `byte` (`Position::byte`). Ask in record order.
    pub fn line_at(&self, byte: u64) -> u64 {
        self.0.borrow_mut().line_at(byte)
    }
}

/// Wraps `inner` so that CSV records read through it can be given the line a person sees in a text
/// editor, for LF, CRLF and CR line ends alike (the csv crate's `Position::line` is a line early after
/// CRLF and does not count empty lines).
pub fn line_counting<R: Read>(inner: R) -> (LineCounting<R>, Lines) {
    let starts = std::rc::Rc::new(std::cell::RefCell::new(LineStarts::default()));
    (
        LineCounting {
            inner,
            starts: starts.clone(),
        },
        Lines(starts),
    )
}

impl<R: Read> Read for LineCounting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.starts.borrow_mut().feed(&buf[..n]);
        Ok(n)
    }
}
