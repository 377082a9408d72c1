//! Splits an OCDS file into its releases or records without parsing the whole file: a byte-level
//! scanner that follows strings, escapes and nesting, and hands over one element at a time.
//!
//! It understands a release package or record package (the elements of its top-level `releases` or
//! `records` array), a bare JSON array of releases, and JSON Lines (one release, record or package
//! per line, or any run of concatenated JSON values). Only one element is held at a time, so memory
//! is bounded by the largest release, whatever the file's size.

use std::io::Read;

/// What an element is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementKind {
    /// An element of a package's `releases`, or a bare release (JSON Lines, a bare array).
    Release,
    /// An element of a record package's `records`.
    Record,
}

/// One element: its bytes (a JSON value, unparsed) and the line it starts on.
#[derive(Debug)]
pub struct Element<'a> {
    pub kind: ElementKind,
    pub bytes: &'a [u8],
    pub line: u64,
}

/// What the scanner hands elements to.
pub trait Handler<E> {
    /// One element, its bytes gathered.
    fn element(&mut self, e: Element<'_>) -> Result<(), E>;

    /// Offered first for an object in a package's array that starts in the current chunk: `text`
    /// is the chunk's text from the element's first byte on. A handler that reads (and deals with)
    /// one whole element from its start returns the bytes it used; `None` leaves the scanner to
    /// gather the element (it runs past the chunk, or is not what the handler reads) and hand it
    /// to [`Handler::element`].
    fn whole(&mut self, _kind: ElementKind, _text: &str, _line: u64) -> Option<usize> {
        None
    }

    /// Whether [`Handler::whole`] is worth offering (each chunk is then checked as UTF-8 once).
    fn reads_whole(&self) -> bool {
        false
    }
}

/// A closure as a [`Handler`] that takes gathered elements only.
struct Closure<'a, 'f, E>(&'a mut (dyn FnMut(Element<'_>) -> Result<(), E> + 'f));

impl<E> Handler<E> for Closure<'_, '_, E> {
    fn element(&mut self, e: Element<'_>) -> Result<(), E> {
        (self.0)(e)
    }
}

/// A top-level value that was neither a package nor a release object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oddity {
    pub line: u64,
    pub what: String,
}

/// The largest single element held (a release bigger than this is refused, not read).
pub const MAX_ELEMENT: usize = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    /// Not inside a top-level value.
    Outside,
    /// Inside a top-level object that may be a release or a package.
    Top,
    /// Inside a package's array: elements are captured one by one.
    Array(ElementKind),
    /// Inside a top-level value whose content is skipped (too big, or a package's other fields).
    Skip,
}

