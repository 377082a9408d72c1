//! The line a text editor shows for each record of a CSV file held in memory, whatever its line
//! ends (LF, CRLF or a lone CR), from the byte where the csv crate says the record starts.

/// The line a person sees a record on in a text editor, from the byte where the CSV reader says the
/// record starts. The csv crate's own line count is a line early after Windows (CRLF) line ends and
/// skips empty lines, so lines are counted here: line breaks (`\n`, `\r\n` or a lone `\r`) before the
/// record's first character, plus one. Records are asked for in order, so the count moves forward only.
pub struct LineOf<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineOf<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        LineOf {
            text,
            at: 0,
            line: 1,
        }
    }

    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).clamp(self.at, self.text.len());
        // The reader's position is where it began looking: before the line end it had not consumed
        // and any empty lines it passed over.
        while start < self.text.len() && matches!(self.text[start], b'\n' | b'\r') {
            start += 1;
        }
        for i in self.at..start {
            let b = self.text[i];
            if b == b'\n' || (b == b'\r' && self.text.get(i + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.at = start;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::LineOf;

    #[test]
    fn blank_lines_and_every_line_end_count() {
        for text in [
            &b"h\na\n\nb\n"[..],
            &b"h\r\na\r\n\r\nb\r\n"[..],
            &b"h\ra\r\rb\r"[..],
        ] {
            let mut rdr = csv::ReaderBuilder::new().from_reader(text);
            let mut lines = LineOf::new(text);
            let got: Vec<u64> = rdr
                .records()
                .map(|r| lines.line_at(r.unwrap().position().unwrap().byte()))
                .collect();
            assert_eq!(got, [2, 4], "{text:?}");
        }
    }
}
