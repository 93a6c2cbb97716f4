#!/usr/bin/env bash
# Re-applying over an existing output on the real mattermost-mobile: an unchanged re-apply
# and an upgrade between two tags, each against a fresh apply, alternating.
# Writes the "reapply" section of BENCHMARKS.md.
#   MM_REPO=<local clone of mattermost-mobile> scripts/bench-reapply.sh [runs]
#   (default 5 runs; MM_FROM/MM_TO default to v2.40.0 and v2.42.3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
. scripts/lib.sh
: "${MM_REPO:?set MM_REPO to a local clone of mattermost-mobile}"
from=${MM_FROM:-v2.40.0}
to=${MM_TO:-v2.42.3}
cargo build --release --quiet
bin=$PWD/target/release/mmbrand
brand=$PWD/fixtures/brands/acme/brand.toml
work=$(mktemp -d "${TMPDIR:-/tmp}/mmbrand-reapply.XXXXXX")
trap 'rm -rf "$work"' EXIT
section=$(mktemp)
apply() { echo "'$bin' apply '$brand' --source '$MM_REPO' --ref $1 --out '$2'"; }

sh -c "$(apply "$to" "$work/current")" >/dev/null 2>&1
read -r same fresh same_ratio < <(interleaved \
  "true" "$(apply "$to" "$work/current")" \
  "rm -rf '$work/fresh'" "$(apply "$to" "$work/fresh")")
sh -c "$(apply "$to" "$work/current")" | grep -q "up to date" || { echo "re-apply was not up to date" >&2; exit 1; }

sh -c "$(apply "$from" "$work/old")" >/dev/null 2>&1
old_files=$(find "$work/old" -type f | wc -l)
cp -a "$work/old" "$work/copy"; sync
t0=$(date +%s%N); rm -rf "$work/copy"; sync; rm_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
read -r upgrade fresh2 upgrade_ratio < <(interleaved \
  "rm -rf '$work/up'; cp -a '$work/old' '$work/up'" "$(apply "$to" "$work/up")" \
  "rm -rf '$work/fresh'" "$(apply "$to" "$work/fresh")")

cat >"$section" <<MD
## re-apply and upgrade (\`scripts/bench-reapply.sh\`, $(nproc) cores, $(date -u +%Y-%m-%d), median of $runs runs, alternating)

Real mattermost-mobile, example brand acme, output of a previous apply in place.

| command | median wall time | vs. fresh apply (median of per-run ratios) |
|---|---|---|
| fresh \`apply --ref $to\` into an empty directory | $fresh ms | 1 |
| unchanged re-apply (\`--ref $to\` over its own output: "up to date") | $same ms | **${same_ratio}x** (target <= 0.1x) |
| fresh \`apply --ref $to\` (second series) | $fresh2 ms | 1 |
| upgrade: \`apply --ref $to\` over an output of $from (drift report, swap) | $upgrade ms | **${upgrade_ratio}x** |

The unchanged re-apply resolves the ref in the local repository, hashes the brand's inputs and
runs \`verify\`; it writes nothing. The upgrade is a fresh apply plus: the edit check and git
status of the previous tree, the drift report (about 0.7 s of CPU together), and removing the
previous tree after the swap ($old_files files; \`rm -rf\` of a copy of it alone: $rm_ms ms on
this disk). The old tree cannot go before the swap: a failed upgrade must leave it in place.
MD
write_section reapply "$section"
rm -f "$section"
sed -n '/<!-- reapply:start -->/,/<!-- reapply:end -->/p' BENCHMARKS.md
