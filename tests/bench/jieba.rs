//! Bare jieba-rs, measured apart from frontfill (`tests/bench/run.sh` drives it), and the tool that
//! derives frontfill's trimmed jieba dictionary and checks how closely it segments like the full one.
//!
//! ```text
//! cargo bench --bench jieba -- throughput DIR     # single-thread `cut` (HMM on) over DIR's posts
//! cargo bench --bench jieba -- cold FILE          # Jieba::new(), read FILE, cut it, exit
//! cargo bench --bench jieba -- trim DICT DIR OUT [FREQ [USES]]  # derive the trimmed dictionary
//! cargo bench --bench jieba -- agreement DICT DIR # token agreement of DICT against the full one
//! ```
//!
//! `DICT` in `trim` is jieba-rs's own `src/data/dict.txt`; in `agreement` it is a trimmed file.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measuring tool reports on the terminal"
)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use jieba_rs::Jieba;

// The same allocator as the frontfill binary, so the ratios compare segmentation with the pipeline
// and not one allocator with another.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The held-out fold of `trim`: posts whose sorted index is a multiple of this are never used to
/// choose words, only to measure agreement.
const HOLDOUT_EVERY: usize = 5;

/// Words at least this frequent in jieba's own counts are kept whatever the corpus says, so that
/// text unlike the corpus still segments like the full dictionary.
const KEEP_FREQ: usize = 1000;

/// Words the full dictionary cuts from the learning posts at least this often are kept.
const KEEP_USES: usize = 2;

/// Stands in for the frequency mass of the dropped words: it keeps jieba's total, and so every
/// route's probability, as with the full dictionary. A private-use character never occurs in a
/// Han run, so it never becomes a token.
const MASS_WORD: &str = "\u{e000}";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["throughput", dir] => throughput(Path::new(dir)),
        ["cold", file] => cold(Path::new(file)),
        ["trim", dict, dir, out] => trim(Path::new(dict), Path::new(dir), Path::new(out), KEEP_FREQ, KEEP_USES),
        ["trim", dict, dir, out, freq] => match freq.parse() {
            Ok(freq) => trim(Path::new(dict), Path::new(dir), Path::new(out), freq, KEEP_USES),
            Err(e) => Err(format!("frequency {freq}: {e}")),
        },
        ["trim", dict, dir, out, freq, uses] => match (freq.parse(), uses.parse()) {
            (Ok(freq), Ok(uses)) => trim(Path::new(dict), Path::new(dir), Path::new(out), freq, uses),
            _ => Err(format!("frequency {freq} or uses {uses} is not a number")),
        },
        ["agreement", dict, dir] => agreement(Path::new(dict), Path::new(dir)),
        _ => Err("usage: jieba throughput DIR | cold FILE | trim DICT DIR OUT [FREQ [USES]] | agreement DICT DIR".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("jieba bench: {message}");
            ExitCode::from(2)
        }
    }
}

