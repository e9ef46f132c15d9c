//! Byte sources, kept apart from the formats: files or memory, plain or
//! gzip-compressed (detected by the magic bytes, concatenated members
//! included), read line by line with line numbers and byte offsets.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use crate::IoError;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BUFFER: usize = 1 << 17;
/// Longer lines are refused: no text format we read has them, and field
/// offsets are kept in 32 bits.
const MAX_LINE: usize = 1 << 30;

/// Where bytes come from.
#[derive(Clone, Debug)]
pub enum Source<'a> {
    /// A file on disk, plain or gzipped.
    File(PathBuf),
    /// Bytes in memory, plain or gzipped, with a name for messages.
    Memory {
        /// Shown in error messages in place of a path.
        name: String,
        /// The content.
        bytes: &'a [u8],
    },
}

impl Source<'_> {
    /// The name used in messages: the path, or the memory source's name.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Memory { name, .. } => name.clone(),
        }
    }
}

enum Reader<'a> {
    File(BufReader<File>),
    Memory(Cursor<&'a [u8]>),
    GzFile(BufReader<MultiGzDecoder<BufReader<File>>>),
    GzMemory(BufReader<MultiGzDecoder<&'a [u8]>>),
}

impl Reader<'_> {
    fn buf(&mut self) -> &mut dyn BufRead {
        match self {
            Reader::File(r) => r,
            Reader::Memory(r) => r,
            Reader::GzFile(r) => r,
            Reader::GzMemory(r) => r,
        }
    }
}

/// A line reader over a [`Source`] that counts lines and decompressed bytes
/// and can go back to an earlier position.
pub(crate) struct LineStream<'a> {
    source: Source<'a>,
    name: String,
    reader: Reader<'a>,
    /// Decompressed bytes consumed so far.
    offset: u64,
    /// Lines consumed so far (the next line has number `line + 1`).
    line: u64,
    /// Total size of an uncompressed source, for sanity checks on counts.
    plain_len: Option<u64>,
}

