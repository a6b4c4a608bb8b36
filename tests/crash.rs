//! Crash safety: `frontfill fill` is killed with SIGKILL at seeded random moments while it writes
//! a folder of 200 posts. After every kill each post must be exactly its old bytes or exactly the
//! bytes an uninterrupted run writes (compared whole, so by content rather than by a digest), and
//! the temp files a kill leaves behind must be gone after the next run.
//!
//! The posts are made up here from a seeded generator, so the test needs nothing outside the repo.

#![cfg(unix)]
#![expect(clippy::print_stderr, reason = "the test reports its tally")]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Kills that must land; rounds whose run ended before its kill are retried, up to a cap.
const KILLS: usize = 24;
const MAX_ROUNDS: usize = 60;
const POSTS: usize = 200;

/// A small deterministic generator (xorshift64*), so every run of the test kills at the same
/// points relative to the write phase.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TITLES: [&str; 8] = [
    "芯片的新一轮竞争",
    "人工智能会改变教育吗",
    "电动汽车的价格战",
    "美国大选之后的贸易政策",
    "大模型的开源之争",
    "年轻人为什么不买房",
    "云计算的下一个十年",
    "机器人走进工厂",
];

const SENTENCES: [&str; 16] = [
    "今天我们聊一聊英伟达和台积电的合作。",
    "黄仁勋在发布会上说，新的芯片会在明年量产。",
    "很多分析师认为，这对整个行业都是一个好消息。",
    "OpenAI 最近发布了新的模型，引起了很大的讨论。",
    "特朗普的关税政策让很多企业重新考虑供应链。",
    "算力的价格还在继续下降，应用会越来越多。",
    "不过也有人担心，供应链过于集中会带来新的风险。",
    "学生需要学会提问，而不是只会做题。",
    "老师的角色会从讲授者变成引导者。",
    "价格战最后会淘汰一批规模小、技术弱的企业。",
    "消费者当然高兴，但经销商的利润被压得很薄。",
    "开源社区的力量正在改变大公司的策略。",
    "DeepSeek 的模型在很多评测里表现不错。",
    "我们下一期再详细讨论这个问题。",
    "这是一场深刻的变革，每个家庭都需要认真思考。",
    "工厂里的机器人越来越便宜，也越来越聪明。",
];

/// One made-up post: most are fresh drafts, some are filled already or have no front matter,
/// some use CRLF or a BOM.
fn make_post(rng: &mut Rng) -> Vec<u8> {
    let paragraphs: Vec<String> = (0..2 + rng.below(4))
        .map(|_| {
            (0..2 + rng.below(3))
                .map(|_| rng.pick(&SENTENCES))
                .collect::<String>()
        })
        .collect();
    let body = paragraphs.join("\n\n") + "\n";
    let title = rng.pick(&TITLES);
    let text = match rng.below(10) {
        0 => format!("# {title}\n\n{body}"),
        1 => format!("---\ntitle: {title}\ntags:\n  - ai\nsummary: 已经写好的摘要。\n---\n{body}"),
        _ => format!(
            "---\ntitle: {title}\ndate: 2025-0{}-1{}\ntags: []\nsummary: ''\ncategory: ''\n\
             area: ''\npeople: []\ncompanies_orgs: []\nproducts_models: []\nmedia_books: []\n\
             draft: true\n---\n{body}",
            1 + rng.below(9),
            rng.below(10)
        ),
    };
    let text = if rng.below(5) == 0 {
        text.replace('\n', "\r\n")
    } else {
        text
    };
    let bom = if rng.below(8) == 0 { "\u{feff}" } else { "" };
    format!("{bom}{text}").into_bytes()
}

/// The posts by relative path, spread over three folders.
fn posts() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut rng = Rng(0x00c0_ffee_5eed_1234);
    (0..POSTS)
        .map(|i| {
            let folder = ["a", "b", "b/c"][i % 3];
            (
                PathBuf::from(format!("{folder}/post-{i:03}.md")),
                make_post(&mut rng),
            )
        })
        .collect()
}

fn lay_out(dir: &Path, posts: &BTreeMap<PathBuf, Vec<u8>>) {
    for (path, bytes) in posts {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, bytes).expect("write post");
    }
}

fn spawn_fill(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_frontfill"))
        .args(["fill", "--no-progress", "-q", "-j", "2"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns")
}

/// The writer's temp files under `dir`. Tolerates files vanishing while it looks, since a run
/// may be renaming them at that moment.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                folders.push(path);
            } else if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".frontfill-")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Whether any post under `dir` was modified at or after `since`.
