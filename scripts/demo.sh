#!/usr/bin/env bash
# The main job on the embedded default: build, create the SQLite store, load
# regio Amersfoort, simulate its 2024 population (2,212 clients as in seed 001)
# and print unique clients per municipality × product next to the seed's table.
set -euo pipefail
cd "$(dirname "$0")/.."

DB="${REGIE_DB:-sqlite://regie.sqlite}"
cargo build --release --locked -p regie-cli
REGIE="${CARGO_TARGET_DIR:-target}/release/regie"
$REGIE --db "$DB" init
$REGIE --db "$DB" region load regions/amersfoort.toml
$REGIE --db "$DB" simulate --region regions/amersfoort.toml --clients 2212 --months 12 --seed 2024 --replace
$REGIE --db "$DB" stats --region amersfoort --year 2024
