#!/bin/sh
# How long a colleague's save waits while a large spreadsheet is imported (issue #9, item 7).
# Usage: scripts/import-vs-save.sh [ROWS] [GUICHET_BINARY]   (defaults: 200000, target/release/guichet)
# Prints the import's duration and, for saves attempted every 0.5 s during it, the longest wait
# and how many failed.
set -eu
. "$(dirname "$0")/saves-during.sh"
rows=${1:-200000}
bin=${2:-target/release/guichet}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export GUICHET_DB="$dir/guichet.sqlite3" XDG_DATA_HOME="$dir/data"
"$bin" init >/dev/null
ref=$("$bin" request add --type bourse --nom Collègue --prenom Ana)
awk -v n="$rows" 'BEGIN { print "date;type;nom;prenom;email";
  for (i = 0; i < n; i++) printf "%02d/%02d/2025;bourse;Nom%d;Prénom%d;p%d@exemple.fr\n", 1 + i % 28, 1 + i % 12, i, i, i }' >"$dir/in.csv"
start=$(date +%s.%N)
"$bin" import csv "$dir/in.csv" >"$dir/import.out" 2>&1 &
import=$!
saves_during "$import" "$ref" "pendant l'import"
wait "$import" || true
end=$(date +%s.%N)
echo "import of $rows rows: $(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }') s ($(cat "$dir/import.out" | tail -1))"
echo "saves during the import: $saves, failed: $failed, longest wait: $(printf '%.1f' "$max") s"