impl<'a> LineStream<'a> {
    pub(crate) fn open(source: Source<'a>) -> Result<LineStream<'a>, IoError> {
        let name = source.name();
        let (reader, plain_len) = open_reader(&source, &name)?;
        Ok(LineStream {
            source,
            name,
            reader,
            offset: 0,
            line: 0,
            plain_len,
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the source is gzip-compressed (offsets count decompressed
    /// bytes and cannot be seeked to directly).
    pub(crate) fn is_compressed(&self) -> bool {
        self.plain_len.is_none()
    }

    /// The size of an uncompressed source; `None` when compressed.
    pub(crate) fn len(&self) -> Option<u64> {
        self.plain_len
    }

    /// Bytes left in an uncompressed source; `None` when compressed.
    pub(crate) fn remaining(&self) -> Option<u64> {
        self.plain_len.map(|n| n.saturating_sub(self.offset))
    }

    fn read_error(&self, e: std::io::Error) -> IoError {
        match e.kind() {
            std::io::ErrorKind::InvalidInput
            | std::io::ErrorKind::InvalidData
            | std::io::ErrorKind::UnexpectedEof => IoError::parse(
                &self.name,
                self.line + 1,
                format!("cannot decompress: corrupt gzip data ({e})"),
            ),
            _ => IoError::os(&self.name, format!("cannot read line {}", self.line + 1), e),
        }
    }

    /// Reads the next line into `buf` without its line ending; `false` at the end.
    pub(crate) fn read_line(&mut self, buf: &mut Vec<u8>) -> Result<bool, IoError> {
        buf.clear();
        let n = match self.reader.buf().read_until(b'\n', buf) {
            Ok(n) => n,
            Err(e) => return Err(self.read_error(e)),
        };
        if n == 0 {
            return Ok(false);
        }
        if buf.len() > MAX_LINE {
            return Err(IoError::parse(
                &self.name,
                self.line + 1,
                format!("line of {} bytes: expected at most {MAX_LINE}", buf.len()),
            ));
        }
        self.offset += n as u64;
        self.line += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        Ok(true)
    }

    /// Skips up to `n` lines without looking at them; returns how many were skipped.
    pub(crate) fn skip_lines(&mut self, n: u64) -> Result<u64, IoError> {
        let mut done = 0;
        while done < n {
            let chunk = match self.reader.buf().fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_error(e)),
            };
            if chunk.is_empty() {
                break;
            }
            let mut used = chunk.len();
            for (k, pos) in memchr::memchr_iter(b'\n', chunk).enumerate() {
                if done + k as u64 + 1 == n {
                    used = pos + 1;
                    break;
                }
            }
            let newlines = memchr::memchr_iter(b'\n', &chunk[..used]).count() as u64;
            // A last line without a newline at the end of the data counts too.
            let tail = used == chunk.len() && chunk.last() != Some(&b'\n');
            self.reader.buf().consume(used);
            self.offset += used as u64;
            done += newlines;
            self.line += newlines;
            if tail && self.at_end()? {
                done += 1;
                self.line += 1;
                break;
            }
        }
        Ok(done)
    }

    fn at_end(&mut self) -> Result<bool, IoError> {
        match self.reader.buf().fill_buf() {
            Ok(c) => Ok(c.is_empty()),
            Err(e) => Err(self.read_error(e)),
        }
    }

    /// Goes to a byte offset and line number recorded earlier.
    ///
    /// Plain sources seek; compressed ones skip forward, or reopen and skip
    /// when going back.
    pub(crate) fn seek(&mut self, offset: u64, line: u64) -> Result<(), IoError> {
        match &mut self.reader {
            Reader::File(r) => {
                r.seek(SeekFrom::Start(offset))
                    .map_err(|e| IoError::os(&self.name, "cannot seek", e))?;
            }
            Reader::Memory(c) => c.set_position(offset),
            Reader::GzFile(_) | Reader::GzMemory(_) => {
                if offset < self.offset {
                    self.reader = open_reader(&self.source, &self.name)?.0;
                    self.offset = 0;
                }
                let want = offset - self.offset;
                let skipped =
                    std::io::copy(&mut self.reader.buf().take(want), &mut std::io::sink())
                        .map_err(|e| self.read_error(e))?;
                if skipped != want {
                    return Err(IoError::invalid(
                        &self.name,
                        "the file became shorter while it was read",
                    ));
                }
            }
        }
        self.offset = offset;
        self.line = line;
        Ok(())
    }
}

fn open_reader<'a>(source: &Source<'a>, name: &str) -> Result<(Reader<'a>, Option<u64>), IoError> {
    match source {
        Source::File(path) => {
            let file = File::open(path).map_err(|e| IoError::os(name, "cannot open", e))?;
            let len = file.metadata().map(|m| m.len()).ok();
            let mut r = BufReader::with_capacity(BUFFER, file);
            let head = r
                .fill_buf()
                .map_err(|e| IoError::os(name, "cannot read", e))?;
            if head.starts_with(&GZIP_MAGIC) {
                Ok((
                    Reader::GzFile(BufReader::with_capacity(BUFFER, MultiGzDecoder::new(r))),
                    None,
                ))
            } else {
                Ok((Reader::File(r), len))
            }
        }
        Source::Memory { bytes, .. } => {
            if bytes.starts_with(&GZIP_MAGIC) {
                Ok((
                    Reader::GzMemory(BufReader::with_capacity(
                        BUFFER,
                        MultiGzDecoder::new(*bytes),
                    )),
                    None,
                ))
            } else {
                Ok((
                    Reader::Memory(Cursor::new(*bytes)),
                    Some(bytes.len() as u64),
                ))
            }
        }
    }
}

/// Whether a path names a gzip file by its extension (for writers).
pub(crate) fn is_gz_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(parts: &[&[u8]]) -> Vec<u8> {
        // Concatenated gzip members, as `cat a.gz b.gz` makes.
        let mut out = Vec::new();
        for p in parts {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(p).unwrap();
            out.extend(e.finish().unwrap());
        }
        out
    }

    fn lines(source: Source<'_>) -> Vec<String> {
        let mut s = LineStream::open(source).unwrap();
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while s.read_line(&mut buf).unwrap() {
            out.push(String::from_utf8(buf.clone()).unwrap());
        }
        out
    }

    #[test]
    fn plain_gz_and_concatenated_members_read_the_same() {
        let text = b"a\r\nbb\nccc\nlast";
        let mem = Source::Memory {
            name: "m".into(),
            bytes: text,
        };
        let expected = vec!["a", "bb", "ccc", "last"];
        assert_eq!(lines(mem), expected);
        let g = gz(&[b"a\r\nbb\n", b"ccc\nla", b"st"]);
        assert_eq!(
            lines(Source::Memory {
                name: "m".into(),
                bytes: &g
            }),
            expected
        );
    }

    #[test]
    fn skip_and_seek_keep_line_numbers() {
        let text: Vec<u8> = (1..=1000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let g = gz(&[&text[..3000], &text[3000..]]);
        for bytes in [&text[..], &g[..]] {
            let mut s = LineStream::open(Source::Memory {
                name: "m".into(),
                bytes,
            })
            .unwrap();
            let mut buf = Vec::new();
            assert_eq!(s.skip_lines(10).unwrap(), 10);
            let (off, line) = (s.offset(), s.line());
            s.read_line(&mut buf).unwrap();
            assert_eq!(buf, b"line 11");
            assert_eq!(s.skip_lines(2000).unwrap(), 989);
            assert_eq!(s.line(), 1000);
            s.seek(off, line).unwrap();
            s.read_line(&mut buf).unwrap();
            assert_eq!((buf.as_slice(), s.line()), (&b"line 11"[..], 11));
        }
        // A last line without a newline is still a line.
        let mut s = LineStream::open(Source::Memory {
            name: "m".into(),
            bytes: b"a\nb",
        })
        .unwrap();
        assert_eq!(s.skip_lines(5).unwrap(), 2);
    }

    #[test]
    fn corrupt_gzip_is_an_error_not_a_panic() {
        let mut g = gz(&[b"hello\nworld\n"]);
        let n = g.len();
        g[n / 2] ^= 0xff;
        g.truncate(n - 3);
        let mut s = LineStream::open(Source::Memory {
            name: "bad.gz".into(),
            bytes: &g,
        })
        .unwrap();
        let mut buf = Vec::new();
        let mut result = Ok(true);
        while let Ok(true) = result {
            result = s.read_line(&mut buf);
        }
        let e = result.unwrap_err().to_string();
        assert!(
            e.starts_with("bad.gz:") && e.contains(": cannot decompress: corrupt gzip data"),
            "{e}"
        );
    }
}
