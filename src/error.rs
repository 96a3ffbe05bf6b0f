//! Errors that end a command without a report, mapped to exit codes (DESIGN.md §2).
//! Problems with what is being diagnosed are never errors: they are findings in the report.

use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// Bad usage or configuration: a missing file, an unreadable config (exit 2).
    Usage(String),
    /// c7doctor itself failed (exit 3).
    Internal(String),
}

impl Error {
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }
    pub fn internal(msg: impl Into<String>) -> Self {
        Error::Internal(msg.into())
    }
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Internal(_) => 3,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}"),
            Error::Internal(m) => write!(f, "internal error: {m} (this is a c7doctor bug)"),
        }
    }
}

impl std::error::Error for Error {}
