//! frontfill fills the YAML front matter of Markdown posts made from video transcripts: `tags`,
//! `people`, `companies_orgs`, `products_models`, `media_books`, `category`, `area` and a
//! `summary` stub, offline and deterministically.
//!
//! The pipeline runs one way, one module per stage:
//! [`discover`] the posts → split each into front matter and body ([`document`]) → read the YAML
//! ([`front_matter`]) → pull zoned text out of the Markdown ([`extract`]) → choose the
//! [`window`] of a long post that topics and the summary read → [`segment`] it →
//! find vocabulary mentions ([`vocab`], [`matcher`]) → rank them ([`score`]) → [`summary`] →
//! decide the edits ([`plan`]) → splice them into the original bytes and write atomically
//! ([`write`]) → [`report`]. [`app`] runs the stages over a batch.
//!
//! ```
//! use std::path::Path;
//! use frontfill::app::{Engine, Options};
//!
//! let post = "---\ntitle: 测试\nsummary: ''\n---\n今天我们讨论人工智能如何改变教育。学生需要学会提问，而不是只会做题。老师的角色也会从讲授者变成引导者。这是一场深刻的变革，每个家庭都需要认真思考下一代应该学习什么样的能力。\n";
//! let filled = Engine::new(Options::default()).fill(Path::new("post.md"), post.into()).unwrap();
//! let text = filled.text.unwrap();
//! assert!(text.starts_with("---\ntitle: 测试\nsummary: 今天我们讨论人工智能"));
//! assert!(text.ends_with("---\n今天我们讨论人工智能如何改变教育。学生需要学会提问，而不是只会做题。老师的角色也会从讲授者变成引导者。这是一场深刻的变革，每个家庭都需要认真思考下一代应该学习什么样的能力。\n"));
//! ```

pub mod app;
pub mod config;
pub mod discover;
pub mod document;
pub mod error;
pub mod eval;
pub mod extract;
pub mod field;
pub mod front_matter;
pub mod holdout;
pub mod matcher;
pub mod plan;
#[cfg(test)]
mod probe;
pub mod report;
pub mod score;
pub mod segment;
pub mod summary;
pub mod transcript;
pub mod vocab;
pub mod window;
pub mod write;

pub use error::{Error, Result};
pub mod topic;
