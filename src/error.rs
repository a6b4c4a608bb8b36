//! The library's one error type. Every variant names the file, and the line where one is known,
//! so the binary can print a one-line message and carry on with the rest of the batch.

use std::path::PathBuf;

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while reading, planning or writing a post or a dictionary.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("failed to read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("failed to write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is larger than the size limit.
    #[error("{}: file is {size} bytes, over the {limit}-byte limit", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file holds a NUL byte or another sign of binary content.
    #[error("{}:{line}: binary file (NUL byte), not a Markdown post", path.display())]
    Binary {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the first NUL byte.
        line: usize,
    },
    /// The file is not valid UTF-8.
    #[error("{}:{line}: invalid UTF-8 at byte {offset}", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the first invalid byte.
        line: usize,
        /// The byte offset of the first invalid byte.
        offset: usize,
    },
    /// The front matter could not be split from the body or parsed.
    #[error("failed to parse front matter: {}:{line}: {message}", path.display())]
    FrontMatter {
        /// The file.
        path: PathBuf,
        /// The 1-based line in the file.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The edited front matter did not re-parse to the expected values, so it was not written.
    #[error("refused to write {}: {message}", path.display())]
    Verify {
        /// The file.
        path: PathBuf,
        /// What differed.
        message: String,
    },
    /// The file changed on disk between reading and writing.
    #[error("{} changed on disk while it was being filled; left as it is", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// A dictionary file is malformed.
    #[error("invalid dictionary: {}:{line}: {message}", path.display())]
    Dictionary {
        /// The dictionary file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Two vocabulary entries claim the same alias.
    #[error(
        "invalid dictionary: alias `{}` is claimed by `{}` ({}:{}) and `{}` ({}:{}); mark it `ambiguous` in both or remove one",
        .0.alias,
        .0.first.name,
        .0.first.path.display(),
        .0.first.line,
        .0.second.name,
        .0.second.path.display(),
        .0.second.line
    )]
    AliasCollision(Box<AliasCollision>),
    /// A transcript could not be turned into a post.
    #[error("{}: {message}", path.display())]
    Transcript {
        /// The transcript.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A configuration file or option is invalid.
    #[error("invalid configuration: {}:{line}: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// The 1-based line (0 when not known).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The file the error is about.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Error::Read { path, .. }
            | Error::Write { path, .. }
            | Error::TooLarge { path, .. }
            | Error::Binary { path, .. }
            | Error::NotUtf8 { path, .. }
            | Error::FrontMatter { path, .. }
            | Error::Verify { path, .. }
            | Error::Changed { path }
            | Error::Dictionary { path, .. }
            | Error::Transcript { path, .. }
            | Error::Config { path, .. } => Some(path),
            Error::AliasCollision(collision) => Some(&collision.first.path),
        }
    }
}

/// The two claims of an alias collision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasCollision {
    /// The shared alias (normalized).
    pub alias: String,
    /// The entry read first.
    pub first: Claim,
    /// The entry read second.
    pub second: Claim,
}

/// One entry claiming an alias, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The entry's name.
    pub name: String,
    /// Its dictionary file.
    pub path: PathBuf,
    /// The 1-based line of its `- name:`.
    pub line: usize,
}
