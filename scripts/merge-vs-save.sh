#!/bin/sh
# How long a colleague's save waits while a large salon laptop file is merged (issue #9, item 7).
# Usage: scripts/merge-vs-save.sh [CAPTURES] [OFFICE_REQUESTS] [GUICHET_BINARY]
#   (defaults: 20000, 100000, target/release/guichet)
# Builds an office file of OFFICE_REQUESTS demo requests, a laptop prepared from it with CAPTURES
# visitors captured (imported into the laptop: person, request under the fair's event, a note),
# then merges the laptop while a colleague saves a follow-up every 0.5 s. Prints the merge's
# duration and result, and for the saves the longest wait and how many failed.
set -eu
. "$(dirname "$0")/saves-during.sh"
captures=${1:-20000}
office=${2:-100000}
bin=${3:-target/release/guichet}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export GUICHET_DB="$dir/guichet.sqlite3" XDG_DATA_HOME="$dir/data"
"$bin" demo --requests "$office" --seed 1 >/dev/null
ref=$("$bin" request add --type bourse --nom Collègue --prenom Ana)
"$bin" salon prepare --event "Grand salon" --date 14/03/2026 --out "$dir/portable.sqlite3" >/dev/null
awk -v n="$captures" 'BEGIN { print "date;type;nom;prenom;email;canal;evenement;commentaire";
  for (i = 0; i < n; i++) printf "14/03/2026;%s;Visiteur%d;Prénom%d;v%d@salon.example;salon;Grand salon;Vu au stand %d\n", (i % 2 ? "bourse" : "logement"), i, i, i, i }' >"$dir/saisies.csv"
"$bin" --db "$dir/portable.sqlite3" import "$dir/saisies.csv" >/dev/null
start=$(date +%s.%N)
"$bin" merge "$dir/portable.sqlite3" >"$dir/merge.out" 2>&1 &
merge=$!
saves_during "$merge" "$ref" "pendant la fusion"
wait "$merge" || true
end=$(date +%s.%N)
echo "merge of $captures captures into $office requests: $(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }') s ($(tail -1 "$dir/merge.out"))"
echo "saves during the merge: $saves, failed: $failed, longest wait: $(printf '%.2f' "$max") s"
echo "publishing transactions (from the log): $(grep -h 'merge published' "$dir"/data/guichet/*.log 2>/dev/null | tail -1 | grep -o 'transactions=[0-9]* longest_ms=[0-9]*')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
