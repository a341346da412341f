#!/usr/bin/env bash
# The DCI API's speed target (issue 17): sync search by NIK, p50/p99 at 32 concurrent clients, on
# a 1,000,000-family district on PostgreSQL. The registry is made as in bench-figures.sh (demo on
# SQLite, COPY to PostgreSQL, assess there); a partner is seeded; wrk posts envelopes with a new
# message id and a random NIK of the district each time (each request is a write transaction:
# the message id, two audit rows and the transaction kept for status queries). Side by side, in
# the same run, the floor a DBA would reach for: pgbench running the same NIK lookup alone.
#   BENCH_PG_ADMIN=postgres://postgres@127.0.0.1:5432/postgres bash scripts/bench-dci.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="${BENCH_DIR:-bench-data}"
admin="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
families="${BENCH_FAMILIES:-1000000}"
seconds="${BENCH_SECONDS:-20}"
name=puskesos_bench_dci
pg="${admin%/*}/$name"
mkdir -p "$work"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -n 1)
cargo build --release --locked
bin=target/release/puskesos
measure() { /usr/bin/time -f "    wall %e s, peak memory %M KB" "$@"; }

src="$work/dci-src"
if [ ! -f "$src/puskesos.sqlite" ]; then
  echo "== demo registry: $families families in 300 villages (SQLite)"
  measure "$bin" --data-dir "$src" demo --families "$families" --villages 300 >/dev/null
fi
sqlite="$src/puskesos.sqlite"

# BENCH_REUSE=1 keeps the database of an earlier run (after a change of the server only).
if [ -z "${BENCH_REUSE:-}" ]; then
echo "== PostgreSQL database $name: schema, families and people by COPY, assess"
psql "$admin" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
"$bin" --database-url "$pg" assess >/dev/null
for table in families persons; do
  cols=$(sqlite3 "$sqlite" "SELECT group_concat(name, ',') FROM pragma_table_info('$table')")
  sqlite3 -csv "$sqlite" "SELECT $cols FROM $table" |
    psql "$pg" -qc "\\copy $table ($cols) FROM STDIN WITH (FORMAT csv)"
done
measure "$bin" --database-url "$pg" assess | grep -v '^ ' || true
psql "$pg" -qtAc "SELECT COUNT(*) || ' families' FROM families" -c "ANALYZE"
fi

token=$("$bin" --database-url "$pg" partner add --name Bench --id "bench-$$" --villages 33 \
  --fields desil,program,kelayakan,alamat | tail -n 1)
niks="$work/dci-niks.txt"
psql "$pg" -qtAc "SELECT nik FROM persons WHERE nik IS NOT NULL ORDER BY random() LIMIT 20000" > "$niks"

port=18098
"$bin" --database-url "$pg" serve --addr 127.0.0.1:$port >"$work/dci-serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.1; done

lua="$work/dci-search.lua"
{
  echo 'local niks = {}'
  echo "for line in io.lines(\"$niks\") do niks[#niks + 1] = line end"
  cat <<'LUA'
local n = 0
request = function()
  n = n + 1
  local id = string.format("%d-%d-%d", math.random(1e9), n, os.time())
  local nik = niks[math.random(#niks)]
  local body = '{"signature":"unsigned","header":{"version":"1.0.0","message_id":"' .. id ..
    '","message_ts":"2026-12-06T08:00:00Z","action":"search","sender_id":"' .. SENDER .. '","total_count":1},' ..
    '"message":{"transaction_id":"t' .. id .. '","search_request":[{"reference_id":"r1",' ..
    '"timestamp":"2026-12-06T08:00:00Z","search_criteria":{"query_type":"idtype-value",' ..
    '"query":{"type":"NIK","value":"' .. nik .. '"}}}]}}'
  return wrk.format("POST", "/registry/sync/search", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. TOKEN}, body)
end
LUA
} > "$lua"
sed -i "1i TOKEN = \"$token\" SENDER = \"bench-$$\"" "$lua"

echo "== sync search by NIK, 32 clients, ${seconds} s (Puskesos, PostgreSQL)"
curl -fs -X POST "http://127.0.0.1:$port/registry/sync/search" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"header\":{\"message_id\":\"warm\",\"message_ts\":\"2026-12-06T08:00:00Z\",\"action\":\"search\",\"sender_id\":\"bench-$$\",\"total_count\":1},\"message\":{\"transaction_id\":\"w\",\"search_request\":[{\"reference_id\":\"r\",\"timestamp\":\"2026-12-06T08:00:00Z\",\"search_criteria\":{\"query_type\":\"idtype-value\",\"query\":{\"type\":\"NIK\",\"value\":\"$(head -n 1 "$niks")\"}}}]}}" \
  | grep -o '"total_count":[0-9]*' | head -n 1
wrk -t 2 -c 32 -d "${seconds}s" --latency -s "$lua" "http://127.0.0.1:$port" \
  | grep -E "Requests/sec|^ +(50|75|90|99)%|Non-2xx|Socket errors"
echo "    server RSS: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
kill $pid; wait $pid 2>/dev/null || true

echo "== the same NIK lookup alone in pgbench, 32 clients, ${seconds} s (the floor)"
pgsql="$work/dci-lookup.sql"
awk 'BEGIN { print "\\set i random(1, 20000)" }' > "$pgsql"
psql "$pg" -qc "DROP TABLE IF EXISTS bench_niks" -c "CREATE TABLE bench_niks (i SERIAL PRIMARY KEY, nik TEXT)"
psql "$pg" -qc "\\copy bench_niks (nik) FROM '$niks'"
cat >> "$pgsql" <<'SQL'
SELECT f.id, f.desil, f.kode_wilayah FROM families f JOIN persons p ON p.family_id = f.id
  WHERE p.nik = (SELECT nik FROM bench_niks WHERE i = :i);
SQL
"$pgbench" -n -c 32 -j 2 -T "$seconds" -f "$pgsql" -r -P 0 "$pg" 2>/dev/null \
  | grep -E "latency average|tps =" || true
"$pgbench" -n -c 32 -j 2 -T 5 -f "$pgsql" --log --log-prefix="$work/pgbench" "$pg" >/dev/null 2>&1 || true
cat "$work"/pgbench.* 2>/dev/null | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {if (NR) printf "    pgbench p50 %.2f ms, p99 %.2f ms (%d lookups)\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000, NR}'
rm -f "$work"/pgbench.*
