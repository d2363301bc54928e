#!/usr/bin/env bash
# Gateway load test, loopback only: `crossgate serve` against nginx configured
# for the same CORS policy the way operators do it, both in front of the same
# minimal upstream, measured with wrk; the upstream alone is the ceiling.
#
#   bash bench/gateway.sh
#
# Environment (all optional):
#   DURATION=5      seconds per wrk run (bounded; every run stops by itself)
#   ROUNDS=2        A/B rounds: nginx, crossgate, nginx, crossgate, ...
#   CONNS="8 64"    connection counts
#   WORKERS=1       nginx worker processes = crossgate (tokio) worker threads
#   PIN=1           on 2+ cores: the server under test (nginx or crossgate) on
#                   CPU 0, wrk and the upstream on CPU 1 (taskset); PIN=0: no
#                   pinning
#   CROSSGATE_BIN   a crossgate binary to use instead of building one
#
# Prints a Markdown table (also written to target/gateway.md): requests/s,
# p50 and p99 latency, and the server's CPU time per request (user + system,
# from /proc, all of its processes and threads). wrk runs one thread; the
# upstream one thread. Debian's nginx and wrk are installed if missing.
#
# Both servers run without an access log (nginx: access_log off; crossgate:
# CROSSGATE_LOG=warn, which turns off its per-request access-log line).
#
# The policy, in both servers: origin https://app.example.com, methods GET
# POST PUT DELETE, request headers content-type and x-requested-with,
# credentials, max-age 600. Preflights are answered by the server itself and
# never reach the upstream.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-5}"
ROUNDS="${ROUNDS:-2}"
CONNS="${CONNS:-8 64}"
WORKERS="${WORKERS:-1}"
PIN="${PIN:-1}"
target_dir="${CARGO_TARGET_DIR:-target}"

# ------------------------------------------------------------------ tools
. bench/gateway-lib.sh
gw_install nginx wrk curl
NGINX=$(gw_nginx_bin)

# Two cores: the load generator competes with the server. Give the server
# under test one core and wrk plus the upstream the other, identically for
# both servers.
server_cpu=() load_cpu=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
    server_cpu=(taskset -c 0)
    load_cpu=(taskset -c 1)
fi

echo "gateway: building the upstream and crossgate (release)" >&2
cargo build --release -q -p crossgate-bench --bin upstream
UPSTREAM_BIN="$target_dir/release/upstream"
gw_crossgate

# ------------------------------------------------------------------ setup
gw_workdir

UP_PORT=$(gw_free_port)
NGX_PORT=$(gw_free_port)
CG_PORT=$(gw_free_port)

"${load_cpu[@]}" "$UPSTREAM_BIN" "127.0.0.1:$UP_PORT" 1 2>"$work/upstream.log" &
pids+=($!)
UP_PID=$!
gw_wait_port "$UP_PORT" || { echo "gateway: the upstream did not start" >&2; exit 1; }

gw_nginx_conf "$work" "$NGX_PORT" "$UP_PORT" "$WORKERS" >"$work/nginx.conf"
"${server_cpu[@]}" "$NGINX" -c "$work/nginx.conf" -p "$work" 2>"$work/nginx-start.log" &
pids+=($!)
NGX_PID=$!
gw_wait_port "$NGX_PORT" || { echo "gateway: nginx did not start:" >&2; cat "$work/nginx-start.log" "$work/nginx-error.log" >&2; exit 1; }

gw_crossgate_conf "$CG_PORT" "$UP_PORT" >"$work/crossgate.toml"
CG_PID=""
# An option line `  --config <FILE>` in the help, not a mention in prose.
if "$CROSSGATE_BIN" serve --help 2>/dev/null | grep -qE '^\s+(-[a-zA-Z], )?--config\b'; then
    # --workers 1 is a single-threaded runtime; older binaries without the
    # flag get the same thread count from Tokio's variable.
    workers_flag=()
    "$CROSSGATE_BIN" serve --help 2>/dev/null | grep -q -- '--workers' && workers_flag=(--workers "$WORKERS")
    TOKIO_WORKER_THREADS=$WORKERS CROSSGATE_LOG=warn \
        "${server_cpu[@]}" "$CROSSGATE_BIN" serve --config "$work/crossgate.toml" "${workers_flag[@]}" >"$work/crossgate.log" 2>&1 &
    pids+=($!)
    started=$!
    if gw_wait_port "$CG_PORT"; then
        CG_PID=$started
    else
        echo "gateway: crossgate serve --config did not come up; skipping it:" >&2
        tail -5 "$work/crossgate.log" >&2
    fi
else
    echo "gateway: this crossgate has no 'serve --config' yet; measuring nginx and the upstream only" >&2
fi

