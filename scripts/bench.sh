#!/usr/bin/env bash
# Reproduces the numbers in BENCHMARKS.md: builds the release binary, makes a 280,000-family
# demo registry (about 1.1 million people), exports it to CSV, imports it into an empty SQLite
# database, then measures NIK lookups, start-up time and binary size. Optional PostgreSQL run:
# BENCH_PG=postgres://postgres@127.0.0.1/postgres bash scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
families="${BENCH_FAMILIES:-280000}"
work="${BENCH_DIR:-bench-data}"
mkdir -p "$work"
cargo build --release --locked
bin=target/release/puskesos
measure() { /usr/bin/time -f "    wall %e s, peak memory %M KB" "$@"; }

echo "== binary size"
ls -l "$bin" | awk '{printf "    %.1f MB\n", $5 / 1048576}'

if [ ! -f "$work/people.csv" ]; then
  echo "== demo registry of $families families"
  rm -rf "$work/src"
  measure "$bin" --data-dir "$work/src" demo --families "$families" --seed 1
  measure "$bin" --data-dir "$work/src" export "$work/people.csv"
fi
echo "    $(($(wc -l < "$work/people.csv") - 1)) person rows, $(du -h "$work/people.csv" | cut -f1)"

echo "== import into an empty SQLite database"
rm -rf "$work/dst"
measure "$bin" --data-dir "$work/dst" import "$work/people.csv"

echo "== re-import of the same file (changes nothing)"
measure "$bin" --data-dir "$work/dst" import "$work/people.csv"

echo "== NIK lookup"
nik=$(sed -n "$(( $(wc -l < "$work/people.csv") / 2 ))p" "$work/people.csv" | cut -d, -f30)
"$bin" --data-dir "$work/dst" cari "$nik" --repeat 20000 2>&1 >/dev/null | tail -n 1
"$bin" --data-dir "$work/dst" cari 3312019999990001 --repeat 20000 2>&1 >/dev/null | tail -n 1

echo "== serve: time until the first answer on the existing database"
port=18089
start=$(date +%s%N)
"$bin" --data-dir "$work/dst" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.01; done
end=$(date +%s%N)
kill "$pid"; wait "$pid" 2>/dev/null || true
echo "    ready in $(( (end - start) / 1000000 )) ms"

echo "== export"
measure "$bin" --data-dir "$work/dst" export "$work/again.csv"
cmp -s "$work/people.csv" "$work/again.csv" && echo "    export after import is identical to the source file"

if [ -n "${BENCH_PG:-}" ]; then
  echo "== import into PostgreSQL (${BENCH_PG_ROWS:-100000} rows)"
  db=puskesos_bench
  psql "$BENCH_PG" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  head -n $(( ${BENCH_PG_ROWS:-100000} + 1 )) "$work/people.csv" > "$work/pg.csv"
  measure "$bin" --database-url "${BENCH_PG%/*}/$db" import "$work/pg.csv"
  nik=$(sed -n 2p "$work/pg.csv" | cut -d, -f30)
  "$bin" --database-url "${BENCH_PG%/*}/$db" cari "$nik" --repeat 5000 2>&1 >/dev/null | tail -n 1
fi