/// Streaming splitter state.
pub struct Scanner {
    depth: u32,
    in_string: bool,
    escape: bool,
    line: u64,
    capture: Capture,
    /// The depth of the array whose elements are captured.
    array_depth: u32,
    /// Bytes of the current top-level value (while it may still be a bare release).
    top: Vec<u8>,
    top_line: u64,
    top_is_object: bool,
    /// Bytes of the current element.
    elem: Vec<u8>,
    elem_line: u64,
    in_elem: bool,
    elem_too_big: bool,
    /// Key tracking at depth 1 of the top-level object.
    key: Vec<u8>,
    in_key: bool,
    expect_key: bool,
    last_key: Vec<u8>,
    /// Whether the current top-level value held a `releases` or `records` array.
    package: bool,
    pub oddities: Vec<Oddity>,
    /// Elements refused because they were larger than [`MAX_ELEMENT`] (line, kind).
    pub too_big: Vec<(u64, ElementKind)>,
    pub bytes_read: u64,
    pub packages: u64,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner {
            depth: 0,
            in_string: false,
            escape: false,
            line: 1,
            capture: Capture::Outside,
            array_depth: 0,
            top: Vec::new(),
            top_line: 1,
            top_is_object: false,
            elem: Vec::new(),
            elem_line: 1,
            in_elem: false,
            elem_too_big: false,
            key: Vec::new(),
            in_key: false,
            expect_key: false,
            last_key: Vec::new(),
            package: false,
            oddities: Vec::new(),
            too_big: Vec::new(),
            bytes_read: 0,
            packages: 0,
        }
    }

    /// Reads everything from `r`, calling `on` for each element. `on` returning `Err` stops.
    pub fn run<R: Read, E>(
        &mut self,
        r: R,
        on: &mut dyn FnMut(Element<'_>) -> Result<(), E>,
    ) -> Result<Result<(), E>, std::io::Error> {
        self.run_with(r, &mut Closure(on))
    }

    /// Reads everything from `r`, handing elements to `h` (offering it whole ones first when it
    /// reads them itself). `h` returning `Err` stops.
    pub fn run_with<R: Read, E>(
        &mut self,
        mut r: R,
        h: &mut dyn Handler<E>,
    ) -> Result<Result<(), E>, std::io::Error> {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.bytes_read += n as u64;
            if let Err(e) = self.feed_with(&buf[..n], h) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Whether the input ended inside a value (a truncated file), with the line it started on.
    pub fn unfinished(&self) -> Option<u64> {
        (self.depth > 0 || self.in_string).then_some(self.top_line)
    }

    fn push_elem(&mut self, bytes: &[u8]) {
        if self.elem_too_big {
            return;
        }
        if self.elem.len() + bytes.len() > MAX_ELEMENT {
            self.elem_too_big = true;
            self.elem = Vec::new();
            return;
        }
        self.elem.extend_from_slice(bytes);
    }

    fn push_top(&mut self, bytes: &[u8]) {
        if self.capture != Capture::Top {
            return;
        }
        if self.top.len() + bytes.len() > MAX_ELEMENT {
            self.too_big.push((self.top_line, ElementKind::Release));
            self.top = Vec::new();
            self.capture = Capture::Skip;
            return;
        }
        self.top.extend_from_slice(bytes);
    }

    /// Feeds one chunk.
    pub fn feed<E>(
        &mut self,
        chunk: &[u8],
        on: &mut dyn FnMut(Element<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.feed_with(chunk, &mut Closure(on))
    }

    /// Feeds one chunk to a [`Handler`].
    pub fn feed_with<E>(&mut self, chunk: &[u8], on: &mut dyn Handler<E>) -> Result<(), E> {
        // The chunk as text up to its first byte that is not UTF-8 (or a character cut by the
        // chunk's end), for handlers that read whole elements themselves.
        let text = if on.reads_whole() {
            match std::str::from_utf8(chunk) {
                Ok(t) => t,
                Err(e) => std::str::from_utf8(&chunk[..e.valid_up_to()]).unwrap_or_default(),
            }
        } else {
            ""
        };
        // Where, in this chunk, the bytes still to be appended to `top` / `elem` start.
        let mut top_from = 0usize;
        let mut elem_from = 0usize;
        // Whether the current element started in this chunk: if it also ends here it is handed
        // over straight from the chunk, without a copy.
        let mut elem_here = false;
        let mut i = 0usize;
        let n = chunk.len();
        while i < n {
            if self.in_string {
                // Jump to the next quote or backslash (or newline, for the line count).
                if self.escape {
                    self.escape = false;
                    if chunk[i] == b'\n' {
                        self.line += 1;
                    }
                    if self.in_key {
                        self.key.push(chunk[i]);
                    }
                    i += 1;
                    continue;
                }
                match memchr::memchr3(b'"', b'\\', b'\n', &chunk[i..]) {
                    None => {
                        if self.in_key {
                            self.key.extend_from_slice(&chunk[i..]);
                        }
                        i = n;
                    }
                    Some(off) => {
                        let j = i + off;
                        if self.in_key {
                            self.key.extend_from_slice(&chunk[i..j]);
                        }
                        match chunk[j] {
                            b'"' => {
                                self.in_string = false;
                                if self.in_key {
                                    self.in_key = false;
                                    self.last_key = std::mem::take(&mut self.key);
                                }
                            }
                            b'\\' => self.escape = true,
                            _ => self.line += 1,
                        }
                        i = j + 1;
                    }
                }
                continue;
            }
            let b = chunk[i];
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => {
                    // An element of the captured array starts at its first byte.
                    if let Capture::Array(kind) = self.capture
                        && self.depth == self.array_depth
                        && !self.in_elem
                        && b != b','
                        && b != b']'
                    {
                        // Offered whole first: a handler that reads it from here saves the
                        // scanner's pass over its bytes.
                        if b == b'{'
                            && i < text.len()
                            && let Some(used) = on.whole(kind, &text[i..], self.line)
                            && used > 0
                            && i + used <= n
                        {
                            self.line +=
                                memchr::memchr_iter(b'\n', &chunk[i..i + used]).count() as u64;
                            i += used;
                            continue;
                        }
                        self.in_elem = true;
                        self.elem_line = self.line;
                        self.elem.clear();
                        self.elem_too_big = false;
                        elem_from = i;
                        elem_here = true;
                    }
                    if self.depth == 0 && self.capture == Capture::Outside {
                        self.start_top(b, i);
                        top_from = i;
                    }
                    match b {
                        b'"' => {
                            self.in_string = true;
                            if self.depth == 1 && self.top_is_object && self.expect_key {
                                self.in_key = true;
                                self.key.clear();
                            }
                        }
                        b'{' | b'[' => {
                            if self.depth == 1
                                && self.top_is_object
                                && b == b'['
                                && !self.expect_key
                                && (self.last_key == b"releases" || self.last_key == b"records")
                                && matches!(self.capture, Capture::Top | Capture::Skip)
                            {
                                let kind = if self.last_key == b"records" {
                                    ElementKind::Record
                                } else {
                                    ElementKind::Release
                                };
                                self.capture = Capture::Array(kind);
                                self.array_depth = 2;
                                self.package = true;
                                self.top = Vec::new();
                            }
                            self.depth += 1;
                            if self.depth == 1 {
                                self.expect_key = true;
                                if b == b'[' {
                                    // A bare array of releases.
                                    self.capture = Capture::Array(ElementKind::Release);
                                    self.array_depth = 1;
                                    self.package = true;
                                    self.top = Vec::new();
                                }
                            }
                        }
                        b'}' | b']' => {
                            if let Capture::Array(kind) = self.capture
                                && self.depth == self.array_depth
                                && b == b']'
                            {
                                if self.in_elem {
                                    self.finish_elem(kind, chunk, elem_from, i, elem_here, on)?;
                                }
                                self.capture = Capture::Skip;
                            }
                            self.depth = self.depth.saturating_sub(1);
                            if self.depth == 0 {
                                self.push_top(&chunk[top_from..=i]);
                                self.end_top(on)?;
                                top_from = i + 1;
                            }
                        }
                        b',' => {
                            if let Capture::Array(kind) = self.capture
                                && self.depth == self.array_depth
                                && self.in_elem
                            {
                                self.finish_elem(kind, chunk, elem_from, i, elem_here, on)?;
                            }
                            if self.depth == 1 {
                                self.expect_key = true;
                            }
                        }
                        b':' => {
                            if self.depth == 1 {
                                self.expect_key = false;
                            }
                        }
                        _ => {
                            if self.depth == 0 {
                                // A bare scalar at the top level.
                                self.scalar_top(chunk, &mut i);
                                top_from = i;
                                continue;
                            }
                        }
                    }
                }
            }
            i += 1;
        }
        if self.capture == Capture::Top && self.depth > 0 {
            self.push_top(&chunk[top_from.min(n)..]);
        }
        if self.in_elem {
            self.push_elem(&chunk[elem_from.min(n)..]);
        }
        Ok(())
    }

    fn start_top(&mut self, b: u8, _i: usize) {
        self.top.clear();
        self.top_line = self.line;
        self.top_is_object = b == b'{';
        self.package = false;
        self.last_key.clear();
        self.capture = if b == b'{' {
            Capture::Top
        } else {
            Capture::Skip
        };
    }

    fn scalar_top(&mut self, chunk: &[u8], i: &mut usize) {
        let start = *i;
        while *i < chunk.len() && !b" \t\r\n,{}[]\"".contains(&chunk[*i]) {
            *i += 1;
        }
        let text = String::from_utf8_lossy(&chunk[start..*i]).into_owned();
        self.oddities.push(Oddity {
            line: self.line,
            what: format!("a bare value `{text}` at the top level, not a release or package"),
        });
        self.capture = Capture::Outside;
    }

    fn end_top<E>(&mut self, on: &mut dyn Handler<E>) -> Result<(), E> {
        let was = self.capture;
        self.capture = Capture::Outside;
        if self.package {
            self.packages += 1;
            self.top = Vec::new();
            return Ok(());
        }
        if was == Capture::Top && self.top_is_object {
            let top = std::mem::take(&mut self.top);
            let r = on.element(Element {
                kind: ElementKind::Release,
                bytes: &top,
                line: self.top_line,
            });
            self.top = top;
            self.top.clear();
            return r;
        }
        if !self.top_is_object && was != Capture::Skip {
            self.oddities.push(Oddity {
                line: self.top_line,
                what: "a top-level value that is neither a package nor a release".into(),
            });
        }
        Ok(())
    }

    /// Hands over the element ending at `chunk[to]`: straight from the chunk when it began in it
    /// (no copy), else from the bytes gathered across chunks.
    fn finish_elem<E>(
        &mut self,
        kind: ElementKind,
        chunk: &[u8],
        from: usize,
        to: usize,
        here: bool,
        on: &mut dyn Handler<E>,
    ) -> Result<(), E> {
        if here && self.elem.is_empty() && !self.elem_too_big {
            self.in_elem = false;
            return on.element(Element {
                kind,
                bytes: trim_end(&chunk[from..to]),
                line: self.elem_line,
            });
        }
        self.push_elem(&chunk[from..to]);
        self.emit(kind, on)
    }

    fn emit<E>(&mut self, kind: ElementKind, on: &mut dyn Handler<E>) -> Result<(), E> {
        self.in_elem = false;
        if self.elem_too_big {
            self.too_big.push((self.elem_line, kind));
            self.elem_too_big = false;
            return Ok(());
        }
        let elem = std::mem::take(&mut self.elem);
        let r = on.element(Element {
            kind,
            bytes: trim_end(&elem),
            line: self.elem_line,
        });
        self.elem = elem;
        self.elem.clear();
        r
    }
}

/// The bytes without trailing whitespace.
fn trim_end(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    &b[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8], chunk: usize) -> (Vec<(ElementKind, String, u64)>, Scanner) {
        let mut s = Scanner::new();
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            s.feed::<()>(c, &mut |e| {
                out.push((
                    e.kind,
                    String::from_utf8_lossy(e.bytes).into_owned(),
                    e.line,
                ));
                Ok(())
            })
            .unwrap();
        }
        (out, s)
    }

    #[test]
    fn a_release_package_gives_its_releases_whatever_the_chunking() {
        let pkg = br#"{"uri":"x","releases":[{"ocid":"a","id":"1","d":"]},{\""},
 {"ocid":"b","id":"2","x":[1,2,{"releases":[]}]}
],"publisher":{"name":"p"}}"#;
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let (out, s) = split(pkg, chunk);
            assert_eq!(out.len(), 2, "chunk {chunk}: {out:?}");
            assert_eq!(out[0].1, r#"{"ocid":"a","id":"1","d":"]},{\""}"#);
            assert_eq!(
                out[1].1,
                r#"{"ocid":"b","id":"2","x":[1,2,{"releases":[]}]}"#
            );
            assert_eq!(out[1].2, 2);
            assert_eq!(s.packages, 1);
            assert!(s.unfinished().is_none());
        }
    }

    #[test]
    fn json_lines_and_record_packages() {
        let text = b"{\"ocid\":\"a\",\"id\":\"1\"}\n{\"ocid\":\"b\",\"id\":\"2\"}\n{\"records\":[{\"ocid\":\"c\"}]}\n";
        let (out, s) = split(text, 5);
        let kinds: Vec<_> = out.iter().map(|e| (e.0, e.2)).collect();
        assert_eq!(
            kinds,
            vec![
                (ElementKind::Release, 1),
                (ElementKind::Release, 2),
                (ElementKind::Record, 3)
            ]
        );
        assert_eq!(s.packages, 1);
    }

    #[test]
    fn a_bare_array_and_scalars() {
        let (out, s) = split(b"[{\"ocid\":\"a\"}, 3]\n7\n", 3);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].1, "3");
        assert_eq!(s.oddities.len(), 1);
    }

    #[test]
    fn a_cut_short_file_is_noticed() {
        let (_, s) = split(b"{\"releases\":[{\"ocid\":\"a\"", 4);
        assert!(s.unfinished().is_some());
    }
}