# ------------------------------------------------------------------ checks
# The same request must get the same CORS answer from both servers.
show() { # NAME PORT
    local a p
    a=$(curl -s -o /dev/null -D - -H "Origin: $ORIGIN" "http://127.0.0.1:$2/" | tr -d '\r' |
        awk 'NR==1{s=$2} tolower($1)=="access-control-allow-origin:"{o=$2} END{print s, o}')
    p=$(curl -s -o /dev/null -D - -X OPTIONS -H "Origin: $ORIGIN" -H "Access-Control-Request-Method: PUT" \
        -H "Access-Control-Request-Headers: content-type,x-requested-with" "http://127.0.0.1:$2/" | tr -d '\r' |
        awk 'NR==1{s=$2} tolower($1)=="access-control-allow-origin:"{o=$2} END{print s, o}')
    echo "gateway: $1: actual -> $a; preflight -> $p" >&2
}
show nginx "$NGX_PORT"
[ -n "$CG_PID" ] && show crossgate "$CG_PORT"

gw_wrk_scripts "$work"

# ------------------------------------------------------------------ runs
cpu_ticks() { # PID...: user+system ticks of these processes and their children threads
    local t=0 p
    for p in "$@"; do
        for pp in "$p" $(pgrep -P "$p" 2>/dev/null || true); do
            [ -r "/proc/$pp/stat" ] || continue
            t=$((t + $(awk '{print $14 + $15}' "/proc/$pp/stat")))
        done
    done
    echo "$t"
}
hz=$(getconf CLK_TCK)

results="$work/results.tsv"
: >"$results"
mkdir -p "$target_dir"
raw="$target_dir/gateway-raw.txt"
{ echo "# bench/gateway.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): DURATION=$DURATION ROUNDS=$ROUNDS CONNS=\"$CONNS\" WORKERS=$WORKERS PIN=$PIN"
  echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); $("$NGINX" -v 2>&1); $(wrk -v 2>&1 | head -1)"
} >"$raw"
run() { # NAME PORT KIND CONNS PID...
    local name=$1 port=$2 kind=$3 conns=$4
    shift 4
    local before after out
    before=$(cpu_ticks "$@")
    "${load_cpu[@]}" wrk -t1 -c"$conns" -d"${DURATION}s" --latency -s "$work/$kind.lua" "http://127.0.0.1:$port/" >"$work/wrk.out" 2>&1
    after=$(cpu_ticks "$@")
    { echo; echo "## $name $kind c=$conns cpu_ticks=$((after - before)) (hz $hz)"; cat "$work/wrk.out"; } >>"$raw"
    python3 - "$name" "$kind" "$conns" "$((after - before))" "$hz" "$work/wrk.out" >>"$results" <<'PY'
import re, sys
name, kind, conns, ticks, hz, path = sys.argv[1:]
out = open(path).read()
def ms(s):
    v, u = re.match(r"([\d.]+)(us|ms|s|m)$", s).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u]
total = int(re.search(r"(\d+) requests in", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
# The distribution's lines, not a "+/- Stdev" column that ends in 50%.
p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
cpu_us = int(ticks) / int(hz) * 1e6 / total if total else float("nan")
print(f"{name}\t{kind}\t{conns}\t{rps:.0f}\t{p50:.3f}\t{p99:.3f}\t{cpu_us:.1f}\t{errors.group(0) if errors else ''}")
PY
    tail -1 "$results" >&2
}

for conns in $CONNS; do
    for kind in actual preflight; do
        run upstream "$UP_PORT" "$kind" "$conns" "$UP_PID"
        for round in $(seq "$ROUNDS"); do
            run nginx "$NGX_PORT" "$kind" "$conns" "$NGX_PID"
            [ -n "$CG_PID" ] && run crossgate "$CG_PORT" "$kind" "$conns" "$CG_PID"
        done
    done
done

# ------------------------------------------------------------------ report
mkdir -p "$target_dir"
pinning="unpinned"
[ ${#server_cpu[@]} -gt 0 ] && pinning="server on CPU 0, wrk and upstream on CPU 1"
cp "$results" "$target_dir/gateway-runs.tsv"
python3 - "$results" "$DURATION" "$ROUNDS" "$WORKERS" "$pinning" <<'PY' | tee "$target_dir/gateway.md"
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
groups = {}
for name, kind, conns, rps, p50, p99, cpu, err in rows:
    groups.setdefault((kind, int(conns), name), []).append((float(rps), float(p50), float(p99), float(cpu), err))
print(f"wrk -t1, {sys.argv[2]} s per run, median of {sys.argv[3]} alternated runs (upstream: one run); "
      f"{sys.argv[4]} nginx worker(s) = {sys.argv[4]} crossgate worker thread(s); {sys.argv[5]}.\n")
print("| request | connections | server | requests/s | p50 ms | p99 ms | server CPU µs/request | notes |")
print("|---|---:|---|---:|---:|---:|---:|---|")
for (kind, conns, name), v in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], ["upstream", "nginx", "crossgate"].index(kv[0][2]))):
    med = lambda i: statistics.median(x[i] for x in v)
    notes = "; ".join(sorted({x[4] for x in v if x[4]}))
    label = "upstream (ceiling)" if name == "upstream" else name
    print(f"| {kind} | {conns} | {label} | {med(0):,.0f} | {med(1):.2f} | {med(2):.2f} | {med(3):.1f} | {notes} |")
PY
