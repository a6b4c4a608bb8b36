#!/usr/bin/env bash
# frontfill's speed benchmark: one run measures bare jieba-rs, frontfill's batch throughput with
# -j 1 and -j 2, the cold single-file run, peak memory and the cost per MB of long posts, and
# prints ratios (the machine is shared and noisy, so ratios mean more than absolute times).
#
#   tests/bench/run.sh            # measure (needs ../shared/corpus/posts, or FRONTFILL_CORPUS=DIR;
#                                 # BENCH_ROUNDS=3 throughput rounds, BENCH_RUNS=20 cold runs)
#   tests/bench/run.sh --trim     # first re-derive dictionaries/jieba/dict.txt from jieba-rs's dictionary
#                                 # and measure its token agreement with the full one
#
# It reads the corpus from ../shared and works on fresh-draft copies (the eight fields emptied)
# in a temporary folder that is deleted afterwards. Batch runs use `fill --check`, which does all
# the work but writes nothing. Needs hyperfine, GNU time (/usr/bin/time) and python3
# (`apt-get install hyperfine time python3`). Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

CORPUS=${FRONTFILL_CORPUS:-../shared/corpus/posts}
RUNS=${BENCH_RUNS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
if [ ! -d "$CORPUS" ]; then
    echo "bench: $CORPUS is absent (it lives in ../shared); nothing to measure"
    exit 0
fi
for tool in hyperfine python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine time python3)" >&2; exit 2; }
done

say() { printf '\n== %s\n' "$*" >&2; }

