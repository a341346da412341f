#!/usr/bin/env bash
# Fuzz the parsers of untrusted input (issue 21): NIK/KK, the import row parser, the rule
# language, the form decoders (fuzz/src/lib.rs: each checks a property, not only "no panic").
# `bash scripts/fuzz.sh [SECONDS per target] [TARGET]`, default 10 s.
# With a nightly toolchain and cargo-fuzz installed, libFuzzer (coverage-guided) runs the same
# targets; otherwise the stable mutation driver (fuzz/src/bin/stable.rs) does. A finding is
# saved under fuzz/artifacts/<target>/ and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-10}"
only="${2:-}"
if cargo +nightly fuzz --version >/dev/null 2>&1; then
  for t in nik_kk import_row rule_lang form; do
    [ -z "$only" ] || [ "$only" = "$t" ] || continue
    cargo +nightly fuzz run --features libfuzzer "$t" "corpus/$t" -- -max_total_time="$secs"
  done
else
  echo "no nightly cargo-fuzz here: running the stable mutation driver"
  cargo build --release --locked --target-dir ../target/fuzz --bin stable
  ../target/fuzz/release/stable "$secs" $only
fi
