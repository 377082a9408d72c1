//! Minimal `;`-separated CSV with `"` quoting, as used by Pabulib files (reading and writing).

/// One parsed record with the 1-based line number where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
    /// True when the physical line was blank (only whitespace).
    pub blank: bool,
}

/// Splits text into records. Quoted fields may contain `;`, doubled quotes and line breaks.
/// Never fails: an unterminated quote runs to the end of the input (reported by `unterminated`).
pub fn records(text: &str) -> (Vec<Record>, Option<usize>) {
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut quote_start_line = 0usize;
    let mut line = 1usize;
    let mut rec_line = 1usize;
    let mut at_field_start = true;
    let mut any = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        in_quotes = false;
                    }
                }
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    field.push('\n');
                    line += 1;
                }
                '\n' => {
                    field.push('\n');
                    line += 1;
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                quote_start_line = line;
                at_field_start = false;
                any = true;
            }
            ';' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
                any = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                let blank = !any || (fields.len() == 1 && fields[0].trim().is_empty());
                out.push(Record {
                    line: rec_line,
                    fields: std::mem::take(&mut fields),
                    blank,
                });
                line += 1;
                rec_line = line;
                at_field_start = true;
                any = false;
            }
            _ => {
                field.push(c);
                at_field_start = false;
                any = true;
            }
        }
    }
    let unterminated = if in_quotes {
        Some(quote_start_line)
    } else {
        None
    };
    if any || !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        out.push(Record {
            line: rec_line,
            fields,
            blank,
        });
    }
    (out, unterminated)
}

/// Quotes a field when needed so that `records` reads it back unchanged.
pub fn quote(field: &str) -> String {
    let needs = field.contains([';', '"', '\n', '\r'])
        || field.starts_with(char::is_whitespace)
        || field.ends_with(char::is_whitespace);
    if needs {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Joins fields into one line (without the line break).
pub fn join(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| quote(f))
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quotes_and_lines() {
        let (r, u) = records("a;\"b;c\";\"d\"\"e\"\r\n\nx;\"multi\nline\"\ny");
        assert_eq!(u, None);
        assert_eq!(r[0].fields, vec!["a", "b;c", "d\"e"]);
        assert_eq!(r[0].line, 1);
        assert!(r[1].blank);
        assert_eq!(r[2].fields, vec!["x", "multi\nline"]);
        assert_eq!(r[2].line, 3);
        assert_eq!(r[3].fields, vec!["y"]);
        assert_eq!(r[3].line, 5);
    }

    #[test]
    fn quote_round_trips() {
        let fields: Vec<String> = vec![
            "a;b".into(),
            "q\"q".into(),
            " lead".into(),
            "plain".into(),
            "".into(),
        ];
        let (r, _) = records(&join(&fields));
        assert_eq!(r[0].fields, fields);
    }
}
