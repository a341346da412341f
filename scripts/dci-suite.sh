#!/usr/bin/env bash
# OpenSPP's DCI conformance suite (social-registry profile) against a real Puskesos server:
# a demo registry on SQLite (or PostgreSQL with PUSKESOS_DATABASE_URL), a seeded test partner
# and the suite's seed identifier (UIN TEST-001). Used by .ci/run; runs alone too:
#   bash scripts/dci-suite.sh            (builds the binary if needed)
# The suite is copied to a writable folder first (shared/ is read-only in CI).
set -euo pipefail
cd "$(dirname "$0")/.."

suite_src="${DCI_SUITE:-}"
for candidate in "$suite_src" ../shared/specs/dci/spdci-compliance /work/shared/specs/dci/spdci-compliance; do
  if [ -n "$candidate" ] && [ -f "$candidate/package.json" ]; then suite_src="$candidate"; break; fi
done
[ -f "$suite_src/package.json" ] || { echo "DCI suite not found (set DCI_SUITE)"; exit 1; }

if ! command -v npm >/dev/null 2>&1; then
  echo "Node.js is not installed: installing it from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
fi
node --version

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cp -r "$suite_src" "$work/suite"
(cd "$work/suite" && npm ci --no-audit --no-fund --loglevel=error)

cargo build -p puskesos --locked --quiet
bin=target/debug/puskesos
data="$work/data"
port="${DCI_PORT:-18099}"
callback_port="${CALLBACK_SERVER_PORT:-3336}"

# With DCI_PG set (a PostgreSQL server URL), the registry lives in a fresh database there.
if [ -n "${DCI_PG:-}" ]; then
  psql "$DCI_PG" -qc "DROP DATABASE IF EXISTS puskesos_dci" -c "CREATE DATABASE puskesos_dci" >/dev/null
  export PUSKESOS_DATABASE_URL="${DCI_PG%/*}/puskesos_dci"
  echo "engine: PostgreSQL"
else
  unset PUSKESOS_DATABASE_URL
  echo "engine: SQLite"
fi
"$bin" --data-dir "$data" demo --families 200 >/dev/null
first_nik="SELECT nik FROM persons WHERE nik IS NOT NULL ORDER BY nik LIMIT 1"
if [ -n "${PUSKESOS_DATABASE_URL:-}" ]; then
  nik=$(psql "$PUSKESOS_DATABASE_URL" -qtAc "$first_nik")
else
  nik=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$data/puskesos.sqlite" "$first_nik")
fi
"$bin" --data-dir "$data" identifier add --nik "$nik" --type UIN --value TEST-001
token=$("$bin" --data-dir "$data" partner add --name "SPDCI compliance suite" --id test-client \
  --villages 33.12 --fields semua --callback "http://127.0.0.1:$callback_port" | tail -n 1)

"$bin" --data-dir "$data" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; exit 1; }

# The suite sends one fixed signature value with every message, so it cannot sign per
# message: the partner has no public key and says "unsigned" (signed partners are proven by
# crates/web/tests/web/dci.rs). DCI_SIGNATURE_VALIDATION_ENABLED runs the signature scenarios.
cd "$work/suite"
status=0
API_BASE_URL="http://127.0.0.1:$port/" DOMAIN=social DCI_AUTH_TOKEN="$token" \
  DCI_SIGNATURE=unsigned DCI_SIGNATURE_VALIDATION_ENABLED=true DCI_SENDER_ID=test-client \
  CALLBACK_SERVER_ENABLED=true CALLBACK_SERVER_PORT="$callback_port" CALLBACK_WAIT_MS=30000 \
  QUIET_LOGS=1 npm run --silent test:social >"$work/suite.log" 2>&1 || status=$?
grep -E "^[0-9]+ (scenarios|steps)" "$work/suite.log" || true
if [ "$status" -ne 0 ]; then
  grep -n -A6 "✖" "$work/suite.log" | head -80
  echo "--- server log"; tail -n 40 "$work/server.log"
  exit "$status"
fi
grep -q "(28 passed)" "$work/suite.log" || echo "note: the suite's scenario count changed"
