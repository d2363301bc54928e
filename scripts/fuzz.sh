#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60), one after
# another, starting from the committed seeds (fuzz/seeds) plus whatever
# corpus earlier runs left in fuzz/corpus. Exits non-zero on the first
# target that finds a crash; the input is saved under fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS]            all targets
#   TARGETS="origin acrh" scripts/fuzz.sh 30
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); libFuzzer wants a nightly
# compiler, which RUSTC_BOOTSTRAP=1 stands in for on a stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-60}"
targets="${TARGETS:-origin acrh decision config s3_config browser path}"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo fuzz build
mkdir -p artifacts
for t in $targets; do
    mkdir -p "corpus/$t"
    echo "== $t: ${secs}s"
    cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
        2>&1 | tee "artifacts/$t.log" | grep -E "^(#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|stat::average_exec_per_sec|==|SUMMARY|Done)" || true
    if grep -qE "^(==[0-9]+==ERROR|SUMMARY: libFuzzer|thread '.*' panicked)" "artifacts/$t.log"; then
        echo "$t: crash, see fuzz/artifacts/$t.log and fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
echo "all targets ran ${secs}s each without a finding"
