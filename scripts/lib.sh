# Shared by the benchmark scripts: timing, memory and BENCHMARKS.md sections.
# Source it after setting `runs`.

# Times two commands alternately, `sync`ing dirty pages before each run so that one run's
# writeback does not land in the next one's time. `prep_a`/`prep_b` run untimed before each
# run (e.g. removing or restoring an output). Prints "median_a median_b ratio_median" in ms,
# where ratio_median is the median of the per-pair ratios a/b.
interleaved() {
  local prep_a=$1 cmd_a=$2 prep_b=$3 cmd_b=$4 a=() b=() r=() t0 t1 ta tb
  for _ in $(seq "$runs"); do
    sh -c "$prep_a"; sync
    t0=$(date +%s%N); sh -c "$cmd_a" >/dev/null 2>&1; t1=$(date +%s%N); ta=$(( (t1 - t0) / 1000 ))
    sh -c "$prep_b"; sync
    t0=$(date +%s%N); sh -c "$cmd_b" >/dev/null 2>&1; t1=$(date +%s%N); tb=$(( (t1 - t0) / 1000 ))
    a+=("$ta"); b+=("$tb"); r+=("$(awk -v x="$ta" -v y="$tb" 'BEGIN {printf "%.4f", x / y}')")
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
  echo "$(awk -v m="$(med "${a[@]}")" 'BEGIN {printf "%.1f", m / 1000}')" \
       "$(awk -v m="$(med "${b[@]}")" 'BEGIN {printf "%.1f", m / 1000}')" \
       "$(awk -v m="$(med "${r[@]}")" 'BEGIN {printf "%.3f", m}')"
}

# Peak resident set of a command, in KiB.
peak_kib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

# Replaces the section between <!-- NAME:start --> and <!-- NAME:end --> of BENCHMARKS.md
# with the contents of FILE (appended when the file has no such section yet), so each script
# keeps the others' results.
write_section() {
  local name=$1 file=$2 md=BENCHMARKS.md
  [ -f "$md" ] || printf '# Benchmarks\n' >"$md"
  if grep -q "<!-- $name:start -->" "$md"; then
    awk -v name="$name" -v file="$file" '
      $0 == "<!-- " name ":start -->" { print; while ((getline line < file) > 0) print line; skip = 1; next }
      $0 == "<!-- " name ":end -->" { skip = 0 }
      !skip { print }' "$md" >"$md.tmp" && mv "$md.tmp" "$md"
  else
    { printf '\n<!-- %s:start -->\n' "$name"; cat "$file"; printf '<!-- %s:end -->\n' "$name"; } >>"$md"
  fi
}
