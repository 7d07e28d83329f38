#!/usr/bin/env bash
# The whole test suite, both store backends (SQLite and PostgreSQL), plus
# formatting and lints. This is the project's one test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/test-deps.sh)"
export REGIE_REQUIRE_POSTGRES=1

cargo fmt --all -- --check
if ! command -v cargo-nextest >/dev/null 2>&1; then
  cargo install cargo-nextest --locked
fi
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo nextest run --workspace --locked --no-fail-fast
