//! Feature tables as Parquet (zstd): `id` (UInt64), optional `type`
//! (UInt32) and `element` (Utf8) columns, then one Float64 column per
//! feature; frame metadata (file, frame, strain, …) as the file's key-value
//! metadata.
//!
//! Written and read with the `parquet` crate's column API, without Arrow
//! (which doubled the build's compile time for tables this plain). Checked
//! (2026-12-07) both ways:
//! - pyarrow 26.0.1 (`pq.read_table`, `pq.read_metadata`), pandas 3.1.1
//!   (`pd.read_parquet`) and polars 2.1.0 (`pl.read_parquet`) read what this
//!   writes with ids as uint64, types as uint32, elements as strings, every
//!   double bit for bit (subnormals, −0.0) and the key-value metadata; the
//!   Python package's tests repeat the pandas check on a CLI feature table;
//! - this reads what pandas and pyarrow write (`tests/data/parquet`,
//!   `make.py`): snappy and zstd pages, int64 or uint64 ids, nullable
//!   columns without nulls, several row groups; a null is refused.

use std::path::Path;
use std::sync::Arc;

use parquet::basic::{
    Compression, ConvertedType, LogicalType, Repetition, Type as Physical, ZstdLevel,
};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, ByteArrayType, DataType, DoubleType, Int32Type, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::schema::types::{ColumnDescriptor, Type};

use crate::output::OutputFile;
use crate::{IoError, Table};

/// What a Parquet feature table carries besides the numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableMeta {
    /// The LAMMPS type of each row.
    pub types: Option<Vec<u32>>,
    /// The element of each row.
    pub elements: Option<Vec<String>>,
    /// File-level key-value metadata (source file, frame, strain, preset…).
    pub key_values: Vec<(String, String)>,
}

/// The key-value entry with the table's content checksum.
const CHECKSUM_KEY: &str = "interstice:content_fnv1a64";

