#!/usr/bin/env bash
# Reproduces the assessment numbers of BENCHMARKS.md (issue 4): rule evaluation alone, the
# batch assessment of 1,000,000 families in 300 villages on SQLite, what-if on a 3,000-family
# village, and optionally the batch on PostgreSQL:
#   BENCH_PG=postgres://postgres@127.0.0.1/puskesos_bench bash scripts/bench-assess.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="${BENCH_DIR:-bench-data}"
families="${BENCH_ASSESS_FAMILIES:-1000000}"
mkdir -p "$work"
cargo build --release --locked
bin=target/release/puskesos
measure() { /usr/bin/time -f "    wall %e s, peak memory %M KB" "$@"; }

echo "== rule evaluation alone, one thread"
"$bin" bench-rules --families 3000 --rounds 500
"$bin" bench-rules --families 100000 --rounds 20

if [ ! -f "$work/assess/puskesos.sqlite" ]; then
  echo "== demo registry: $families families in 300 villages"
  measure "$bin" --data-dir "$work/assess" demo --families "$families" --villages 300 >/dev/null
fi
echo "== puskesos assess over the whole registry (SQLite)"
measure "$bin" --data-dir "$work/assess" assess | grep -v '^ '

echo "== what-if: Sembako for desil 1-5 on a 3,000-family village"
rm -rf "$work/village"
"$bin" --data-dir "$work/village" demo --families 3000 >/dev/null
sed 's/desil_efektif <= 4/desil_efektif <= 5/; s/version = "2025.1"/version = "whatif"/' \
  crates/domain/rules/2025/bpnt.toml > "$work/bpnt-whatif.toml"
for _ in 1 2 3; do "$bin" --data-dir "$work/village" whatif "$work/bpnt-whatif.toml" 2>&1 | tail -n 1; done

if [ -n "${BENCH_PG:-}" ]; then
  echo "== PostgreSQL: demo of ${BENCH_PG_FAMILIES:-50000} families in 15 villages, then assess"
  "$bin" --database-url "$BENCH_PG" demo --families "${BENCH_PG_FAMILIES:-50000}" --villages 15 >/dev/null
  measure "$bin" --database-url "$BENCH_PG" assess | grep -v '^ '
fi
