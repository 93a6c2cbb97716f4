#!/usr/bin/env bash
# Scale of `mmbrand merge`: peak memory on a synthetic 1 GB / 20 000-file override, and time
# from 1x to 10x the real asset tree, each side by side with `cp -r` of the same tree.
# Writes the "scale" section of BENCHMARKS.md.
#   scripts/bench-scale.sh [runs]   (default 5; needs ../shared/upstream, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
. scripts/lib.sh
base=../shared/upstream/mattermost-mobile/assets/base
[ -d "$base" ] || { echo "needs $base" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/mmbrand
work=$(mktemp -d "${TMPDIR:-/tmp}/mmbrand-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
section=$(mktemp)

# 20 000 override files of 52 KiB (1.0 GiB) over 20 000 one-byte base files of the same paths.
python3 - "$work/big" <<'PY'
import os, sys
root = sys.argv[1]
block = os.urandom(52 * 1024)
for d in range(200):
    for kind, data in (("base", b"x"), ("override", block)):
        folder = os.path.join(root, kind, f"d{d:03}")
        os.makedirs(folder, exist_ok=True)
        for f in range(100):
            with open(os.path.join(folder, f"f{f:03}.bin"), "wb") as fh:
                fh.write(data[: len(data) - f] if kind == "override" else data)
PY
big_bytes=$(du -sb "$work/big/override" | cut -f1)
big_files=$(find "$work/big/override" -type f | wc -l)
merge_kib=$(peak_kib "$bin" merge "$work/big/base" "$work/big/override" "$work/big/out")
rm -rf "$work/big/out"
cp_kib=$(peak_kib cp -r "$work/big/override" "$work/big/cp")
rm -rf "$work/big/cp"
read -r big_merge big_cp big_ratio < <(interleaved \
  "rm -rf '$work/big/out'" "'$bin' merge '$work/big/base' '$work/big/override' '$work/big/out'" \
  "rm -rf '$work/big/cp'" "cp -r '$work/big/override' '$work/big/cp'")
rm -rf "$work/big"

# k copies of the real assets/base (and of an override of config.json + release/) side by side.
rows=""
for k in 1 2 5 10; do
  tree=$work/x$k
  for i in $(seq "$k"); do
    mkdir -p "$tree/base/c$i" "$tree/override/c$i"
    cp -r "$base/." "$tree/base/c$i/"
    cp -r "$base/release" "$tree/override/c$i/release"
    printf '{"DefaultServerUrl": "https://chat.acme.example"}\n' >"$tree/override/c$i/config.json"
  done
  bytes=$(du -sb "$tree/base" | cut -f1)
  read -r m c r < <(interleaved \
    "rm -rf '$tree/out'" "'$bin' merge '$tree/base' '$tree/override' '$tree/out'" \
    "rm -rf '$tree/cp'" "cp -r '$tree/base' '$tree/cp'")
  rss=$(peak_kib "$bin" merge "$tree/base" "$tree/override" "$tree/out2")
  per_mb=$(awk -v t="$m" -v b="$bytes" 'BEGIN {printf "%.2f", t / (b / 1048576)}')
  rows="$rows| ${k}x | $(find "$tree/base" -type f | wc -l) | $((bytes / 1048576)) MiB | $m ms | $per_mb ms | $c ms | ${r}x | $((rss / 1024)) MiB |
"
  rm -rf "$tree"
done

cat >"$section" <<MD
## merge at scale (\`scripts/bench-scale.sh\`, $(nproc) cores, $(date -u +%Y-%m-%d), median of $runs runs, alternating with cp)

Synthetic override: $big_files files, $((big_bytes / 1048576)) MiB, each replacing a one-byte base file.

| command | peak RSS | median wall time |
|---|---|---|
| \`mmbrand merge base override out\` | **$((merge_kib / 1024)) MiB** ($merge_kib KiB; target <= 64 MiB) | $big_merge ms |
| \`cp -r override out\` | $((cp_kib / 1024)) MiB | $big_cp ms |

Median ratio merge / cp: **${big_ratio}x**. Files are copied by the kernel (\`copy_file_range\`),
never read into memory; only JSON files are parsed.

k copies of the real assets/base side by side, with config.json + all of release/ overridden in
each copy (time per MiB written shows linearity):

| scale | files | bytes | merge | merge per MiB | cp -r | median ratio | merge peak RSS |
|---|---|---|---|---|---|---|---|
$rows
MD
write_section scale "$section"
rm -f "$section"
sed -n '/<!-- scale:start -->/,/<!-- scale:end -->/p' BENCHMARKS.md