/// FNV-1a (64 bit), fed in pieces.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn eat(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn names(&mut self, columns: &[String]) {
        for c in columns {
            self.eat(c.as_bytes());
            self.eat(&[0]);
        }
    }

    /// One row group: ids, types, elements, then the values row by row.
    fn rows(
        &mut self,
        ids: &[u64],
        types: Option<&[u32]>,
        elements: Option<&[String]>,
        values: &[f64],
    ) {
        for id in ids {
            self.eat(&id.to_le_bytes());
        }
        for x in types.unwrap_or_default() {
            self.eat(&x.to_le_bytes());
        }
        for x in elements.unwrap_or_default() {
            self.eat(x.as_bytes());
            self.eat(&[0]);
        }
        for v in values {
            self.eat(&v.to_bits().to_le_bytes());
        }
    }

    fn key_values(&mut self, kv: &[(String, String)]) {
        for (k, v) in kv.iter().filter(|(k, _)| k != CHECKSUM_KEY) {
            self.eat(k.as_bytes());
            self.eat(&[0]);
            self.eat(v.as_bytes());
            self.eat(&[0]);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// FNV-1a (64 bit) over the table as the reader decodes it: column names,
/// then for each row group (of `groups` rows each, in order) its ids,
/// types, elements and every value's bits, then the key-value metadata.
/// The `parquet` crate does not write page CRCs (it verifies them when a
/// file has them: the `crc` feature), so this end-to-end sum is what
/// catches a damaged file whose pages still decode. For one row group it is
/// the sum such files have always carried.
fn content_checksum(table: &Table, meta: &TableMeta, groups: &[usize]) -> String {
    let mut h = Fnv::new();
    h.names(&table.columns);
    let k = table.columns.len();
    let mut at = 0;
    for &rows in groups {
        let r = at..at + rows;
        h.rows(
            &table.ids[r.clone()],
            meta.types.as_deref().map(|t| &t[r.clone()]),
            meta.elements.as_deref().map(|e| &e[r.clone()]),
            &table.values[r.start * k..r.end * k],
        );
        at += rows;
    }
    h.key_values(&meta.key_values);
    h.hex()
}

/// A Parquet feature table written row group by row group, so that a table
/// larger than memory can be written as its parts are computed: the same
/// layout and checksum as [`Table::write_parquet`] (which is this with one
/// row group). Nothing appears at the path before
/// [`ParquetTableWriter::finish`], which puts the file there atomically; a
/// writer dropped before that leaves no file.
pub struct ParquetTableWriter {
    name: String,
    columns: usize,
    types: bool,
    elements: bool,
    writer: SerializedFileWriter<OutputFile>,
    hash: Fnv,
    key_values: Vec<(String, String)>,
    rows: usize,
}

impl std::fmt::Debug for ParquetTableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetTableWriter")
            .field("name", &self.name)
            .field("columns", &self.columns)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl ParquetTableWriter {
    /// A writer of an `id` column, a `type` and an `element` column when
    /// `types` and `elements` say so, then `columns` (Float64), with
    /// `key_values` as the file's metadata.
    ///
    /// # Errors
    /// [`IoError::Os`]; [`IoError::Invalid`] if a column is called `id`,
    /// `type` or `element`.
    pub fn create(
        path: impl AsRef<Path>,
        columns: &[String],
        types: bool,
        elements: bool,
        key_values: &[(String, String)],
    ) -> Result<ParquetTableWriter, IoError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        if let Some(c) = columns
            .iter()
            .find(|c| ["id", "type", "element"].contains(&c.as_str()))
        {
            return Err(IoError::invalid(
                &name,
                format!("a feature column may not be called {c:?}"),
            ));
        }
        let pq =
            |e: parquet::errors::ParquetError| IoError::invalid(&name, format!("parquet: {e}"));
        // Unsigned integers are stored in the signed physical types with an
        // unsigned logical type, as the Parquet format prescribes; pyarrow,
        // pandas and polars read them back as uint64 and uint32.
        let field = |col: &str, physical: Physical, logical: Option<LogicalType>| {
            Type::primitive_type_builder(col, physical)
                .with_repetition(Repetition::REQUIRED)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
                .map_err(pq)
        };
        let mut fields = vec![field(
            "id",
            Physical::INT64,
            Some(LogicalType::integer(64, false)),
        )?];
        if types {
            let logical = Some(LogicalType::integer(32, false));
            fields.push(field("type", Physical::INT32, logical)?);
        }
        if elements {
            fields.push(field(
                "element",
                Physical::BYTE_ARRAY,
                Some(LogicalType::String),
            )?);
        }
        for col in columns {
            fields.push(field(col, Physical::DOUBLE, None)?);
        }
        let schema = Arc::new(
            Type::group_type_builder("schema")
                .with_fields(fields)
                .build()
                .map_err(pq)?,
        );
        let key_values: Vec<(String, String)> = key_values
            .iter()
            .filter(|(k, _)| k != CHECKSUM_KEY)
            .cloned()
            .collect();
        let kv = key_values
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
            .collect();
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                .set_key_value_metadata(Some(kv))
                .build(),
        );
        let out = OutputFile::create(path)?;
        let writer = SerializedFileWriter::new(out, schema, props).map_err(pq)?;
        let mut hash = Fnv::new();
        hash.names(columns);
        Ok(ParquetTableWriter {
            name,
            columns: columns.len(),
            types,
            elements,
            writer,
            hash,
            key_values,
            rows: 0,
        })
    }

    /// Writes one row group: a row per id, `values` row-major (one value
    /// per column), with their types and elements when the table has those
    /// columns.
    ///
    /// # Errors
    /// [`IoError::Invalid`] if sizes disagree, or types or elements are
    /// missing or not expected; [`IoError::Os`].
    pub fn write_rows(
        &mut self,
        ids: &[u64],
        types: Option<&[u32]>,
        elements: Option<&[String]>,
        values: &[f64],
    ) -> Result<(), IoError> {
        let name = self.name.clone();
        let (n, k) = (ids.len(), self.columns);
        if values.len() != n * k {
            return Err(IoError::invalid(
                &name,
                format!("{} values for {n} rows × {k} columns", values.len()),
            ));
        }
        let check = |what: &str, has: bool, len: Option<usize>| -> Result<(), IoError> {
            match (has, len) {
                (true, Some(l)) if l != n => {
                    Err(IoError::invalid(&name, format!("{l} {what} for {n} rows")))
                }
                (true, None) => Err(IoError::invalid(
                    &name,
                    format!("no {what} for a table with a column of them"),
                )),
                (false, Some(_)) => Err(IoError::invalid(
                    &name,
                    format!("{what} for a table without a column of them"),
                )),
                _ => Ok(()),
            }
        };
        check("types", self.types, types.map(<[u32]>::len))?;
        check("elements", self.elements, elements.map(<[String]>::len))?;
        let pq =
            |e: parquet::errors::ParquetError| IoError::invalid(&name, format!("parquet: {e}"));
        let mut group = self.writer.next_row_group().map_err(pq)?;
        let as_i64: Vec<i64> = ids.iter().map(|&x| x as i64).collect();
        column::<Int64Type, _>(&mut group, &as_i64, &name)?;
        if let Some(t) = types {
            let t: Vec<i32> = t.iter().map(|&x| x as i32).collect();
            column::<Int32Type, _>(&mut group, &t, &name)?;
        }
        if let Some(e) = elements {
            let e: Vec<ByteArray> = e.iter().map(|x| ByteArray::from(x.as_str())).collect();
            column::<ByteArrayType, _>(&mut group, &e, &name)?;
        }
        let mut col = Vec::with_capacity(n);
        for c in 0..k {
            col.clear();
            col.extend((0..n).map(|r| values[r * k + c]));
            column::<DoubleType, _>(&mut group, &col, &name)?;
        }
        group.close().map_err(pq)?;
        self.hash.rows(ids, types, elements, values);
        self.rows += n;
        Ok(())
    }

    /// The rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds the checksum, closes the file and puts it at its path.
    ///
    /// # Errors
    /// [`IoError::Os`]; [`IoError::Invalid`] from the Parquet writer.
    pub fn finish(mut self) -> Result<(), IoError> {
        let name = self.name.clone();
        let pq =
            |e: parquet::errors::ParquetError| IoError::invalid(&name, format!("parquet: {e}"));
        self.hash.key_values(&self.key_values);
        self.writer
            .append_key_value_metadata(KeyValue::new(CHECKSUM_KEY.to_string(), self.hash.hex()));
        let out = self.writer.into_inner().map_err(pq)?;
        out.commit()
    }
}

