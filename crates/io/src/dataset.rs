//! Partitioned tables: a folder of Parquet files, one per process, that
//! pandas, polars, pyarrow, DuckDB and Spark read as one table (they skip
//! files whose names start with `_` or `.`), with a manifest of the parts.
//!
//! Processes write their parts into a staging folder beside the output
//! ([`begin`] by one process, then [`part_path`] each); one process then
//! [`commit`]s: it checks every part, writes the manifest and moves the
//! folder into place. A run that fails leaves the previous data set where
//! it was.

use std::path::{Path, PathBuf};

use crate::{IoError, Table, TableMeta};

/// The manifest's file name inside a data set.
pub const MANIFEST: &str = "_interstice_manifest.txt";

/// The manifest's first line.
const MAGIC: &str = "interstice partitioned table 1";

/// The staging folder of data set `out`: `.NAME.staging` beside it.
pub fn staging(out: &Path) -> PathBuf {
    sibling(out, "staging")
}

fn sibling(out: &Path, what: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "table".into());
    out.with_file_name(format!(".{name}.{what}"))
}

/// The file name of part `part` of `parts`.
pub fn part_name(part: usize, parts: usize) -> String {
    format!("part-{part:05}-of-{parts:05}.parquet")
}

/// Where part `part` of `parts` of data set `out` is written before
/// [`commit`].
pub fn part_path(out: &Path, part: usize, parts: usize) -> PathBuf {
    staging(out).join(part_name(part, parts))
}

fn os(path: &Path, what: &str) -> impl FnOnce(std::io::Error) -> IoError {
    let p = path.display().to_string();
    let what = what.to_string();
    move |e| IoError::os(&p, what, e)
}

