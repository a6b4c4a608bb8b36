//! The controlled vocabulary of the four entity fields: the dictionary file form ([`format`])
//! and learning it from tagged posts ([`learn`]).

pub mod format;
pub mod learn;