impl Table {
    /// Writes the table as Parquet with zstd compression, atomically, with
    /// a content checksum in the key-value metadata that
    /// [`Table::read_parquet`] verifies.
    ///
    /// # Errors
    /// [`IoError::Os`]; [`IoError::Invalid`] if sizes disagree or a column
    /// is called `id`, `type` or `element`.
    pub fn write_parquet(&self, path: impl AsRef<Path>, meta: &TableMeta) -> Result<(), IoError> {
        let mut w = ParquetTableWriter::create(
            path,
            &self.columns,
            meta.types.is_some(),
            meta.elements.is_some(),
            &meta.key_values,
        )?;
        // One row group: the tables are one frame's atoms.
        w.write_rows(
            &self.ids,
            meta.types.as_deref(),
            meta.elements.as_deref(),
            &self.values,
        )?;
        w.finish()
    }

    /// Reads a Parquet table written by [`Table::write_parquet`] (or any
    /// Parquet file with a UInt64/Int64 `id` column and numeric columns).
    ///
    /// # Errors
    /// [`IoError::Os`]; [`IoError::Invalid`] for a file that is not Parquet,
    /// lacks `id`, or has a non-numeric feature column.
    pub fn read_parquet(path: impl AsRef<Path>) -> Result<(Table, TableMeta), IoError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| IoError::os(&name, "cannot open", e))?;
        let pq = |e: parquet::errors::ParquetError| {
            IoError::invalid(&name, format!("not a readable Parquet table: {e}"))
        };
        let size = file.metadata().map_or(u64::MAX, |m| m.len());
        let reader = SerializedFileReader::new(file).map_err(pq)?;
        // The parquet crate asserts (panics) on a column chunk whose offsets
        // a damaged footer made negative: refuse those first.
        for g in reader.metadata().row_groups() {
            for c in g.columns() {
                let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
                let len = c.compressed_size();
                let fits = start >= 0
                    && len >= 0
                    && u64::try_from(start)
                        .unwrap_or(u64::MAX)
                        .saturating_add(u64::try_from(len).unwrap_or(u64::MAX))
                        <= size;
                if !fits {
                    return Err(IoError::invalid(
                        &name,
                        format!(
                            "not a readable Parquet table: column chunk {:?} claims bytes {start}..{start}+{len} of a {size}-byte file (damaged?)",
                            c.column_path().string()
                        ),
                    ));
                }
            }
        }
        let file_meta = reader.metadata().file_metadata();
        let mut key_values: Vec<(String, String)> = file_meta
            .key_value_metadata()
            .map(|kv| {
                kv.iter()
                    .filter(|x| x.key != "ARROW:schema")
                    .map(|x| (x.key.clone(), x.value.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let stored = key_values
            .iter()
            .position(|(k, _)| k == CHECKSUM_KEY)
            .map(|k| key_values.remove(k).1);
        let schema = file_meta.schema_descr();
        let descs: Vec<Arc<ColumnDescriptor>> = (0..schema.num_columns())
            .map(|i| schema.column(i))
            .collect();
        // Flat tables only: every leaf a top-level column.
        if let Some(d) = descs
            .iter()
            .find(|d| d.path().parts().len() != 1 || d.max_rep_level() > 0)
        {
            return Err(IoError::invalid(
                &name,
                format!(
                    "column {:?} is nested or repeated; expected a flat table",
                    d.path().string()
                ),
            ));
        }
        let position = |col: &str| descs.iter().position(|d| d.name() == col);
        let id_at =
            position("id").ok_or_else(|| IoError::invalid(&name, "expected an `id` column"))?;
        let (type_at, element_at) = (position("type"), position("element"));
        let feature_at: Vec<usize> = (0..descs.len())
            .filter(|&i| ![Some(id_at), type_at, element_at].contains(&Some(i)))
            .collect();
        let columns: Vec<String> = feature_at
            .iter()
            .map(|&i| descs[i].name().to_string())
            .collect();
        for &i in &feature_at {
            if descs[i].physical_type() != Physical::DOUBLE {
                return Err(IoError::invalid(
                    &name,
                    format!("column {:?} is not Float64", descs[i].name()),
                ));
            }
        }
        let mut ids: Vec<u64> = Vec::new();
        let mut types: Option<Vec<u32>> = type_at.map(|_| Vec::new());
        let mut elements: Option<Vec<String>> = element_at.map(|_| Vec::new());
        let mut cols: Vec<Vec<f64>> = vec![Vec::new(); columns.len()];
        let mut groups: Vec<usize> = Vec::with_capacity(reader.num_row_groups());
        for g in 0..reader.num_row_groups() {
            let group = reader.get_row_group(g).map_err(pq)?;
            let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
            groups.push(rows);
            let column = |i: usize| group.get_column_reader(i).map_err(pq);
            ids.extend(integers(column(id_at)?, &descs[id_at], rows, &name)?);
            if let (Some(i), Some(t)) = (type_at, types.as_mut()) {
                for x in integers(column(i)?, &descs[i], rows, &name)? {
                    t.push(u32::try_from(x).map_err(|_| {
                        IoError::invalid(&name, format!("type {x} does not fit 32 bits"))
                    })?);
                }
            }
            if let (Some(i), Some(e)) = (element_at, elements.as_mut()) {
                let ColumnReader::ByteArrayColumnReader(r) = column(i)? else {
                    return Err(IoError::invalid(&name, "column `element` is not text"));
                };
                for x in read_all::<ByteArrayType>(r, &descs[i], rows, &name)? {
                    e.push(
                        x.as_utf8()
                            .map_err(|_| IoError::invalid(&name, "column `element` is not UTF-8"))?
                            .to_string(),
                    );
                }
            }
            for (c, &i) in feature_at.iter().enumerate() {
                let ColumnReader::DoubleColumnReader(r) = column(i)? else {
                    return Err(IoError::invalid(
                        &name,
                        format!("column {:?} is not Float64", columns[c]),
                    ));
                };
                cols[c].extend(read_all::<DoubleType>(r, &descs[i], rows, &name)?);
            }
        }
        let n = ids.len();
        let mut values = Vec::with_capacity(n * columns.len());
        for r in 0..n {
            for col in &cols {
                values.push(col[r]);
            }
        }
        let table = Table {
            columns,
            ids,
            values,
        };
        let meta = TableMeta {
            types,
            elements,
            key_values,
        };
        // Files from other tools carry no checksum and are read as they are.
        if let Some(stored) = stored {
            let computed = content_checksum(&table, &meta, &groups);
            if computed != stored {
                return Err(IoError::invalid(
                    &name,
                    format!(
                        "the file is damaged: its content checksum is {computed}, but it was written as {stored}"
                    ),
                ));
            }
        }
        Ok((table, meta))
    }

    /// Reads a table by its file name: a partitioned data set for a folder
    /// ([`crate::dataset::read`]), Parquet for `.parquet`, else CSV (plain
    /// or gzipped).
    ///
    /// # Errors
    /// As [`Table::read_parquet`], [`Table::read_csv`] and
    /// [`crate::dataset::read`].
    pub fn read(path: impl AsRef<Path>) -> Result<Table, IoError> {
        let path = path.as_ref();
        if path.is_dir() {
            return Ok(crate::dataset::read(path)?.0);
        }
        if path.extension().is_some_and(|e| e == "parquet") {
            Ok(Table::read_parquet(path)?.0)
        } else {
            Table::read_csv(path)
        }
    }
}

/// Writes the next column of a row group, all values required.
fn column<T: DataType, W: std::io::Write + Send>(
    group: &mut SerializedRowGroupWriter<'_, W>,
    values: &[T::T],
    name: &str,
) -> Result<(), IoError> {
    let pq = |e: parquet::errors::ParquetError| IoError::invalid(name, format!("parquet: {e}"));
    let mut c = group
        .next_column()
        .map_err(pq)?
        .ok_or_else(|| IoError::invalid(name, "parquet: fewer columns than the schema"))?;
    c.typed::<T>().write_batch(values, None, None).map_err(pq)?;
    c.close().map_err(pq)
}

/// Every value of one column chunk of `rows` rows; a null (a definition
/// level below the column's maximum) is an error.
fn read_all<T: DataType>(
    mut r: ColumnReaderImpl<T>,
    desc: &ColumnDescriptor,
    rows: usize,
    name: &str,
) -> Result<Vec<T::T>, IoError> {
    let mut values = Vec::with_capacity(rows);
    let nullable = desc.max_def_level() > 0;
    let mut defs: Vec<i16> = Vec::new();
    let mut read = 0;
    while read < rows {
        let (records, _, _) = r
            .read_records(
                rows - read,
                nullable.then_some(&mut defs),
                None,
                &mut values,
            )
            .map_err(|e| IoError::invalid(name, format!("parquet: {e}")))?;
        if records == 0 {
            break;
        }
        read += records;
    }
    if read != rows || values.len() != rows {
        return Err(IoError::invalid(
            name,
            format!(
                "column {:?} has {} values for {rows} rows (missing values are not allowed)",
                desc.name(),
                values.len()
            ),
        ));
    }
    Ok(values)
}

/// An integer column as u64: INT64 or INT32, signed (refused if negative)
/// or unsigned.
fn integers(
    r: ColumnReader,
    desc: &ColumnDescriptor,
    rows: usize,
    name: &str,
) -> Result<Vec<u64>, IoError> {
    let col = desc.name();
    let unsigned = matches!(
        desc.logical_type_ref(),
        Some(LogicalType::Integer(t)) if !t.is_signed
    ) || matches!(
        desc.converted_type(),
        ConvertedType::UINT_8
            | ConvertedType::UINT_16
            | ConvertedType::UINT_32
            | ConvertedType::UINT_64
    );
    let negative = |v: i64| IoError::invalid(name, format!("negative {col} {v}"));
    match r {
        ColumnReader::Int64ColumnReader(r) => read_all::<Int64Type>(r, desc, rows, name)?
            .into_iter()
            .map(|v| {
                if unsigned {
                    Ok(v as u64)
                } else {
                    u64::try_from(v).map_err(|_| negative(v))
                }
            })
            .collect(),
        ColumnReader::Int32ColumnReader(r) => read_all::<Int32Type>(r, desc, rows, name)?
            .into_iter()
            .map(|v| {
                if unsigned {
                    Ok(u64::from(v as u32))
                } else {
                    u64::try_from(v).map_err(|_| negative(i64::from(v)))
                }
            })
            .collect(),
        _ => Err(IoError::invalid(
            name,
            format!("column `{col}` is not an integer column"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_file_is_an_error_never_other_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let n = 300;
        let table = Table {
            columns: vec!["a".into(), "b".into(), "c".into()],
            ids: (1..=n as u64).collect(),
            values: (0..3 * n).map(|k| (k as f64 * 0.37).sin()).collect(),
        };
        let meta = TableMeta {
            types: Some((0..n).map(|k| 1 + (k % 2) as u32).collect()),
            elements: None,
            key_values: vec![("frame".into(), "0".into())],
        };
        table.write_parquet(&path, &meta).unwrap();
        let good = std::fs::read(&path).unwrap();
        let (back, back_meta) = Table::read_parquet(&path).unwrap();
        assert_eq!(back, table);
        assert_eq!(back_meta, meta, "the checksum entry is not handed back");
        // Overwrite 8 bytes at every 8th offset past the magic number.
        let mut caught = 0;
        for at in (4..good.len() - 8).step_by(8) {
            let mut bad = good.clone();
            for b in &mut bad[at..at + 8] {
                *b ^= 0x5a;
            }
            std::fs::write(&path, &bad).unwrap();
            match Table::read_parquet(&path) {
                Err(_) => caught += 1,
                // Read back: then with the same numbers (damage that hit the
                // checksum's own key leaves the file unverified, not wrong).
                Ok((t, m)) => assert!(
                    t == table && m.types == meta.types && m.elements == meta.elements,
                    "damage at byte {at} was read as other numbers"
                ),
            }
        }
        assert!(
            caught > good.len() / 16,
            "only {caught} damaged copies were refused"
        );
    }

    #[test]
    fn a_table_written_row_group_by_row_group_reads_back_whole_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let columns: Vec<String> = vec!["a".into(), "b".into()];
        let kv = vec![("preset".to_string(), "paper80".to_string())];
        let mut w = ParquetTableWriter::create(&path, &columns, true, true, &kv).unwrap();
        let mut whole = Table {
            columns: columns.clone(),
            ids: Vec::new(),
            values: Vec::new(),
        };
        let mut meta = TableMeta {
            types: Some(Vec::new()),
            elements: Some(Vec::new()),
            key_values: kv.clone(),
        };
        for (g, rows) in [3usize, 0, 5, 1].into_iter().enumerate() {
            let ids: Vec<u64> = (0..rows as u64).map(|r| 100 * g as u64 + r).collect();
            let types: Vec<u32> = ids.iter().map(|&i| 1 + (i % 2) as u32).collect();
            let elements: Vec<String> = types
                .iter()
                .map(|&t| ["Cu", "Zr"][t as usize - 1].into())
                .collect();
            let values: Vec<f64> = (0..2 * rows).map(|k| (k as f64 + g as f64).cos()).collect();
            w.write_rows(&ids, Some(&types), Some(&elements), &values)
                .unwrap();
            whole.ids.extend(&ids);
            whole.values.extend(&values);
            meta.types.as_mut().unwrap().extend(types);
            meta.elements.as_mut().unwrap().extend(elements);
        }
        assert_eq!(w.rows(), 9);
        // Wrong shapes are errors naming the file; nothing is at the path yet.
        let e = w
            .write_rows(&[1], Some(&[1]), None, &[0.0, 1.0])
            .unwrap_err();
        assert!(e.to_string().contains("no elements"), "{e}");
        let e = w
            .write_rows(&[1], Some(&[1]), Some(&["Cu".into()]), &[0.0])
            .unwrap_err();
        assert!(
            e.to_string().contains("1 values for 1 rows × 2 columns"),
            "{e}"
        );
        assert!(!path.exists());
        w.finish().unwrap();
        let (back, m) = Table::read_parquet(&path).unwrap();
        assert_eq!(back, whole);
        assert_eq!(m, meta);
        // One bit flipped at every byte: refused, or read with the same
        // numbers; never other numbers, never a panic.
        let good = std::fs::read(&path).unwrap();
        let mut caught = 0;
        for at in 4..good.len() - 8 {
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            std::fs::write(&path, &bad).unwrap();
            match Table::read_parquet(&path) {
                Err(_) => caught += 1,
                Ok((t, m2)) => assert!(
                    t == whole && m2.types == meta.types && m2.elements == meta.elements,
                    "damage at byte {at} was read as other numbers"
                ),
            }
        }
        assert!(
            caught > good.len() / 16,
            "only {caught} damaged copies were refused"
        );
        // A writer dropped unfinished leaves nothing.
        let other = dir.path().join("dropped.parquet");
        let w = ParquetTableWriter::create(&other, &columns, false, false, &[]).unwrap();
        drop(w);
        assert!(!other.exists());
    }

    #[test]
    fn tables_that_pandas_and_pyarrow_wrote_read_bit_for_bit() {
        // tests/data/parquet/make.py wrote them (pandas 3.1.1, pyarrow 26.0.1):
        // snappy and zstd pages, int64 and uint64 ids, uint32 types, strings,
        // nullable columns without nulls, two row groups.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parquet");
        let a = [0.5, -2.25, 1e-300, f64::MAX];
        let b = [1.0 / 3.0, -0.0, 6.022_140_76e23, f64::from_bits(1)];
        for f in ["pandas.parquet", "pyarrow.parquet"] {
            let (t, m) = Table::read_parquet(dir.join(f)).unwrap();
            assert_eq!(t.ids, [7, 3, 11, (1 << 40) + 1], "{f}");
            assert_eq!(t.columns, ["a", "b"], "{f}");
            for r in 0..4 {
                assert_eq!(t.values[2 * r].to_bits(), a[r].to_bits(), "{f} a[{r}]");
                assert_eq!(t.values[2 * r + 1].to_bits(), b[r].to_bits(), "{f} b[{r}]");
            }
            if f == "pandas.parquet" {
                assert_eq!(m.types, Some(vec![1, 2, 1, 2]));
                assert_eq!(
                    m.elements,
                    Some(["Cu", "Zr", "Cu", "Zr"].map(String::from).to_vec())
                );
            } else {
                assert_eq!((m.types, m.elements), (None, None));
            }
        }
        // A missing value is refused, never read as a number.
        let e = Table::read_parquet(dir.join("null.parquet"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("null.parquet") && e.contains("missing values"),
            "{e}"
        );
    }

    #[test]
    fn parquet_round_trip_keeps_every_bit() {
        let dir = std::env::temp_dir().join(format!("interstice-pq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.parquet");
        let t = Table {
            columns: vec!["a".into(), "b_x".into()],
            ids: vec![3, 1, 2],
            values: vec![0.1, -2.5e-300, f64::MAX, 1.0 / 3.0, 0.0, -0.0],
        };
        let meta = TableMeta {
            types: Some(vec![1, 2, 1]),
            elements: Some(vec!["Cu".into(), "Zr".into(), "Cu".into()]),
            key_values: vec![
                ("frame".into(), "0".into()),
                ("file".into(), "x.dump".into()),
            ],
        };
        t.write_parquet(&path, &meta).unwrap();
        let (back, m) = Table::read_parquet(&path).unwrap();
        assert_eq!(back.columns, t.columns);
        assert_eq!(back.ids, t.ids);
        assert_eq!(
            back.values.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            t.values.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(m, meta);
        assert_eq!(Table::read(&path).unwrap(), back);
        // Not Parquet: a clear error naming the file.
        std::fs::write(dir.join("bad.parquet"), b"id,a\n1,2\n").unwrap();
        let e = Table::read(dir.join("bad.parquet"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("bad.parquet") && e.contains("Parquet"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