say "building (release profile)"
cargo build --release --locked --quiet
JIEBA=$(cargo bench --bench jieba --no-run --locked --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "jieba" and m.get("executable"):
        print(m["executable"])')
FF=${CARGO_TARGET_DIR:-target}/release/frontfill

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ "${1:-}" = "--trim" ]; then
    DICT=$(cargo metadata --format-version 1 --locked | python3 -c 'import json,sys,os
m = json.load(sys.stdin)
p = next(p for p in m["packages"] if p["name"] == "jieba-rs")
print(os.path.join(os.path.dirname(p["manifest_path"]), "src", "data", "dict.txt"))')
    say "trimming $DICT into dictionaries/jieba/dict.txt"
    "$JIEBA" trim "$DICT" "$CORPUS" dictionaries/jieba/dict.txt
    cargo build --release --locked --quiet
    say "token agreement of the trimmed jieba dictionary with the full one, every post"
    "$JIEBA" agreement dictionaries/jieba/dict.txt "$CORPUS"
fi

say "preparing fresh-draft copies of $CORPUS in $TMP"
python3 tests/bench/blank.py copy "$CORPUS" "$TMP/posts"
mkdir -p "$TMP/half"
ls "$TMP/posts" | awk 'NR % 2 == 0' | while read -r f; do cp "$TMP/posts/$f" "$TMP/half/"; done
# A typical post: the first (by name) of 15 to 30 KB. (`sed -n 1p` reads all its input: with
# `head`, sort could die of SIGPIPE, which pipefail turns into a silent exit of the script.)
POST=$(find "$TMP/posts" -name '*.md' -size +15k -size -30k | sort | sed -n 1p)


# Runs frontfill over a folder under GNU time, as a user or a hook would (`fill --check`, the
# default human report); prints "seconds MB/s peak_RSS_MB posts errors". (`--format json` costs
# about 2% more: it also writes every candidate's evidence.)
batch() {
    local threads=$1 dir=$2
    /usr/bin/time -v -o "$TMP/time.txt" "$FF" fill --check -j "$threads" --no-progress "$dir" >/dev/null 2>"$TMP/err.txt" || true
    python3 - "$dir" "$TMP/err.txt" "$TMP/time.txt" <<'EOF'
import os, re, sys
size = sum(e.stat().st_size for e in os.scandir(sys.argv[1]) if e.is_file())
summary = re.search(r"(\d+) files: .* (\d+) errors", open(sys.argv[2]).read())
time = dict(l.strip().rsplit(": ", 1) for l in open(sys.argv[3]) if ": " in l)
wall = time["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
print(f"{secs:.2f} {size / 1e6 / secs:.2f} {int(time['Maximum resident set size (kbytes)']) / 1024:.0f} {summary[1]} {summary[2]}")
EOF
}

# The machine's speed drifts by a fifth within minutes, so bare jieba and both batches are run in
# turn, ROUNDS times, and each figure is the median of its rounds.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
say "bare jieba-rs cut (one thread) and frontfill fill --check -j 1 / -j 2, in turn, $ROUNDS rounds"
: >"$TMP/rounds.txt"
for round in $(seq "$ROUNDS"); do
    J=$("$JIEBA" throughput "$TMP/posts" | sed -n 's/.*mb_per_s=\([0-9.]*\).*/\1/p')
    read -r J1_S J1_MBS J1_RSS J1_FILES J1_ERR < <(batch 1 "$TMP/posts")
    read -r J2_S J2_MBS J2_RSS J2_FILES J2_ERR < <(batch 2 "$TMP/posts")
    echo "round $round: bare jieba $J MB/s; -j 1 $J1_MBS MB/s (${J1_S}s, peak RSS $J1_RSS MB, $J1_ERR errors); -j 2 $J2_MBS MB/s (${J2_S}s, peak RSS $J2_RSS MB, $J2_ERR errors), $J2_FILES posts"
    echo "$J $J1_MBS $J2_MBS" >>"$TMP/rounds.txt"
done
JIEBA_MBS=$(awk '{print $1}' "$TMP/rounds.txt" | median)
J1_MBS=$(awk '{print $2}' "$TMP/rounds.txt" | median)
J2_MBS=$(awk '{print $3}' "$TMP/rounds.txt" | median)
read -r H_S H_MBS H_RSS H_FILES _ < <(batch 2 "$TMP/half")
echo "-j 2 over half the posts ($H_FILES): peak RSS $H_RSS MB"

say "cold single-file run ($(basename "$POST"), $(wc -c <"$POST") bytes), median of $RUNS"
hyperfine -N -w 3 -r "$RUNS" -i --export-json "$TMP/cold.json" \
    "$FF fill --check $POST" \
    "$JIEBA cold $POST" \
    "$FF fill --check $CORPUS/$(basename "$POST")" >/dev/null 2>&1
python3 - "$TMP/cold.json" <<'EOF' | tee "$TMP/cold.txt"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
names = ["frontfill fill --check (fresh draft)", "bare Jieba::new() + cut", "frontfill fill --check (already filled)"]
for name, res in zip(names, r):
    print(f"{name}: median {res['median'] * 1000:.1f} ms (user {res['user'] * 1000:.1f} ms)")
print(f"COLD {r[0]['median'] * 1000:.1f} {r[1]['median'] * 1000:.1f}")
EOF

say "cost per MB by post size (-j 1)"
SCALING=""
for spec in 10000:150 100000:15 700000:3; do
    size=${spec%%:*} count=${spec##*:}
    python3 tests/bench/blank.py long "$CORPUS" "$TMP/long-$size" "$size" "$count"
    read -r S MBS _ _ _ < <(batch 1 "$TMP/long-$size")
    per=$(python3 -c "print(f'{1 / $MBS:.3f}')")
    echo "$((size / 1000)) KB posts: $MBS MB/s, $per s per MB"
    SCALING="$SCALING $((size / 1000))KB=${per}s/MB"
done

say "summary"
read -r _ COLD_MS BARE_MS < <(grep '^COLD' "$TMP/cold.txt")
python3 - <<EOF
print("bare jieba-rs cut, 1 thread : $JIEBA_MBS MB/s (median of $ROUNDS rounds, as the two below)")
print("frontfill -j 1 / -j 2      : $J1_MBS / $J2_MBS MB/s")
print("ratio -j 2 / bare jieba    : %.2f   (target >= 1.2)" % ($J2_MBS / $JIEBA_MBS))
print("ratio -j 1 / bare jieba    : %.2f" % ($J1_MBS / $JIEBA_MBS))
print("cold run, median           : $COLD_MS ms (target <= 60); bare jieba process $BARE_MS ms; ratio %.2f" % ($COLD_MS / $BARE_MS))
print("peak RSS -j 2, all / half  : $J2_RSS / $H_RSS MB (target <= 300, flat)")
print("cost by post size          :$SCALING")
EOF