fn posts(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    Ok(paths)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Prints `bytes seconds MB/s` for cutting every post once, the table built beforehand.
fn throughput(dir: &Path) -> Result<(), String> {
    let jieba = Jieba::new();
    let mut bytes = 0usize;
    let mut tokens = 0usize;
    let started = Instant::now();
    for path in posts(dir)? {
        let text = read(&path)?;
        bytes += text.len();
        tokens += jieba.cut(&text, true).len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "bytes={bytes} seconds={secs:.3} mb_per_s={:.2} tokens={tokens}",
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}

/// The floor for a cold frontfill run: what any process that segments with jieba pays.
fn cold(file: &Path) -> Result<(), String> {
    let jieba = Jieba::new();
    let text = read(file)?;
    let tokens = jieba.cut(&text, true).len();
    std::hint::black_box(tokens);
    Ok(())
}

fn spans(jieba: &Jieba, text: &str) -> Vec<(usize, usize)> {
    jieba
        .cut(text, true)
        .into_iter()
        .filter(|t| t.word.chars().any(|c| !c.is_whitespace()))
        .map(|t| (t.byte_start, t.byte_end))
        .collect()
}

/// Share of the full dictionary's tokens that the other segmentation also produces, same span.
fn agree(full: &[(usize, usize)], other: &[(usize, usize)]) -> usize {
    let other: HashSet<&(usize, usize)> = other.iter().collect();
    full.iter().filter(|s| other.contains(s)).count()
}

/// Keeps every single character, every word the full dictionary produces as a token on the
/// learning posts at least `keep_uses` times (default [`KEEP_USES`]), and every word of at least
/// `keep_freq` (default [`KEEP_FREQ`]); then measures agreement on the held-out posts.
fn trim(
    dict: &Path,
    dir: &Path,
    out: &Path,
    keep_freq: usize,
    keep_uses: usize,
) -> Result<(), String> {
    let full_text = read(dict)?;
    let full = Jieba::new();
    let paths = posts(dir)?;
    let mut used: HashMap<String, usize> = HashMap::new();
    for (i, path) in paths.iter().enumerate() {
        if i % HOLDOUT_EVERY == 0 {
            continue;
        }
        let text = read(path)?;
        for token in full.cut(&text, true) {
            if token.word.chars().count() > 1 {
                *used.entry(token.word.to_owned()).or_default() += 1;
            }
        }
    }
    let mut kept = String::new();
    let (mut words, mut dropped_mass, mut total) = (0usize, 0usize, 0usize);
    let mut tags: BTreeMap<&str, usize> = BTreeMap::new();
    for line in full_text.lines() {
        let mut parts = line.split_ascii_whitespace();
        let (Some(word), Some(freq)) = (parts.next(), parts.next()) else {
            continue;
        };
        let freq: usize = freq.parse().map_err(|e| format!("{line}: {e}"))?;
        total += freq;
        if word.chars().count() == 1
            || freq >= keep_freq
            || used.get(word).is_some_and(|&n| n >= keep_uses)
        {
            kept.push_str(line);
            kept.push('\n');
            words += 1;
            *tags.entry(parts.next().unwrap_or("")).or_default() += 1;
        } else {
            dropped_mass += freq;
        }
    }
    kept.push_str(&format!("{MASS_WORD} {dropped_mass} x\n"));
    fs::write(out, &kept).map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "kept {words} words of {} ({} bytes); dropped frequency {dropped_mass} of {total}",
        full_text.lines().count(),
        kept.len()
    );
    let trimmed = load(out)?;
    let (mut same, mut all) = (0usize, 0usize);
    for (i, path) in paths.iter().enumerate() {
        if i % HOLDOUT_EVERY != 0 {
            continue;
        }
        let text = read(path)?;
        let a = spans(&full, &text);
        same += agree(&a, &spans(&trimmed, &text));
        all += a.len();
    }
    println!(
        "held-out agreement ({} posts): {:.4}",
        paths.len().div_ceil(HOLDOUT_EVERY),
        same as f64 / all.max(1) as f64
    );
    Ok(())
}

fn load(dict: &Path) -> Result<Jieba, String> {
    let file = fs::File::open(dict).map_err(|e| format!("{}: {e}", dict.display()))?;
    Jieba::with_dict(&mut BufReader::new(file)).map_err(|e| format!("{}: {e}", dict.display()))
}

/// Prints the token agreement of a trimmed dictionary with the full one over every post.
fn agreement(dict: &Path, dir: &Path) -> Result<(), String> {
    let full = Jieba::new();
    let trimmed = load(dict)?;
    let (mut same, mut all, mut posts_differing) = (0usize, 0usize, 0usize);
    let paths = posts(dir)?;
    for path in &paths {
        let text = read(path)?;
        let a = spans(&full, &text);
        let n = agree(&a, &spans(&trimmed, &text));
        posts_differing += usize::from(n != a.len());
        same += n;
        all += a.len();
    }
    println!(
        "agreement={:.4} tokens={all} posts={} posts_differing={posts_differing}",
        same as f64 / all.max(1) as f64,
        paths.len()
    );
    Ok(())
}
