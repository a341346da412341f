#!/usr/bin/env bash
# Regenerate crates/domain/data/wilayah.tsv (Indonesian region master data,
# Kepmendagri 300.2.2-2138/2025) from the npm package idn-area-data@4.0.1.
#
# Needs: npm (registry access), openssl, base64, tar, python3 (stdlib only).
# Output: one line per region, "CODE<TAB>NAME", dotted Kemendagri codes,
# sorted by code in byte order (LC_ALL=C).
set -euo pipefail

PKG="idn-area-data"
VERSION="4.0.1"
# SRI integrity of idn-area-data-4.0.1.tgz, as published by the registry
# (npm view idn-area-data@4.0.1 dist.integrity) and checked by hashing the tarball.
PINNED_INTEGRITY="sha512-PhNSIl5T7swVwwWxJOFMtCaeHAF9TUu0HLDf+36EIWZro9j7au83AFIJiBQGL+iRsBDA2OlpJ5fjiqxNYndzOQ=="

EXPECT_PROVINCES=38
EXPECT_REGENCIES=514
EXPECT_DISTRICTS=7285
EXPECT_VILLAGES=83762

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$REPO_ROOT/crates/domain/data/wilayah.tsv"

die() { echo "gen-wilayah: ERROR: $*" >&2; exit 1; }

for tool in npm openssl base64 tar python3 sort; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "gen-wilayah: fetching $PKG@$VERSION ..." >&2
( cd "$TMP" && npm pack --silent "$PKG@$VERSION" >/dev/null )
TARBALL="$TMP/$PKG-$VERSION.tgz"
[[ -f "$TARBALL" ]] || die "npm pack did not produce $TARBALL"

ACTUAL_INTEGRITY="sha512-$(openssl dgst -sha512 -binary "$TARBALL" | base64 | tr -d '\n')"
if [[ "$ACTUAL_INTEGRITY" != "$PINNED_INTEGRITY" ]]; then
  echo "gen-wilayah: CHECKSUM MISMATCH for $PKG-$VERSION.tgz" >&2
  echo "  expected: $PINNED_INTEGRITY" >&2
  echo "  actual:   $ACTUAL_INTEGRITY" >&2
  exit 1
fi
echo "gen-wilayah: integrity OK ($PINNED_INTEGRITY)" >&2

mkdir -p "$TMP/x"
tar -xzf "$TARBALL" -C "$TMP/x"
DATA="$TMP/x/package/data"
for f in provinces regencies districts villages; do
  [[ -f "$DATA/$f.csv" ]] || die "missing $f.csv in package"
done

mkdir -p "$(dirname "$OUT")"
UNSORTED="$TMP/wilayah.unsorted.tsv"

python3 - "$DATA" "$UNSORTED" <<'PY'
import csv, re, sys

data_dir, out_path = sys.argv[1], sys.argv[2]

# file, expected header, parent-code column, code regex
LEVELS = [
    ("provinces", ["code", "name"], None, r"\d{2}"),
    ("regencies", ["code", "province_code", "name"], "province_code", r"\d{2}\.\d{2}"),
    ("districts", ["code", "regency_code", "name"], "regency_code", r"\d{2}\.\d{2}\.\d{2}"),
    ("villages", ["code", "district_code", "name"], "district_code", r"\d{2}\.\d{2}\.\d{2}\.\d{4}"),
]

def fail(msg):
    sys.exit(f"gen-wilayah: ERROR: {msg}")

seen = {}
rows = []
for name, header, parent_col, pattern in LEVELS:
    rx = re.compile(pattern)
    with open(f"{data_dir}/{name}.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != header:
            fail(f"{name}.csv: unexpected columns {reader.fieldnames}, want {header}")
        for rec in reader:
            code = rec["code"].strip()
            label = rec["name"].strip()
            if any(c in label for c in "\t\r\n"):
                fail(f"{name}.csv: tab/newline in name of {code}")
            if not rx.fullmatch(code):
                fail(f"{name}.csv: bad code {code!r}")
            if not label:
                fail(f"{name}.csv: empty name for {code}")
            if code in seen:
                fail(f"{name}.csv: duplicate code {code}")
            if parent_col is not None:
                parent = rec[parent_col].strip()
                if code.rsplit(".", 1)[0] != parent or parent not in seen:
                    fail(f"{name}.csv: {code} has bad parent {parent!r}")
            seen[code] = label
            rows.append(f"{code}\t{label}\n")

with open(out_path, "w", encoding="utf-8", newline="\n") as out:
    out.writelines(rows)
PY

LC_ALL=C sort -t $'\t' -k1,1 "$UNSORTED" > "$TMP/wilayah.tsv"
mv "$TMP/wilayah.tsv" "$OUT"

# Counts per level, from the generated file (dots in the code: 0..3).
read -r P R D V < <(awk -F'\t' '{ n = gsub(/\./, ".", $1); c[n]++ }
  END { printf "%d %d %d %d\n", c[0], c[1], c[2], c[3] }' "$OUT")

echo "provinsi:          $P"
echo "kabupaten/kota:    $R"
echo "kecamatan:         $D"
echo "desa/kelurahan:    $V"
echo "total:             $((P + R + D + V))  -> $OUT"

if [[ "$P" -ne $EXPECT_PROVINCES || "$R" -ne $EXPECT_REGENCIES \
   || "$D" -ne $EXPECT_DISTRICTS || "$V" -ne $EXPECT_VILLAGES ]]; then
  die "counts differ from expected $EXPECT_PROVINCES/$EXPECT_REGENCIES/$EXPECT_DISTRICTS/$EXPECT_VILLAGES"
fi
echo "gen-wilayah: OK" >&2
