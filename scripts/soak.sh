#!/usr/bin/env bash
# A soak of `serve --demo` (not CI): 32 clients (scripts/soak.py, Python's standard library),
# each with its own session, mixing reads (family pages, registry search, dashboard) and writes
# (case intake, family edits with a reason) for SOAK_SECONDS (default 600, the target of issue
# 21), each client its own Ketua account. Prints requests, errors and latency per kind, the server's resident memory over the run,
# and the database's size before and after; exits 1 on any error or on a server error logged.
#   SOAK_SECONDS=120 bash scripts/soak.sh
# SOAK_CLIENTS changes the number of clients, SOAK_DIR the data folder (default
# target/soak, made anew), SOAK_PORT the port (18095).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${SOAK_SECONDS:-600}"
clients="${SOAK_CLIENTS:-32}"
port="${SOAK_PORT:-18095}"
dir="${SOAK_DIR:-target/soak}"
bin=target/release/puskesos
cargo build --release --locked
rm -rf "$dir"
mkdir -p "$dir"
"$bin" --data-dir "$dir" serve --demo --addr "127.0.0.1:$port" >"$dir/server.out" 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do
  kill -0 $pid 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 0.2
done
db="$dir/puskesos.sqlite"
# One Ketua account per client: logins are limited per account, and each client has its own
# session as a real officer would.
for i in $(seq -w 1 "$clients"); do
  PUSKESOS_PASSWORD=kopi-tubruk-jam-tujuh "$bin" --data-dir "$dir" user add --username "soak$i" \
    --name "Petugas Uji $i" --role ketua --region 33.12.01.2003 >/dev/null
done
size() { du -k "$db" "$db-wal" 2>/dev/null | awk '{s += $1} END {print s}'; }
rows() { python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$db?mode=ro', uri=True); print(*[c.execute(f'SELECT COUNT(*) FROM {t}').fetchone()[0] for t in sys.argv[1:]])" "$@"; }
read -r audit0 cases0 <<<"$(rows audit_log cases)"
echo "database before: $(( $(size) / 1024 )) MB (file and WAL), audit rows $audit0, cases $cases0"
echo "server RSS at start: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
status=0
python3 scripts/soak.py --base "http://127.0.0.1:$port" --seconds "$seconds" --clients "$clients" \
  --pid "$pid" --db "$db" || status=1
read -r audit1 cases1 <<<"$(rows audit_log cases)"
echo "database after: $(( $(size) / 1024 )) MB (file and WAL), audit rows $audit1 (+$((audit1 - audit0))), cases $cases1 (+$((cases1 - cases0)))"
edited=$(python3 -c "import sqlite3; c=sqlite3.connect('file:$db?mode=ro', uri=True); print(c.execute(\"SELECT COUNT(*) FROM families WHERE alamat LIKE 'Dusun Uji %'\").fetchone()[0])")
echo "families whose address the clients changed: $edited"
echo "server RSS at end: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
faults=$(grep -c -E "ERROR|panicked" "$dir/server.log" || true)
echo "server log: $faults errors"
[ "$faults" = 0 ] || { grep -m 5 -E "ERROR|panicked" "$dir/server.log"; status=1; }
kill $pid
wait $pid 2>/dev/null || true
trap - EXIT
exit $status
