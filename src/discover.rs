//! Turns the paths on the command line into the posts to process: files as given, folders walked
//! recursively for `*.md` and `*.markdown` (honouring `.gitignore`), `-` for stdin. The result is
//! sorted by path so every run sees the same order. A repo's `exclude` globs ([`Exclude`]) leave
//! posts out, whether walked or named.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
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
    discover_files(paths, is_markdown)
}

/// Like [`discover`], walking folders for the files `accept` takes (transcripts, for import).
pub fn discover_files(paths: &[PathBuf], accept: fn(&Path) -> bool) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, accept, &mut inputs),
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

/// The absolute form of a path with `.` and `..` resolved by name (symlinks are not followed),
/// so `posts/../drafts/a.md` is seen where it is.
pub fn absolute_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// Paths to leave out: gitignore-style globs relative to a folder (the configuration file's).
#[derive(Debug, Clone)]
pub struct Exclude {
    root: PathBuf,
    matcher: Override,
}

impl Exclude {
    /// Compiles the globs; `root` is the folder they are relative to.
    ///
    /// # Errors
    /// The first glob that does not compile, with the reason.
    pub fn new(root: &Path, globs: &[String]) -> Result<Self, String> {
        let root = absolute_path(root);
        let mut builder = OverrideBuilder::new(&root);
        for glob in globs {
            // An override glob selects; a `!` one ignores, which is what exclude means.
            builder
                .add(&format!("!{glob}"))
                .map_err(|err| format!("invalid exclude glob `{glob}`: {err}"))?;
        }
        let matcher = builder.build().map_err(|err| err.to_string())?;
        Ok(Self { root, matcher })
    }

    /// Whether a post, or a folder above it (up to the root), is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.matcher.is_empty() {
            return false;
        }
        let path = absolute_path(path);
        if !path.starts_with(&self.root) {
            return false;
        }
        let mut is_dir = false;
        let mut at = Some(path.as_path());
        while let Some(p) = at.filter(|p| *p != self.root) {
            if self.matcher.matched(p, is_dir).is_ignore() {
                return true;
            }
            is_dir = true;
            at = p.parent();
        }
        false
    }
}

/// Like [`discover`], leaving out what `exclude` matches (named files too, so a pre-commit hook,
/// which names every staged post, honours the repo's excludes).
pub fn discover_excluding(paths: &[PathBuf], exclude: &Exclude) -> Vec<Input> {
    let mut inputs = discover(paths);
    inputs.retain(|input| match input {
        Input::File(path) => !exclude.is_excluded(path),
        Input::Stdin | Input::Unreadable(..) => true,
    });
    inputs
}

fn walk(root: &Path, accept: fn(&Path) -> bool, inputs: &mut Vec<Input>) {
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
                if is_file && accept(entry.path()) {
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
    fn excludes_match_files_and_folders_relative_to_their_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("drafts/old")).unwrap();
        fs::create_dir_all(root.join("posts")).unwrap();
        for name in ["drafts/old/a.md", "posts/b.md", "posts/c.wip.md", "d.md"] {
            fs::write(root.join(name), "x").unwrap();
        }
        let exclude = Exclude::new(root, &["drafts/".to_owned(), "*.wip.md".to_owned()]).unwrap();
        let got: Vec<_> =
            discover_excluding(&[root.to_path_buf(), root.join("posts/c.wip.md")], &exclude)
                .into_iter()
                .map(|i| i.path().strip_prefix(root).unwrap().to_path_buf())
                .collect();
        assert_eq!(
            got,
            vec![PathBuf::from("d.md"), PathBuf::from("posts/b.md")]
        );
        assert!(Exclude::new(root, &["a[".to_owned()]).is_err());
    }

    #[test]
    fn missing_paths_are_reported() {
        let got = discover(&[PathBuf::from("/no/such/file.md")]);
        assert!(matches!(&got[0], Input::Unreadable(..)));
    }
}
