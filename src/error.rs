//! Errors that reach the user: every one names the file and, where it can, the place in it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// 1-based line number in a text input (after decompression).
    Line(u64),
    /// 0-based byte offset (after decompression).
    Byte(u64),
    /// A place inside a decoded structure that has no useful offset (e.g. a protobuf field).
    Unknown,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Byte(n) => write!(f, "byte {n}"),
            Place::Unknown => Ok(()),
        }
    }
}

/// A problem inside one input, before the file name is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub place: Place,
    pub message: String,
}

impl FormatError {
    /// A TOML error at its line, with the column in the message.
    pub fn from_toml(text: &str, e: &toml::de::Error) -> Self {
        let (line, column) = e
            .span()
            .map(|s| line_column(text, s.start))
            .unwrap_or((0, 0));
        FormatError::at_line(line as u64, format!("column {column}: {}", e.message()))
    }

    pub fn at_line(line: u64, message: impl Into<String>) -> Self {
        FormatError {
            place: Place::Line(line),
            message: message.into(),
        }
    }
    pub fn at_byte(byte: u64, message: impl Into<String>) -> Self {
        FormatError {
            place: Place::Byte(byte),
            message: message.into(),
        }
    }
    pub fn new(message: impl Into<String>) -> Self {
        FormatError {
            place: Place::Unknown,
            message: message.into(),
        }
    }
    pub fn in_file(self, path: &Path) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            place: self.place,
            message: self.message,
        }
    }
}

/// Every error leakscope reports. All of them map to exit code 2.
#[derive(Debug)]
pub enum Error {
    /// An input that cannot be read or understood.
    Input {
        path: PathBuf,
        place: Place,
        message: String,
    },
    /// Arguments that do not fit together.
    Usage(String),
    /// An output that could not be written.
    Output { path: PathBuf, message: String },
    /// A service that could not be captured from: the target and the URL asked.
    Remote { url: String, message: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input {
                path,
                place: Place::Unknown,
                message,
            } => write!(f, "{}: {message}", path.display()),
            Error::Input {
                path,
                place,
                message,
            } => write!(f, "{}: {place}: {message}", path.display()),
            Error::Usage(message) => write!(f, "{message}"),
            Error::Output { path, message } => {
                write!(f, "cannot write {}: {message}", path.display())
            }
            Error::Remote { url, message } => write!(f, "{url}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// (line, column) of a byte offset, both from 1.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}
