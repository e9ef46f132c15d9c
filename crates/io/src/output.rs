//! Atomic output files: bytes go to a temporary file beside the destination,
//! which replaces the destination only when everything was written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;

use crate::IoError;
use crate::source::is_gz_path;

enum Sink {
    Plain(BufWriter<File>),
    Gz(GzEncoder<BufWriter<File>>),
}

/// A file being written: a temporary sibling of the destination that
/// [`OutputFile::commit`] renames into place. Dropped without a commit, the
/// temporary file is removed and the destination is untouched, so a failed or
/// interrupted run never leaves half a file where a good one was.
///
/// Names ending in `.gz` are gzip-compressed.
pub struct OutputFile {
    sink: Option<Sink>,
    tmp: PathBuf,
    dest: PathBuf,
}

impl OutputFile {
    /// Starts writing `dest`.
    ///
    /// # Errors
    /// [`IoError::Os`] if the temporary file cannot be created (for example a
    /// missing directory).
    pub fn create(dest: &Path) -> Result<OutputFile, IoError> {
        let name = dest.display().to_string();
        let file_name = dest.file_name().ok_or_else(|| {
            IoError::invalid(&name, "expected a file name, found a directory path")
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(file_name);
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        sweep_stale(dest);
        let file = File::create(&tmp).map_err(|e| IoError::os(&name, "cannot create", e))?;
        let w = BufWriter::with_capacity(1 << 17, file);
        let sink = if is_gz_path(dest) {
            Sink::Gz(GzEncoder::new(w, flate2::Compression::new(6)))
        } else {
            Sink::Plain(w)
        };
        Ok(OutputFile {
            sink: Some(sink),
            tmp,
            dest: dest.to_path_buf(),
        })
    }

    /// The destination path.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// Flushes everything to disk and renames the temporary file onto the destination.
    ///
    /// # Errors
    /// [`IoError::Os`] if flushing, syncing or renaming fails.
    pub fn commit(mut self) -> Result<(), IoError> {
        let name = self.dest.display().to_string();
        let result = (|| {
            let file = match self.sink.take() {
                Some(Sink::Plain(w)) => w.into_inner().map_err(|e| e.into_error()),
                Some(Sink::Gz(g)) => g
                    .finish()
                    .and_then(|w| w.into_inner().map_err(|e| e.into_error())),
                None => return Ok(()),
            }
            .map_err(|e| IoError::os(&name, "cannot write", e))?;
            file.sync_all()
                .map_err(|e| IoError::os(&name, "cannot write", e))?;
            drop(file);
            std::fs::rename(&self.tmp, &self.dest)
                .map_err(|e| IoError::os(&name, "cannot move the finished file into place", e))
        })();
        if result.is_err() {
            // Never leave the temporary file behind.
            let _ = std::fs::remove_file(&self.tmp);
        } else {
            fault_point(&self.dest);
        }
        result
    }
}

/// Removes temporary files of our own naming pattern (`.NAME.PID.tmp`)
/// beside `dest` whose process no longer runs (a killed run's leftovers).
/// Best effort: on a system without `/proc` nothing is removed.
fn sweep_stale(dest: &Path) {
    let (Some(dir), Some(file_name)) = (dest.parent(), dest.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{}.", file_name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

static OBSERVER: std::sync::OnceLock<fn(&Path)> = std::sync::OnceLock::new();

/// Registers a function to call after every output file is committed (at
/// most one per process; returns whether this one was registered). The
/// driver uses it to stop the process right after a chosen file, in the
/// fault-injection tests of its crash safety.
pub fn set_commit_observer(f: fn(&Path)) -> bool {
    OBSERVER.set(f).is_ok()
}

fn fault_point(dest: &Path) {
    if let Some(f) = OBSERVER.get() {
        f(dest);
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.sink.as_mut() {
            Some(Sink::Plain(w)) => w.write(buf),
            Some(Sink::Gz(w)) => w.write(buf),
            None => Err(std::io::Error::other("output file already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.sink.as_mut() {
            Some(Sink::Plain(w)) => w.flush(),
            Some(Sink::Gz(w)) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if self.sink.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_commit_leaves_no_temporary_and_stale_ones_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        // The destination is a directory: the rename fails.
        let dest = dir.path().join("taken");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("inside"), "x").unwrap();
        let mut f = OutputFile::create(&dest).unwrap();
        f.write_all(b"new").unwrap();
        assert!(f.commit().is_err());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, ["taken"]);
        // A killed run's temporary (a pid that cannot exist) is swept by the
        // next writer of the same file; another file's and a live one's stay.
        let out = dir.path().join("out.csv");
        let stale = dir.path().join(".out.csv.4294967295.tmp");
        let live = dir
            .path()
            .join(format!(".out.csv.{}.tmp.keep", std::process::id()));
        let other = dir.path().join(".other.csv.4294967295.tmp");
        for p in [&stale, &live, &other] {
            std::fs::write(p, "half").unwrap();
        }
        let mut f = OutputFile::create(&out).unwrap();
        f.write_all(b"a").unwrap();
        f.commit().unwrap();
        assert!(!stale.exists());
        assert!(live.exists() && other.exists());
    }

    #[test]
    fn destination_changes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt");
        std::fs::write(&dest, "old").unwrap();
        {
            let mut f = OutputFile::create(&dest).unwrap();
            f.write_all(b"new").unwrap();
            // Dropped without commit: the old content stays, no temporary file is left.
        }
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut f = OutputFile::create(&dest).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn gz_names_are_compressed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.txt.gz");
        let mut f = OutputFile::create(&dest).unwrap();
        f.write_all(b"hello\n").unwrap();
        f.commit().unwrap();
        let bytes = std::fs::read(&dest).unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    }

    #[test]
    fn missing_directory_is_a_clear_error() {
        let e = OutputFile::create(Path::new("/nonexistent-dir/x.dump"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("/nonexistent-dir/x.dump: cannot create: "),
            "{e}"
        );
    }
}
