//! The offset index that gives text trajectories (dumps, extended XYZ)
//! random access: where each frame found so far starts, built as frames are
//! read or skipped, completed by counting.

use crate::IoError;
use crate::source::LineStream;

/// Byte offset and line count at the start of each frame found so far.
#[derive(Debug, Default)]
pub(crate) struct FrameIndex {
    pub(crate) starts: Vec<(u64, u64)>,
    /// Whether `starts` lists every frame of the file.
    pub(crate) complete: bool,
    /// The index of the frame at the stream's position.
    pub(crate) next: usize,
}

impl FrameIndex {
    /// Records the start of the frame about to be read, if it is new.
    pub(crate) fn found(&mut self, offset: u64, line: u64) {
        if self.next == self.starts.len() {
            self.starts.push((offset, line));
        }
    }
}

/// A reader of a text trajectory with a [`FrameIndex`].
pub(crate) trait Indexed<'a> {
    /// The stream and the index, borrowed together.
    fn stream_and_index(&mut self) -> (&mut LineStream<'a>, &mut FrameIndex);

    /// Skips the next frame (reading its header, recording its start);
    /// `false` at the end.
    fn skip_frame(&mut self) -> Result<bool, IoError>;

    /// The number of frames: the first call skips through the rest of the
    /// file; the reading position is kept.
    fn count_frames(&mut self) -> Result<usize, IoError> {
        let (s, ix) = self.stream_and_index();
        if !ix.complete {
            let (offset, line, next) = (s.offset(), s.line(), ix.next);
            if let Some(&(o, l)) = ix.starts.last() {
                s.seek(o, l)?;
                ix.next = ix.starts.len() - 1;
            }
            while self.skip_frame()? {}
            let (s, ix) = self.stream_and_index();
            s.seek(offset, line)?;
            ix.next = next;
        }
        Ok(self.stream_and_index().1.starts.len())
    }

    /// The error for a frame past the end.
    fn out_of_range(&mut self, index: usize) -> IoError {
        let (s, ix) = self.stream_and_index();
        IoError::FrameOutOfRange {
            path: s.name().to_string(),
            index,
            count: ix.starts.len(),
        }
    }

    /// Moves the stream to the start of frame `index`.
    fn go_to_frame(&mut self, index: usize) -> Result<(), IoError> {
        let (s, ix) = self.stream_and_index();
        if index == ix.next {
            return Ok(());
        }
        if index < ix.starts.len() {
            let (o, l) = ix.starts[index];
            s.seek(o, l)?;
            ix.next = index;
            return Ok(());
        }
        if let Some(&(o, l)) = ix.starts.last()
            && ix.next < ix.starts.len() - 1
        {
            s.seek(o, l)?;
            ix.next = ix.starts.len() - 1;
        }
        while self.stream_and_index().1.next < index {
            if !self.skip_frame()? {
                return Err(self.out_of_range(index));
            }
        }
        Ok(())
    }
}

/// Skips the `n` atom lines of a frame; a file that ends first is an error
/// naming the line and what the lines follow (`after`).
pub(crate) fn skip_atom_lines(s: &mut LineStream<'_>, n: u64, after: &str) -> Result<(), IoError> {
    let skipped = s.skip_lines(n)?;
    if skipped < n {
        return Err(IoError::parse(
            s.name(),
            s.line() + 1,
            format!(
                "unexpected end of file: expected {n} atom lines after {after}, found {skipped}"
            ),
        ));
    }
    Ok(())
}

/// Reads the first line of the next frame into `line`, skipping blank lines
/// between frames; `false` at the end of the file (then the index is
/// complete). A file with no content at all is an error: `empty` says what
/// was expected.
pub(crate) fn first_frame_line(
    s: &mut LineStream<'_>,
    index: &mut FrameIndex,
    line: &mut Vec<u8>,
    empty: &str,
) -> Result<bool, IoError> {
    let start = s.offset();
    loop {
        if !s.read_line(line)? {
            if start == 0 {
                return Err(IoError::invalid(s.name(), format!("empty file: {empty}")));
            }
            index.complete = true;
            return Ok(false);
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            return Ok(true);
        }
    }
}
