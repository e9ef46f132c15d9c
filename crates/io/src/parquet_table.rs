//! Feature tables as Parquet (zstd): `id` (UInt64), optional `type`
//! (UInt32) and `element` (Utf8) columns, then one Float64 column per
//! feature; frame metadata (file, frame, strain, …) as the file's key-value
//! metadata.
//!
//! Checked once (2026-11-25) on a `--preset all` table of the 4 000-atom
//! fixture: pyarrow 26.0.1 (`pq.read_table`, `pq.read_metadata`), pandas
//! 3.1.1 (`pd.read_parquet`) and polars 2.1.0 (`pl.read_parquet`) read all
//! 363 columns, the key-value metadata and zstd-compressed chunks; the
//! values equal the CSV's bit for bit.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

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

/// FNV-1a (64 bit) over the table as the reader decodes it: column names,
/// ids, types, elements, every value's bits and the key-value metadata. The `parquet` crate does not
/// write page CRCs (it verifies them when a file has them: the `crc`
/// feature), so this end-to-end sum is what catches a damaged file whose
/// pages still decode.
fn content_checksum(table: &Table, meta: &TableMeta) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for c in &table.columns {
        eat(c.as_bytes());
        eat(&[0]);
    }
    for id in &table.ids {
        eat(&id.to_le_bytes());
    }
    if let Some(t) = &meta.types {
        for x in t {
            eat(&x.to_le_bytes());
        }
    }
    if let Some(e) = &meta.elements {
        for x in e {
            eat(x.as_bytes());
            eat(&[0]);
        }
    }
    for v in &table.values {
        eat(&v.to_bits().to_le_bytes());
    }
    for (k, v) in meta.key_values.iter().filter(|(k, _)| k != CHECKSUM_KEY) {
        eat(k.as_bytes());
        eat(&[0]);
        eat(v.as_bytes());
        eat(&[0]);
    }
    format!("{h:016x}")
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
        let path = path.as_ref();
        let name = path.display().to_string();
        let n = self.ids.len();
        let k = self.columns.len();
        if self.values.len() != n * k {
            return Err(IoError::invalid(
                &name,
                format!("{} values for {n} rows × {k} columns", self.values.len()),
            ));
        }
        if let Some(c) = self
            .columns
            .iter()
            .find(|c| ["id", "type", "element"].contains(&c.as_str()))
        {
            return Err(IoError::invalid(
                &name,
                format!("a feature column may not be called {c:?}"),
            ));
        }
        let mut fields = vec![Field::new("id", DataType::UInt64, false)];
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(UInt64Array::from(self.ids.clone()))];
        if let Some(t) = &meta.types {
            if t.len() != n {
                return Err(IoError::invalid(
                    &name,
                    format!("{} types for {n} rows", t.len()),
                ));
            }
            fields.push(Field::new("type", DataType::UInt32, false));
            arrays.push(Arc::new(UInt32Array::from(t.clone())));
        }
        if let Some(e) = &meta.elements {
            if e.len() != n {
                return Err(IoError::invalid(
                    &name,
                    format!("{} elements for {n} rows", e.len()),
                ));
            }
            fields.push(Field::new("element", DataType::Utf8, false));
            arrays.push(Arc::new(StringArray::from(e.clone())));
        }
        for (c, col) in self.columns.iter().enumerate() {
            fields.push(Field::new(col, DataType::Float64, false));
            arrays.push(Arc::new(Float64Array::from(self.column(c))));
        }
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| IoError::invalid(&name, format!("cannot build the table: {e}")))?;
        let mut kv: Vec<KeyValue> = meta
            .key_values
            .iter()
            .filter(|(k, _)| k != CHECKSUM_KEY)
            .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
            .collect();
        kv.push(KeyValue::new(
            CHECKSUM_KEY.to_string(),
            content_checksum(self, meta),
        ));
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_key_value_metadata((!kv.is_empty()).then_some(kv))
            .build();
        let out = OutputFile::create(path)?;
        let pq =
            |e: parquet::errors::ParquetError| IoError::invalid(&name, format!("parquet: {e}"));
        let mut w = ArrowWriter::try_new(out, schema, Some(props)).map_err(pq)?;
        w.write(&batch).map_err(pq)?;
        let out = w.into_inner().map_err(pq)?;
        out.commit()
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
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(pq)?;
        let mut key_values: Vec<(String, String)> = builder
            .metadata()
            .file_metadata()
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
        let schema = builder.schema().clone();
        let reader = builder.build().map_err(pq)?;
        let mut ids: Vec<u64> = Vec::new();
        let mut types: Option<Vec<u32>> = None;
        let mut elements: Option<Vec<String>> = None;
        let columns: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|c| !["id", "type", "element"].contains(&c.as_str()))
            .collect();
        let mut cols: Vec<Vec<f64>> = vec![Vec::new(); columns.len()];
        if schema.index_of("id").is_err() {
            return Err(IoError::invalid(&name, "expected an `id` column"));
        }
        for batch in reader {
            let batch = batch.map_err(|e| IoError::invalid(&name, format!("parquet: {e}")))?;
            let id = arrow_cast_u64(batch.column_by_name("id").expect("checked"), &name, "id")?;
            ids.extend(id);
            if let Some(t) = batch.column_by_name("type") {
                let t = arrow_cast_u64(t, &name, "type")?;
                types
                    .get_or_insert_with(Vec::new)
                    .extend(t.into_iter().map(|x| x as u32));
            }
            if let Some(e) = batch.column_by_name("element") {
                let e = e
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| IoError::invalid(&name, "column `element` is not text"))?;
                elements
                    .get_or_insert_with(Vec::new)
                    .extend((0..e.len()).map(|i| e.value(i).to_string()));
            }
            for (c, col) in columns.iter().enumerate() {
                let a = batch.column_by_name(col).expect("from the schema");
                let f = a.as_any().downcast_ref::<Float64Array>().ok_or_else(|| {
                    IoError::invalid(&name, format!("column {col:?} is not Float64"))
                })?;
                cols[c].extend(f.values().iter().copied());
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
            let computed = content_checksum(&table, &meta);
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

    /// Reads a table by its file name: Parquet for `.parquet`, else CSV
    /// (plain or gzipped).
    ///
    /// # Errors
    /// As [`Table::read_parquet`] and [`Table::read_csv`].
    pub fn read(path: impl AsRef<Path>) -> Result<Table, IoError> {
        let path = path.as_ref();
        if path.extension().is_some_and(|e| e == "parquet") {
            Ok(Table::read_parquet(path)?.0)
        } else {
            Table::read_csv(path)
        }
    }
}

fn arrow_cast_u64(a: &ArrayRef, name: &str, col: &str) -> Result<Vec<u64>, IoError> {
    if let Some(x) = a.as_any().downcast_ref::<UInt64Array>() {
        return Ok(x.values().to_vec());
    }
    if let Some(x) = a.as_any().downcast_ref::<UInt32Array>() {
        return Ok(x.values().iter().map(|&v| u64::from(v)).collect());
    }
    if let Some(x) = a.as_any().downcast_ref::<arrow_array::Int64Array>() {
        return x
            .values()
            .iter()
            .map(|&v| {
                u64::try_from(v).map_err(|_| IoError::invalid(name, format!("negative {col} {v}")))
            })
            .collect();
    }
    Err(IoError::invalid(
        name,
        format!("column `{col}` is not an integer column"),
    ))
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
