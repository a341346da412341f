#!/usr/bin/env bash
# Web speed on a large registry: p50/p99 latency of the registry search and the family page with
# 32 concurrent clients over loopback (wrk), and the server's memory. Uses the database that
# scripts/bench.sh leaves in bench-data/dst (280,000 families); run that first.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
bin=target/release/puskesos
data="${BENCH_DIR:-bench-data}/dst"
[ -f "$data/puskesos.sqlite" ] || { echo "run scripts/bench.sh first"; exit 1; }
cargo build --release --locked
PUSKESOS_PASSWORD=kopi-tubruk-jam-tujuh "$bin" --data-dir "$data" user add --username bench \
  --name Bench --role ketua --region 33.12.01.2003 >/dev/null 2>&1 || true
port=18090
"$bin" --data-dir "$data" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
jar=$(mktemp)
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/masuk" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=bench&password=kopi-tubruk-jam-tujuh&csrf=$token" "http://127.0.0.1:$port/masuk"
cookie="puskesos_sesi=$(awk '/puskesos_sesi/ {print $7}' "$jar")"
nik=$(sqlite3 "$data/puskesos.sqlite" "SELECT nik FROM persons LIMIT 1 OFFSET 500000" 2>/dev/null || echo 3312016306040027)
family=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/keluarga?q=$nik" | sed 's/.*"id":"\([^"]*\)".*/\1/')
echo "server RSS at start: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
# Fast requests first: a slow one leaves queued work behind that would colour the next run.
for path in "/keluarga/$family" "/registri?q=$nik" "/registri?rt=003&rw=002" "/registri?q=purwanti" "/registri?q=sri+wahyuni" "/api/v1/keluarga?q=darsono"; do
  echo "== GET $path"
  wrk -t 2 -c 32 -d "${BENCH_SECONDS:-10}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
done
echo "server RSS after: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
