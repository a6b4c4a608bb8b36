//! Turns the paths on the command line into the posts to process: files as given, folders walked
//! recursively for `*.md` and `*.markdown` (honouring `.gitignore`), `-` for stdin. The result is
//! sorted by path so every run sees the same order.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// One post to process.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// Read the post from standard input, write the result to standard output.
    Stdin,
    /// A post on disk.
    File(PathBuf),
    /// A path that could not be listed, with the reason.
    Unreadable(PathBuf, String),
}

impl Input {
    /// The path this input is reported under.
    pub fn path(&self) -> &Path {
        match self {
            Input::Stdin => Path::new("-"),
            Input::File(path) | Input::Unreadable(path, _) => path,
        }
    }
}

/// Whether a file name has a Markdown extension frontfill walks into.
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Lists the posts under the given paths, sorted and without duplicates.
pub fn discover(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut inputs),
            Ok(_) => inputs.push(Input::File(path.clone())),
            Err(err) => inputs.push(Input::Unreadable(path.clone(), err.to_string())),
        }
    }
    inputs.sort_by(|a, b| a.path().cmp(b.path()));
    inputs.dedup_by(|a, b| a.path() == b.path());
    // One post named twice (`fill . a.md`, overlapping folders, two symlinks to one file) would be
    // filled twice at once, racing its own write; keep the first name of each file.
    let mut seen = BTreeSet::new();
    inputs.retain(|input| match input {
        Input::File(path) => seen.insert(fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
        Input::Stdin | Input::Unreadable(..) => true,
    });
    inputs
}

fn walk(root: &Path, inputs: &mut Vec<Input>) {
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry
                    .file_type()
                    .is_some_and(|t| t.is_file() || t.is_symlink());
                if is_file && is_markdown(entry.path()) {
                    inputs.push(Input::File(entry.into_path()));
                }
            }
            Err(err) => {
                let path = error_path(&err).unwrap_or_else(|| root.to_path_buf());
                inputs.push(Input::Unreadable(path, err.to_string()));
            }
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_markdown_sorted_and_honours_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/skip")).unwrap();
        for name in ["b/z.md", "a.markdown", "b/y.MD", "c.txt", "b/skip/x.md"] {
            fs::write(root.join(name), "x").unwrap();
        }
        fs::write(root.join(".gitignore"), "skip/\n").unwrap();
        let got: Vec<_> = discover(&[root.to_path_buf()])
            .into_iter()
            .map(|i| i.path().strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            got,
            vec![
                PathBuf::from("a.markdown"),
                PathBuf::from("b/y.MD"),
                PathBuf::from("b/z.md")
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_post_named_twice_is_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.md"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("sub/a.md"), root.join("link.md")).unwrap();
        let got = discover(&[
            root.join("sub/a.md"),
            root.to_path_buf(),
            root.join("sub/../sub/a.md"),
            root.join("sub"),
        ]);
        assert_eq!(got.len(), 1, "{got:?}");
    }

    #[test]
    fn missing_paths_are_reported() {
        let got = discover(&[PathBuf::from("/no/such/file.md")]);
        assert!(matches!(&got[0], Input::Unreadable(..)));
    }
}
