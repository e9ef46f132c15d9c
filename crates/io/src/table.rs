//! Feature and label tables as CSV: a header line, then one row per atom.
//! The first column is the atom `id`; any other columns are numbers, named
//! by the header. Parquet comes with the features work (issue 8).

use std::io::Write as _;
use std::path::Path;

use crate::IoError;
use crate::error::excerpt;
use crate::output::OutputFile;
use crate::source::{LineStream, Source};
use crate::text::parse_float;

/// A table of numbers keyed by atom id, row-major.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column names, without `id`.
    pub columns: Vec<String>,
    /// Atom ids, one per row, unique.
    pub ids: Vec<u64>,
    /// `ids.len() × columns.len()` values, row after row.
    pub values: Vec<f64>,
}

impl Table {
    /// The index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The values of column `k`, row after row.
    pub fn column(&self, k: usize) -> Vec<f64> {
        let n = self.columns.len();
        self.values
            .iter()
            .skip(k)
            .step_by(n.max(1))
            .copied()
            .collect()
    }

    /// Reads a CSV table (plain or gzipped) whose first column is `id`.
    ///
    /// # Errors
    /// [`IoError::Parse`] naming the line for a wrong field count, a value
    /// that is not a number, or a repeated id; [`IoError::Invalid`] for an
    /// empty file or a header without `id` first.
    pub fn read_csv(path: impl AsRef<Path>) -> Result<Table, IoError> {
        Table::read_csv_from(Source::File(path.as_ref().to_path_buf()))
    }

    /// Reads a CSV table from any [`Source`].
    ///
    /// # Errors
    /// As [`Table::read_csv`].
    pub fn read_csv_from(source: Source<'_>) -> Result<Table, IoError> {
        let mut s = LineStream::open(source)?;
        let name = s.name().to_string();
        let mut line = Vec::new();
        if !s.read_line(&mut line)? {
            return Err(IoError::invalid(
                &name,
                "empty file: expected a header line starting with 'id'",
            ));
        }
        let header: Vec<String> = String::from_utf8_lossy(&line)
            .split(',')
            .map(|c| c.trim().to_string())
            .collect();
        if header.first().map(String::as_str) != Some("id") {
            return Err(IoError::parse(
                &name,
                1,
                format!(
                    "expected a header starting with 'id', found '{}'",
                    excerpt(&line)
                ),
            ));
        }
        let columns = header[1..].to_vec();
        let mut ids = Vec::new();
        let mut values = Vec::new();
        let mut lines_of = Vec::new();
        while s.read_line(&mut line)? {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let fields: Vec<&[u8]> = line.split(|&b| b == b',').map(<[u8]>::trim_ascii).collect();
            if fields.len() != header.len() {
                return Err(IoError::parse(
                    &name,
                    s.line(),
                    format!("expected {} fields, found {}", header.len(), fields.len()),
                ));
            }
            let id = crate::text::parse_u64(fields[0]).ok_or_else(|| {
                IoError::parse(
                    &name,
                    s.line(),
                    format!("expected an integer id, found '{}'", excerpt(fields[0])),
                )
            })?;
            ids.push(id);
            lines_of.push(s.line());
            for (k, f) in fields[1..].iter().enumerate() {
                let v = parse_float(f).ok_or_else(|| {
                    IoError::parse(
                        &name,
                        s.line(),
                        format!(
                            "expected a number in column '{}', found '{}'",
                            columns[k],
                            excerpt(f)
                        ),
                    )
                })?;
                values.push(v);
            }
        }
        if let Some((a, b)) = interstice_core::find_duplicate_id(&ids) {
            return Err(IoError::parse(
                &name,
                lines_of[b],
                format!(
                    "id {} appears twice (first on line {})",
                    ids[a], lines_of[a]
                ),
            ));
        }
        Ok(Table {
            columns,
            ids,
            values,
        })
    }

    /// Writes the table as CSV, atomically (gzipped if the name ends in `.gz`).
    ///
    /// # Errors
    /// [`IoError::Os`]; [`IoError::Invalid`] if the sizes disagree.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<(), IoError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        if self.values.len() != self.ids.len() * self.columns.len() {
            return Err(IoError::invalid(
                &name,
                format!(
                    "{} values for {} rows × {} columns",
                    self.values.len(),
                    self.ids.len(),
                    self.columns.len()
                ),
            ));
        }
        let mut out = OutputFile::create(path)?;
        let mut text = String::from("id");
        for c in &self.columns {
            text.push(',');
            text.push_str(c);
        }
        text.push('\n');
        let n = self.columns.len();
        for (r, id) in self.ids.iter().enumerate() {
            use std::fmt::Write as _;
            let _ = write!(text, "{id}");
            for v in &self.values[r * n..(r + 1) * n] {
                let _ = write!(text, ",{v:?}");
            }
            text.push('\n');
        }
        out.write_all(text.as_bytes())
            .map_err(|e| IoError::os(&name, "cannot write", e))?;
        out.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Table, IoError> {
        Table::read_csv_from(Source::Memory {
            name: "t.csv".into(),
            bytes: text.as_bytes(),
        })
    }

    #[test]
    fn round_trip_and_errors() {
        let t = read("id,a,b\n3,1.5,-2\n1,0,1e-3\n").unwrap();
        assert_eq!(t.columns, ["a", "b"]);
        assert_eq!(t.ids, [3, 1]);
        assert_eq!(t.column(1), [-2.0, 0.001]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv.gz");
        t.write_csv(&p).unwrap();
        assert_eq!(Table::read_csv(&p).unwrap(), t);
        assert_eq!(
            read("").unwrap_err().to_string(),
            "t.csv: empty file: expected a header line starting with 'id'"
        );
        assert_eq!(
            read("a,b\n").unwrap_err().to_string(),
            "t.csv:1: expected a header starting with 'id', found 'a,b'"
        );
        assert_eq!(
            read("id,a\n1,2,3\n").unwrap_err().to_string(),
            "t.csv:2: expected 2 fields, found 3"
        );
        assert_eq!(
            read("id,a\n1,x\n").unwrap_err().to_string(),
            "t.csv:2: expected a number in column 'a', found 'x'"
        );
        assert_eq!(
            read("id,a\n1,2\n1,3\n").unwrap_err().to_string(),
            "t.csv:3: id 1 appears twice (first on line 2)"
        );
    }
}
