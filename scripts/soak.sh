#!/usr/bin/env bash
# A soak run of `crossgate serve` (not in CI): a release build, a faulty
# upstream, and mixed traffic on loopback for SECONDS (default 600):
# allowed and disallowed actual requests, preflights, large bodies both
# ways, slow and idle clients, an upstream that stalls, resets or answers
# garbage, and the upstream down for 5 s of every 60. Samples the gateway's
# RSS every 5 s and reports it, the failed requests by kind (failures an
# injected fault explains are counted apart) and panics in the log.
#
#   scripts/soak.sh [SECONDS]
#
# Needs python3. Everything listens on 127.0.0.1; every process it starts
# is stopped by pid on exit.
set -euo pipefail
secs="${1:-600}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/crossgate-soak.XXXXXX")"
target="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"
cargo build --release -q -p crossgate
bin="$target/release/crossgate"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up_port="$(free_port)"
gw_port="$(free_port)"
cat > "$work/gateway.toml" <<TOML
listen = "127.0.0.1:$gw_port"
max_connections = 512
request_header_timeout_ms = 2000
upstream_timeout_ms = 1000
connect_timeout_ms = 500
max_request_body_bytes = 2097152
[[route]]
path = "/api"
upstream = "http://127.0.0.1:$up_port"
[[route.rule]]
origins = ["https://app.example.com"]
methods = ["GET", "POST", "PUT"]
request_headers = ["content-type"]
credentials = true
max_age = 600
TOML

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "${up_pid:-}" ] && kill "$up_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

start_upstream() {
    python3 scripts/soak.py upstream "$up_port" 2>>"$work/upstream.log" &
    up_pid=$!
    for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$up_port),1)" 2>/dev/null && return; sleep 0.1; done
}
start_upstream
CROSSGATE_LOG=warn "$bin" serve --config "$work/gateway.toml" 2>"$work/gateway.log" &
gw_pid=$!
pids+=("$gw_pid")
for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$gw_port),1)" 2>/dev/null && break; sleep 0.1; done

rm -f "$work/down"
python3 scripts/soak.py traffic "$gw_port" "$secs" "$work/down" "$work/traffic.json" &
traffic_pid=$!
pids+=("$traffic_pid")

# RSS every 5 s; the upstream goes down for 5 s once a minute.
start=$(date +%s)
echo "t_seconds rss_kib" > "$work/rss.txt"
downs=0
while kill -0 "$traffic_pid" 2>/dev/null; do
    t=$(( $(date +%s) - start ))
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$gw_pid/status" 2>/dev/null || echo 0)
    echo "$t $rss" >> "$work/rss.txt"
    if [ $(( t % 60 )) -ge 30 ] && [ $(( t % 60 )) -lt 35 ] && [ ! -e "$work/down" ] && [ "$t" -lt "$secs" ]; then
        touch "$work/down"
        kill "$up_pid" 2>/dev/null || true
        wait "$up_pid" 2>/dev/null || true
        sleep 5
        start_upstream
        sleep 1
        rm -f "$work/down"
        downs=$((downs + 1))
        continue
    fi
    sleep 5
done
wait "$traffic_pid" || true
alive=yes
kill -0 "$gw_pid" 2>/dev/null || alive=no

echo "== soak: ${secs}s, gateway alive at the end: $alive, upstream down periods: $downs"
python3 - "$work/traffic.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
tot = {"ok": 0, "failed": 0, "expected": 0}
print(f"{'kind':18} {'ok':>8} {'failed':>7} {'expected':>9}")
for k, s in sorted(d["stats"].items()):
    print(f"{k:18} {s['ok']:8} {s['failed']:7} {s['expected']:9}")
    for x in tot: tot[x] += s[x]
print(f"{'total':18} {tot['ok']:8} {tot['failed']:7} {tot['expected']:9}")
for k, v in d["samples"].items():
    print(f"  failed {k}: {v}")
PY
awk 'NR > 1 && $2 > 0 { n++; if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2; last = $2 }
     END { printf "RSS KiB: min %d, max %d, final %d (%d samples)\n", min, max, last, n }' "$work/rss.txt"
echo "RSS over time (every minute):"
awk 'NR > 1 && ($1 % 60) < 5 { printf "  t=%ds %d KiB\n", $1, $2 }' "$work/rss.txt"
panics=$(grep -c "panicked" "$work/gateway.log" || true)
echo "panics in the gateway log: $panics"
echo "files: $work"
[ "$alive" = yes ] && [ "$panics" = 0 ]