fn writing_started(dir: &Path, posts: &BTreeMap<PathBuf, Vec<u8>>, since: SystemTime) -> bool {
    !temp_files(dir).is_empty()
        || posts.keys().any(|p| {
            fs::metadata(dir.join(p))
                .and_then(|m| m.modified())
                .is_ok_and(|m| m >= since)
        })
}

/// Waits until the run starts writing; `false` when it ended first.
fn wait_for_writes(
    child: &mut Child,
    dir: &Path,
    posts: &BTreeMap<PathBuf, Vec<u8>>,
    since: SystemTime,
) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        if writing_started(dir, posts, since) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("the run never started writing");
}

#[test]
fn sigkill_at_random_moments_never_leaves_a_post_half_written() {
    let posts = posts();

    // The bytes an uninterrupted run writes, and how long its write phase lasts.
    let reference = tempfile::tempdir().expect("temp dir");
    lay_out(reference.path(), &posts);
    // mtimes are compared with `>=`; make sure the layout is strictly older than the run.
    std::thread::sleep(Duration::from_millis(20));
    let since = SystemTime::now();
    let spawned = Instant::now();
    let mut child = spawn_fill(reference.path());
    assert!(wait_for_writes(&mut child, reference.path(), &posts, since));
    let writing = Instant::now();
    let startup = writing - spawned;
    let status = child.wait().expect("waits");
    let write_phase = writing.elapsed();
    assert!(status.success(), "the reference run failed: {status}");
    let expected: BTreeMap<&PathBuf, Vec<u8>> = posts
        .keys()
        .map(|p| (p, fs::read(reference.path().join(p)).expect("read")))
        .collect();
    let changing = posts.iter().filter(|(p, b)| expected[p] != **b).count();
    assert!(
        changing > POSTS / 2,
        "only {changing} posts change; the test would prove little"
    );

    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    let mut rng = Rng(0x0bad_cafe_dead_beef);
    let (mut kills, mut rounds, mut mid_write) = (0, 0, 0);
    let mut temps_left = std::collections::BTreeSet::new();
    let mut damaged = Vec::new();
    let started = Instant::now();
    while kills < KILLS && rounds < MAX_ROUNDS {
        rounds += 1;
        // Every round starts from the old posts; temp files an earlier kill left stay, for this
        // round's run to clean up.
        lay_out(dir, &posts);
        std::thread::sleep(Duration::from_millis(20));
        let since = SystemTime::now();
        let mut child = spawn_fill(dir);
        // Half the kills land anywhere from start-up on; the others inside the write phase.
        let in_write_phase = rng.below(2) == 0;
        if in_write_phase && !wait_for_writes(&mut child, dir, &posts, since) {
            continue;
        }
        // Kill points stop short of the reference run's end, so few rounds end before their kill.
        let span = if in_write_phase {
            write_phase.mul_f64(0.8)
        } else {
            startup + write_phase.mul_f64(0.8)
        };
        let delay = span.mul_f64(rng.below(1000) as f64 / 1000.0);
        std::thread::sleep(delay);
        if child.try_wait().expect("try_wait").is_some() {
            continue;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        kills += 1;

        let mut new = 0;
        for (path, old) in &posts {
            let now = fs::read(dir.join(path)).expect("a post is never missing");
            if now == expected[path] && now != *old {
                new += 1;
            } else if now != *old {
                damaged.push(format!("round {rounds}: {}", path.display()));
            }
        }
        if new > 0 && new < changing {
            mid_write += 1;
        }
        temps_left.extend(temp_files(dir));
    }

    // The next, uninterrupted run finishes the job and sweeps up every leftover.
    let leftover = dir.join("a/.frontfill-Stale1.tmp");
    fs::write(&leftover, "left by a killed run").expect("write leftover");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&leftover)
        .and_then(|f| f.set_modified(an_hour_ago))
        .expect("backdate");
    let status = spawn_fill(dir).wait().expect("waits");
    assert!(status.success(), "the last run failed: {status}");
    for path in posts.keys() {
        assert_eq!(
            fs::read(dir.join(path)).expect("read"),
            expected[path],
            "{} differs from the reference run",
            path.display()
        );
    }
    let remaining = temp_files(dir);
    assert!(remaining.is_empty(), "temp files left: {remaining:?}");

    eprintln!(
        "crash safety: {kills} kills survived in {rounds} rounds ({mid_write} mid-write), \
         {} temp files left by kills and cleaned by the next run, {} posts damaged \
         ({:.1?})",
        temps_left.len(),
        damaged.len(),
        started.elapsed()
    );
    assert!(damaged.is_empty(), "posts neither old nor new: {damaged:?}");
    assert!(kills >= 20, "only {kills} kills landed in {rounds} rounds");
    assert!(
        mid_write > 0,
        "no kill landed while posts were being written"
    );
}
