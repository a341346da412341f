#!/usr/bin/env bash
# Audit log growth under the web benchmark's load (issue 21): 32 clients over loopback (wrk, as
# scripts/bench-web.sh) on a family page and a search for BENCH_SECONDS each, on a fresh demo
# village; prints the audit rows and bytes added, per hour, and checks the hash chain after.
# BIN=target/debug/puskesos to skip the release build (rows/bytes depend on folding, not speed).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
bin="${BIN:-target/release/puskesos}"
[ -n "${BIN:-}" ] || cargo build --release --locked
secs="${BENCH_SECONDS:-30}"
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
"$bin" --data-dir "$data" demo --families 500 >/dev/null
PUSKESOS_PASSWORD=kopi-tubruk-jam-tujuh "$bin" --data-dir "$data" user add --username bench \
  --name Bench --role ketua --region 33.12.01.2003 >/dev/null
port=18091
"$bin" --data-dir "$data" serve --addr 127.0.0.1:$port >/dev/null 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
jar="$data/jar"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/masuk" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=bench&password=kopi-tubruk-jam-tujuh&csrf=$token" "http://127.0.0.1:$port/masuk"
cookie="puskesos_sesi=$(awk '/puskesos_sesi/ {print $7}' "$jar")"
db="$data/puskesos.sqlite"
family=$(sqlite3 "$db" "SELECT id FROM families LIMIT 1")
size() { sqlite3 "$db" "SELECT COUNT(*), COALESCE(SUM(LENGTH(kode_wilayah)+LENGTH(id)+8+LENGTH(actor)+LENGTH(action)+LENGTH(entity)+LENGTH(entity_id)+COALESCE(LENGTH(detail),0)+8+LENGTH(chain)),0) FROM audit_log"; }
for path in "/keluarga/$family" "/registri?q=sri"; do
  read -r rows0 bytes0 <<<"$(size | tr '|' ' ')"
  echo "== GET $path for ${secs}s"
  wrk -t 2 -c 32 -d "${secs}s" -H "Cookie: $cookie" "http://127.0.0.1:$port$path" | grep -E "Requests/sec|requests in"
  sleep 1
  read -r rows1 bytes1 <<<"$(size | tr '|' ' ')"
  echo "audit rows +$((rows1 - rows0)), bytes +$((bytes1 - bytes0)) (fields) in ${secs}s:" \
    "$(( (rows1 - rows0) * 3600 / secs )) rows/h, $(( (bytes1 - bytes0) * 3600 / secs / 1024 )) KiB/h"
done
kill $pid; wait $pid 2>/dev/null || true
# The folds still open are written when the server stops; the chain must hold after all of it.
echo "after stop: $(size | tr '|' ' ') (rows bytes); database file $(( $(stat -c %s "$db") / 1024 )) KiB"
"$bin" --data-dir "$data" audit verify
