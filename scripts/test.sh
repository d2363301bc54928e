#!/usr/bin/env bash
# The whole test suite: what the README's test command and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
cargo test --workspace --all-targets
cargo test --workspace --doc
# The benchmarks must keep compiling with `cargo bench` (the tests above run
# each one once, untimed). Nothing is timed here, so they are built
# unoptimised, in a directory of their own so that a real `cargo bench`
# later is not mixed with these builds.
CARGO_PROFILE_BENCH_OPT_LEVEL=0 CARGO_PROFILE_BENCH_DEBUG=0 \
    cargo bench --workspace --no-run --target-dir "${CARGO_TARGET_DIR:-target}/bench-compile"
