# Sourced by import-vs-save.sh and merge-vs-save.sh: a colleague saves a follow-up on REF every
# 0.5 s while process PID runs. Sets `saves`, `failed` and `max` (the longest wait, in seconds).
# Needs `bin` (the guichet binary) and GUICHET_DB set.
saves_during() {
  pid=$1; ref=$2; text=$3
  max=0; failed=0; saves=0
  while kill -0 "$pid" 2>/dev/null; do
    t0=$(date +%s.%N)
    if ! "$bin" follow-up add "$ref" --kind note --text "$text" >/dev/null 2>&1; then failed=$((failed + 1)); fi
    t1=$(date +%s.%N)
    saves=$((saves + 1))
    max=$(echo "$max $t0 $t1" | awk '{ d = $3 - $2; print (d > $1) ? d : $1 }')
    sleep 0.5
  done
}
