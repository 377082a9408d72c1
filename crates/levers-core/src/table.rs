//! A table of figures as plain data (a name, column titles, rows of values), made by a use case
//! and written out by levers-present as CSV or a workbook sheet: the shape an export shares
//! between the web and the CLI without either knowing the other's types.

/// One value in a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing (a figure that is not known, or suppressed: the table says why elsewhere).
    Empty,
    Text(String),
    Number(f64),
    /// Money in pence.
    Pence(i64),
    /// A fraction (0.25 for 25%).
    Share(f64),
}

/// A named table with its column titles.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    pub fn new(name: &str, header: &[&str]) -> Table {
        Table {
            name: name.to_string(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Value>) {
        self.rows.push(row);
    }
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// A count, or `Empty` when it is `None`.
    pub fn count(n: Option<u64>) -> Value {
        n.map_or(Value::Empty, |n| Value::Number(n as f64))
    }
}
