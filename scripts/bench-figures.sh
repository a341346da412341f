#!/usr/bin/env bash
# Reproduces the figures numbers of BENCHMARKS.md (issue 6):
#   1. a village dashboard (its queries and charts) on a 3,000-family village, SQLite;
#   2. the district roll-up over 300 villages and ~1,000,000 families on PostgreSQL.
# The million-family registry is generated on SQLite (as in bench-assess.sh), its families and
# people are copied to PostgreSQL with COPY, and `puskesos assess` runs there (it writes the
# per-village tallies the roll-up reads). Open cases, referrals and complaints (one in thirty
# families each) are added so that the roll-up's live counts have rows to count.
#   BENCH_PG_ADMIN=postgres://postgres@127.0.0.1:5432/postgres bash scripts/bench-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="${BENCH_DIR:-bench-data}"
admin="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
name=puskesos_bench_figures
pg="${admin%/*}/$name"
mkdir -p "$work"
cargo build --release --locked
bin=target/release/puskesos
measure() { /usr/bin/time -f "    wall %e s, peak memory %M KB" "$@"; }

echo "== village dashboard: 3,000 families, SQLite"
rm -rf "$work/village-figures"
"$bin" --data-dir "$work/village-figures" demo --families 3000 >/dev/null
"$bin" --data-dir "$work/village-figures" bench-figures --runs 50

if [ ! -f "$work/assess/puskesos.sqlite" ]; then
  echo "== demo registry: 1,000,000 families in 300 villages (SQLite)"
  measure "$bin" --data-dir "$work/assess" demo --families 1000000 --villages 300 >/dev/null
fi
sqlite="$work/assess/puskesos.sqlite"

echo "== PostgreSQL database $name: schema, then families and people by COPY"
psql "$admin" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
"$bin" --database-url "$pg" assess >/dev/null
for table in families persons; do
  cols=$(sqlite3 "$sqlite" "SELECT group_concat(name, ',') FROM pragma_table_info('$table')")
  sqlite3 -csv "$sqlite" "SELECT $cols FROM $table" |
    psql "$pg" -qc "\\copy $table ($cols) FROM STDIN WITH (FORMAT csv)"
done
psql "$pg" -qtAc "SELECT COUNT(*) || ' families' FROM families" -c "ANALYZE"

echo "== puskesos assess on PostgreSQL (writes the per-village tallies)"
measure "$bin" --database-url "$pg" assess | grep -v '^ '

echo "== open work: cases, referrals and complaints for one family in thirty"
psql "$pg" -q <<'SQL'
INSERT INTO cases (kode_wilayah, id, nomor, opened_at, opened_by, channel, sector, summary,
  family_id, consent_purpose, state, updated_at)
SELECT kode_wilayah, 'bench-' || id, 'B-' || id, 0, 'bench', 'datang', 'kesehatan', 'bench',
  id, 'bench', 'referred', 0 FROM families WHERE MOD(CAST(SUBSTR(no_kk, 13, 4) AS INTEGER), 30) = 0;
INSERT INTO referrals (kode_wilayah, id, case_id, provider_id, sent_at, sent_by, due_at, status,
  token_hash, token_expires_at)
SELECT kode_wilayah, id, id, 'bench', 0, 'bench', 1, 'dikirim', id, 1 FROM cases WHERE opened_by = 'bench';
INSERT INTO complaints (kode_wilayah, id, ticket, code_hash, category, summary, opened_at,
  opened_by, deadline_at, status, updated_at)
SELECT kode_wilayah, id, id, 'x', 'pengaduan', 'bench', 0, 'bench', 1, 'diterima', 0
  FROM cases WHERE opened_by = 'bench';
ANALYZE;
SQL
psql "$pg" -qtAc "SELECT COUNT(*) || ' open cases, referrals and complaints each' FROM cases"

echo "== district roll-up on PostgreSQL"
village=$(psql "$pg" -qtAc "SELECT MIN(kode_wilayah) FROM families")
"$bin" --database-url "$pg" bench-figures --village "$village" --region 33.12 --runs 30
"$bin" --database-url "$pg" bench-figures --village "$village" --region 33 --runs 30