/// Whether `dir` is a data set this module wrote (it has a manifest).
pub fn is_dataset(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// Prepares the staging folder of `out` (one process, before any part is
/// written): an earlier run's staging folder is removed.
///
/// # Errors
/// `out` exists and is not a data set (a file, or a folder without a
/// manifest: never replaced); the folder cannot be made.
pub fn begin(out: &Path) -> Result<(), IoError> {
    if out.exists() && !is_dataset(out) {
        return Err(IoError::invalid(
            &out.display().to_string(),
            "exists and is not a partitioned table interstice wrote (no manifest): not replaced; remove it or choose another name",
        ));
    }
    let s = staging(out);
    if s.exists() {
        std::fs::remove_dir_all(&s).map_err(os(&s, "cannot remove an earlier staging folder"))?;
    }
    std::fs::create_dir_all(&s).map_err(os(&s, "cannot create"))
}

/// Finishes data set `out` (one process, after every part is written):
/// checks that the staging folder holds exactly `parts` (file name and row
/// count of each, in order) and that each reads back with that many rows,
/// writes the manifest, and moves the folder into place, replacing an
/// earlier data set only now.
///
/// # Errors
/// A part missing, extra or of another row count; file errors.
pub fn commit(out: &Path, parts: &[(String, u64)]) -> Result<(), IoError> {
    let s = staging(out);
    let sname = s.display().to_string();
    let mut found: Vec<String> = std::fs::read_dir(&s)
        .map_err(os(&s, "cannot list"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    found.sort();
    let mut want: Vec<String> = parts.iter().map(|p| p.0.clone()).collect();
    want.sort();
    if found != want {
        return Err(IoError::invalid(
            &sname,
            format!("expected the parts {want:?}, found {found:?}"),
        ));
    }
    let mut text = format!(
        "{MAGIC}\nparts {}\nrows {}\n",
        parts.len(),
        parts.iter().map(|p| p.1).sum::<u64>()
    );
    for (name, rows) in parts {
        text.push_str(&format!("{name} {rows}\n"));
    }
    let manifest = s.join(MANIFEST);
    std::fs::write(&manifest, text).map_err(os(&manifest, "cannot write"))?;
    if out.exists() {
        let old = sibling(out, "old");
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(os(&old, "cannot remove"))?;
        }
        std::fs::rename(out, &old).map_err(os(out, "cannot move aside"))?;
        std::fs::rename(&s, out).map_err(os(out, "cannot move into place"))?;
        std::fs::remove_dir_all(&old).map_err(os(&old, "cannot remove"))?;
    } else {
        std::fs::rename(&s, out).map_err(os(out, "cannot move into place"))?;
    }
    Ok(())
}

/// Removes the staging folder of `out` after a failed run (one process);
/// the data set at `out`, if any, is left as it was.
///
/// # Errors
/// The folder cannot be removed.
pub fn abandon(out: &Path) -> Result<(), IoError> {
    let s = staging(out);
    if s.exists() {
        std::fs::remove_dir_all(&s).map_err(os(&s, "cannot remove"))?;
    }
    Ok(())
}

/// The files of a LAMMPS per-processor dump (`dump … NAME.%`, one file per
/// processor, `%` their number): every file in the folder of `pattern`
/// whose name is the pattern with digits for `%`, ordered by number.
///
/// # Errors
/// No `%` or more than one in the file name; the folder cannot be listed;
/// no file matches.
pub fn processor_files(pattern: &Path) -> Result<Vec<PathBuf>, IoError> {
    let shown = pattern.display().to_string();
    let name = pattern
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((pre, post)) = name.split_once('%') else {
        return Err(IoError::invalid(&shown, "expected a file name with '%'"));
    };
    if post.contains('%') {
        return Err(IoError::invalid(
            &shown,
            "expected one '%' in the file name",
        ));
    }
    let dir = match pattern.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut found: Vec<(u64, PathBuf)> = std::fs::read_dir(&dir)
        .map_err(os(&dir, "cannot list"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let mid = n.strip_prefix(pre)?.strip_suffix(post)?;
            if mid.is_empty() || !mid.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some((mid.parse().ok()?, e.path()))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(IoError::invalid(
            &shown,
            format!(
                "no files match (expected {pre}0{post}, {pre}1{post}, … as LAMMPS names per-processor dumps)"
            ),
        ));
    }
    Ok(found.into_iter().map(|f| f.1).collect())
}

/// The parts of data set `dir` from its manifest: file names and row
/// counts, in order.
///
/// # Errors
/// No manifest, or one that does not parse (naming the line).
pub fn parts(dir: &Path) -> Result<Vec<(String, u64)>, IoError> {
    let m = dir.join(MANIFEST);
    let name = m.display().to_string();
    let text = std::fs::read_to_string(&m).map_err(os(&m, "cannot read"))?;
    let mut lines = text.lines().enumerate();
    let bad = |line: usize, what: &str| IoError::parse(&name, line as u64 + 1, what);
    match lines.next() {
        Some((_, l)) if l == MAGIC => {}
        _ => return Err(bad(0, &format!("expected '{MAGIC}'"))),
    }
    let mut count = |key: &str| -> Result<u64, IoError> {
        let (i, l) = lines
            .next()
            .ok_or_else(|| bad(1, &format!("expected '{key} N'")))?;
        l.strip_prefix(key)
            .and_then(|r| r.strip_prefix(' '))
            .and_then(|r| r.trim().parse().ok())
            .ok_or_else(|| bad(i, &format!("expected '{key} N', found '{l}'")))
    };
    let n = count("parts")?;
    let rows = count("rows")?;
    let mut out = Vec::new();
    for (i, l) in lines {
        let parsed = l
            .rsplit_once(' ')
            .and_then(|(f, r)| Some((f.to_string(), r.parse::<u64>().ok()?)))
            .filter(|(f, _)| f.ends_with(".parquet") && !f.contains('/'));
        out.push(
            parsed.ok_or_else(|| bad(i, &format!("expected 'FILE.parquet ROWS', found '{l}'")))?,
        );
    }
    if out.len() as u64 != n || out.iter().map(|p| p.1).sum::<u64>() != rows {
        return Err(IoError::invalid(
            &name,
            format!(
                "lists {} parts of {} rows, announces {n} parts of {rows} rows",
                out.len(),
                out.iter().map(|p| p.1).sum::<u64>()
            ),
        ));
    }
    Ok(out)
}

/// Data set `dir` read as one table: its parts in manifest order, each
/// checked (content checksum, the manifest's row count, the same columns),
/// types and elements concatenated, the first part's key-value metadata.
///
/// # Errors
/// As [`parts`]; a part that is damaged or disagrees with the manifest.
pub fn read(dir: &Path) -> Result<(Table, TableMeta), IoError> {
    let mut table = Table::default();
    let mut meta = TableMeta::default();
    let list = parts(dir)?;
    for (k, (file, rows)) in list.iter().enumerate() {
        let p = dir.join(file);
        let (t, m) = Table::read_parquet(&p)?;
        let name = p.display().to_string();
        if t.ids.len() as u64 != *rows {
            return Err(IoError::invalid(
                &name,
                format!("{} rows, the manifest says {rows}", t.ids.len()),
            ));
        }
        if k == 0 {
            table.columns = t.columns.clone();
            meta.key_values = m.key_values.clone();
            meta.types = m.types.as_ref().map(|_| Vec::new());
            meta.elements = m.elements.as_ref().map(|_| Vec::new());
        } else if t.columns != table.columns {
            return Err(IoError::invalid(
                &name,
                format!(
                    "columns {:?}, the first part's are {:?}",
                    t.columns, table.columns
                ),
            ));
        }
        table.ids.extend_from_slice(&t.ids);
        table.values.extend_from_slice(&t.values);
        match (&mut meta.types, m.types) {
            (Some(all), Some(v)) => all.extend(v),
            (None, None) => {}
            _ => return Err(IoError::invalid(&name, "a type column in some parts only")),
        }
        match (&mut meta.elements, m.elements) {
            (Some(all), Some(v)) => all.extend(v),
            (None, None) => {}
            _ => {
                return Err(IoError::invalid(
                    &name,
                    "an element column in some parts only",
                ));
            }
        }
    }
    Ok((table, meta))
}
