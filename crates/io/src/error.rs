//! The error type of `interstice-io`.

use interstice_core::CoreError;

/// Everything that can go wrong reading or writing a file.
///
/// Every message names the file (or `<memory>` for an in-memory source), the
/// line where that applies, and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The operating system refused an operation on the file.
    #[error("{path}: {message}: {cause}")]
    Os {
        /// The file.
        path: String,
        /// What we were doing, for example `cannot open`.
        message: String,
        /// The underlying error (shown in the message, so not chained as a source).
        cause: std::io::Error,
    },
    /// The content does not follow the format, at a known line.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The 1-based line number.
        line: u64,
        /// What was expected and what was found.
        message: String,
    },
    /// A frame index past the end of the file.
    #[error("{path}: frame {index} is out of range: the file has {count} frames")]
    FrameOutOfRange {
        /// The file.
        path: String,
        /// The index asked for (0-based).
        index: usize,
        /// The frames the file has.
        count: usize,
    },
    /// A request the file cannot satisfy (an unsupported variant of the
    /// format).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A value type refused the data (for example a frame to be written).
    #[error("{path}: {cause}")]
    Core {
        /// The file.
        path: String,
        /// The core error (shown in the message, so not chained as a source).
        cause: CoreError,
    },
}

impl IoError {
    pub(crate) fn parse(path: &str, line: u64, message: impl Into<String>) -> IoError {
        IoError::Parse {
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(path: &str, message: impl Into<String>) -> IoError {
        IoError::Invalid {
            path: path.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn os(path: &str, message: impl Into<String>, source: std::io::Error) -> IoError {
        IoError::Os {
            path: path.to_string(),
            message: message.into(),
            cause: source,
        }
    }

    /// The 1-based line of a parse error.
    pub fn line(&self) -> Option<u64> {
        match self {
            IoError::Parse { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Shows at most 40 characters of a line, with control bytes escaped, for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(40).flat_map(char::escape_debug).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}
