#!/usr/bin/env bash
# User-space instructions per request of `crossgate serve` and of nginx, for
# the same policy in front of the same upstream, counted by callgrind:
# unlike requests/s on a shared machine, the same binary and traffic give
# (nearly) the same count, so the servers' own work is compared without
# scheduling noise. Kernel time (the TCP stack, wake-ups) is not counted;
# it is about the same per request for both (same system calls).
#
#   bash bench/gateway-icount.sh
#
# Environment (all optional): SECONDS_PER_RUN=4, CONNS=16,
# CROSSGATE_BIN (a binary to use instead of building one).
#
# Each server runs alone under valgrind (nginx with master_process off, one
# worker; crossgate with --workers 1); wrk warms it up for 2 s (pools,
# buffers), the counters are zeroed, wrk runs SECONDS_PER_RUN seconds, the
# counters are dumped, and the total is divided by the requests wrk
# completed. Loopback only. Prints a Markdown table (also written to
# target/gateway-icount.md).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS="${SECONDS_PER_RUN:-4}"
# No access log, as for nginx (access_log off).
export CROSSGATE_LOG=warn
CONNS="${CONNS:-16}"
target_dir="${CARGO_TARGET_DIR:-target}"

. bench/gateway-lib.sh
gw_install nginx wrk curl valgrind
NGINX=$(gw_nginx_bin)

echo "gateway-icount: building the upstream and crossgate (release)" >&2
cargo build --release -q -p crossgate-bench --bin upstream
gw_crossgate

gw_workdir

UP_PORT=$(gw_free_port)
"$target_dir/release/upstream" "127.0.0.1:$UP_PORT" 1 2>"$work/upstream.log" &
pids+=($!)
gw_wait_port "$UP_PORT" || { echo "gateway-icount: the upstream did not start" >&2; exit 1; }
gw_wrk_scripts "$work"

# measure NAME KIND PORT -- COMMAND...: instructions per request.
measure() {
    local name=$1 kind=$2 port=$3
    shift 4
    rm -f "$work"/cg.out*
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" >"$work/$name.log" 2>&1 &
    local vg=$!
    gw_wait_port "$port" || { echo "gateway-icount: $name did not start under valgrind:" >&2; tail -5 "$work/$name.log" >&2; kill "$vg"; return 1; }
    wrk -t1 -c"$CONNS" -d2s -s "$work/$kind.lua" "http://127.0.0.1:$port/" >/dev/null
    callgrind_control -z "$vg" >/dev/null
    local out n ir
    out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$work/$kind.lua" "http://127.0.0.1:$port/")
    callgrind_control -d "$vg" >/dev/null
    sleep 0.5
    n=$(echo "$out" | grep -oE '[0-9]+ requests in' | grep -oE '^[0-9]+')
    ir=$(callgrind_annotate "$(ls -t "$work"/cg.out.* | head -1)" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
    kill -INT "$vg" 2>/dev/null || true
    wait "$vg" 2>/dev/null || true
    echo -e "$name\t$kind\t$n\t$ir"
}

# Older binaries have no --workers; Tokio's variable sets one worker thread.
workers_flag=()
"$CROSSGATE_BIN" serve --help 2>/dev/null | grep -q -- '--workers' && workers_flag=(--workers 1)
export TOKIO_WORKER_THREADS=1

results="$work/results.tsv"
for kind in actual preflight; do
    NGX_PORT=$(gw_free_port)
    gw_nginx_conf "$work" "$NGX_PORT" "$UP_PORT" 1 "master_process off;" >"$work/nginx.conf"
    measure nginx "$kind" "$NGX_PORT" -- "$NGINX" -c "$work/nginx.conf" -p "$work" >>"$results"
    CG_PORT=$(gw_free_port)
    gw_crossgate_conf "$CG_PORT" "$UP_PORT" >"$work/crossgate.toml"
    measure crossgate "$kind" "$CG_PORT" -- "$CROSSGATE_BIN" serve --config "$work/crossgate.toml" "${workers_flag[@]}" >>"$results"
    tail -2 "$results" >&2
done

mkdir -p "$target_dir"
python3 - "$results" "$SECS" "$CONNS" <<'PY' | tee "$target_dir/gateway-icount.md"
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
per = {(k, n): int(ir) / int(req) for n, k, req, ir in rows}
print(f"callgrind, user space only; wrk -t1 -c{sys.argv[3]}, {sys.argv[2]} s after a 2 s warm-up; one nginx worker, crossgate --workers 1.\n")
print("| request | nginx instructions/request | crossgate instructions/request | crossgate ÷ nginx |")
print("|---|---:|---:|---:|")
for kind in ("actual", "preflight"):
    n, c = per[(kind, "nginx")], per[(kind, "crossgate")]
    print(f"| {kind} | {n:,.0f} | {c:,.0f} | {c / n:.2f} |")
PY
