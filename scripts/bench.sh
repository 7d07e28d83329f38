#!/usr/bin/env bash
# Benchmarks (release builds; numbers printed, nothing asserted):
#   simulate  — 1,000,000 Amersfoort clients into a fresh SQLite file, then the stats report
#   settle    — one month, 1,000,000 clients / 10,000,000 declaration lines (pure settlement)
#   iwmo      — 100,000 generated iWmo messages: validate on 1 thread and all cores
#               next to xmllint in 1 and as many processes (3 interleaved rounds,
#               best and median), then validate+ingest all into a fresh SQLite file;
#               and the per-message-type breakdown (iwmo-bench)
# Usage: scripts/bench.sh [simulate|settle|iwmo|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
tmp="$(mktemp -d)"
regie="$(realpath -m "${CARGO_TARGET_DIR:-target}")/release/regie"
trap 'rm -rf "$tmp"' EXIT

if [[ "$what" == simulate || "$what" == all ]]; then
  cargo build --release --locked -p regie-cli
  db="sqlite://$tmp/bench.sqlite"
  "$regie" --db "$db" --quiet simulate --region regions/amersfoort.toml --clients 1000000 --seed 7
  start=$(date +%s%N)
  "$regie" --db "$db" stats --region amersfoort --year 2024 | head -8
  echo "stats over 1,000,000 clients: $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi
if [[ "$what" == settle || "$what" == all ]]; then
  cargo run --release --locked -p regie-settlement --bin settle-bench
fi
if [[ "$what" == iwmo || "$what" == all ]]; then
  eval "$(scripts/test-deps.sh)" >/dev/null
  cargo build --release --locked -p regie-cli
  "$regie" iwmo bench --count 100000 --quiet
  cargo run --release --locked -p regie-iwmo --bin iwmo-bench -- 100000
fi
