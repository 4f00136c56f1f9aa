#!/usr/bin/env bash
# Whole-process timings of the command line on a 100,000-request file (the targets of the
# foundation issue). Usage: scripts/bench-cli.sh [N]   (default N = 100000)
# Uses hyperfine when installed (apt-get install hyperfine), else bash's `time`.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release --quiet
bin=target/release/guichet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export GUICHET_DB="$dir/bench.sqlite3" XDG_DATA_HOME="$dir/data" GUICHET_TODAY=2026-11-22

echo "== demo --requests $n (target: under 20 s)"
time "$bin" demo --requests "$n" --seed 1

weekly=("$bin" report weekly --from 2025-11-23 --to 2026-11-22 --format json)
agent=("$bin" list --agent "Karim Benali" --open --format json)
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs 20 -N \
    --command-name "report weekly, one year (target: under 300 ms)" "${weekly[*]}" \
    --command-name "list of one agent's open requests (target: under 100 ms)" "$(printf '%q ' "${agent[@]}")"
else
  echo "== report weekly over a year (target: under 300 ms)"
  for _ in 1 2 3; do time "${weekly[@]}" >/dev/null; done
  echo "== list of one agent's open requests (target: under 100 ms)"
  for _ in 1 2 3; do time "${agent[@]}" >/dev/null; done
fi
echo "requests of that agent still open: $("${agent[@]}" | grep -c '"reference"')"
