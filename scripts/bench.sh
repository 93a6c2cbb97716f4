#!/usr/bin/env bash
# Benchmarks mmbrand against the plain tools it must keep up with, side by side in one run,
# and writes the results to BENCHMARKS.md.
#   scripts/bench.sh [runs]        (default 15 runs per command; needs ../shared/upstream)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
upstream=../shared/upstream/mattermost-mobile
base=$upstream/assets/base
[ -d "$base" ] || { echo "needs $base" >&2; exit 1; }

cargo build --release --quiet
bin=$PWD/target/release/mmbrand
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The override of the acceptance criterion: config.json plus every file of release/.
mkdir -p "$work/override"
cp -r "$base/release" "$work/override/release"
printf '{"DefaultServerUrl": "https://chat.acme.example", "DefaultServerName": "Acme", "ShowOnboarding": true}\n' \
  >"$work/override/config.json"

# median wall-clock milliseconds of "$@" over $runs runs; each run starts from a removed output
median_ms() {
  local out=$1; shift
  local samples=()
  for _ in $(seq "$runs"); do
    rm -rf "$out"
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    samples+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

peak_kib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

sync
cp_ms=$(median_ms "$work/cp" cp -r "$base" "$work/cp")
merge_ms=$(median_ms "$work/merged" "$bin" merge "$base" "$work/override" "$work/merged")
rm -rf "$work/cp" "$work/merged"
cp_kib=$(peak_kib cp -r "$base" "$work/cp")
merge_kib=$(peak_kib "$bin" merge "$base" "$work/override" "$work/merged")
ratio=$(awk -v a="$merge_ms" -v b="$cp_ms" 'BEGIN {printf "%.2f", a / b}')
files=$(find "$base" -type f | wc -l)
size=$(du -sh "$base" | cut -f1)

cat >BENCHMARKS.md <<MD
# Benchmarks

Rerun with \`scripts/bench.sh [runs]\`; it rewrites this file. Measured on $(nproc) cores,
$(date -u +%Y-%m-%d), median of $runs runs, output removed before each run, page cache warm.

## merge: real assets/base ($files files, $size) with config.json + all of release/ overridden

| command | median wall time | peak RSS |
|---|---|---|
| \`cp -r assets/base\` | ${cp_ms} ms | $((cp_kib / 1024)) MiB (${cp_kib} KiB) |
| \`mmbrand merge base override out\` | ${merge_ms} ms | $((merge_kib / 1024)) MiB (${merge_kib} KiB) |

Ratio mmbrand / cp: **${ratio}x** (target <= 1.5x). Peak memory target: <= 20 MiB.
MD
cat BENCHMARKS.md
