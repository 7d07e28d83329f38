#!/usr/bin/env bash
# Benchmarks (release builds; numbers printed, nothing asserted):
#   simulate  — 1,000,000 Amersfoort clients into a fresh SQLite file, then the stats report
#   settle    — one month, 1,000,000 clients / 10,000,000 declaration lines (pure settlement)
#   iwmo      — validate 100,000 generated iWmo messages, side by side with xmllint
# Usage: scripts/bench.sh [simulate|settle|iwmo|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ "$what" == simulate || "$what" == all ]]; then
  cargo build --release --locked -p regie-cli
  db="sqlite://$tmp/bench.sqlite"
  ./target/release/regie --db "$db" --quiet simulate --region regions/amersfoort.toml --clients 1000000 --seed 7
  start=$(date +%s%N)
  ./target/release/regie --db "$db" stats --region amersfoort --year 2024 | head -8
  echo "stats over 1,000,000 clients: $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi
if [[ "$what" == settle || "$what" == all ]]; then
  cargo run --release --locked -p regie-settlement --bin settle-bench
fi
if [[ "$what" == iwmo || "$what" == all ]]; then
  eval "$(scripts/test-deps.sh)" >/dev/null
  cargo run --release --locked -p regie-iwmo --bin iwmo-bench -- 100000
fi
