#!/usr/bin/env bash
# The whole test suite: what the README's test command and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh

# Formatting and lints first: they take seconds and fail fast.
cargo fmt --all --check
(cd fuzz && cargo fmt --check)
cargo clippy --workspace --all-targets -- -D warnings

cargo test --workspace --all-targets
cargo test --workspace --doc
# The benchmarks must keep compiling with `cargo bench` (the tests above run
# each one once, untimed). Nothing is timed here, so they are built
# unoptimised, in a directory of their own so that a real `cargo bench`
# later is not mixed with these builds.
CARGO_PROFILE_BENCH_OPT_LEVEL=0 CARGO_PROFILE_BENCH_DEBUG=0 \
    cargo bench --workspace --no-run --target-dir "${CARGO_TARGET_DIR:-target}/bench-compile"

# With FUZZ_SECONDS set, every fuzz target runs that many seconds, from its
# seeds and the corpus of earlier runs. Not by default: on a fresh machine
# installing cargo-fuzz and building the sanitized targets costs about half
# an hour, twice the suite's budget (docs/security.md, Fuzzing).
if [ -n "${FUZZ_SECONDS:-}" ]; then
    bash scripts/fuzz.sh "$FUZZ_SECONDS"
fi

# Tests write their scratch files to temporary directories, never into the
# tree: anything untracked (and not ignored) left behind is a bug.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    left=$(git status --porcelain --untracked-files=all | sed -n 's/^?? //p')
    if [ -n "$left" ]; then
        echo "test.sh: the tests left untracked files in the tree:" >&2
        echo "$left" | sed 's/^/  /' >&2
        exit 1
    fi
fi
