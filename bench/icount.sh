#!/usr/bin/env bash
# Instruction counts per request, for every scenario and library, with
# callgrind. Unlike wall-clock time these do not depend on machine load:
# the same binary and inputs give the same count.
#
# Each (library, scenario) is run at two request counts; the difference
# divided by the difference in requests is the cost of one request, with
# process start-up and policy building cancelled out.
#
# Usage: bash bench/icount.sh [OUT.tsv]     (default: target/icount.tsv)
# ICOUNT_LIBS="crossgate engine" limits the libraries; ICOUNT_JOBS sets parallelism.
# Needs valgrind (installed with apt-get if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-${CARGO_TARGET_DIR:-target}/icount.tsv}"
jobs="${ICOUNT_JOBS:-2}"

if ! command -v valgrind >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq valgrind >/dev/null
fi

bin=$(cargo bench -p crossgate-bench --bench counts --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "counts":
        print(m["executable"])')
[ -x "$bin" ] || { echo "icount: could not build the counts benchmark" >&2; exit 1; }

libs="${ICOUNT_LIBS:-tower_baseline crossgate tower_http actix_baseline actix_cors engine_baseline engine}"
scenarios=$("$bin" list)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per run: LIB SCENARIO N.
for s in $scenarios; do
    # Hostile megabyte headers cost some libraries millions of instructions each.
    if [ "$s" = hostile_acrh_1mib ]; then lo=2; hi=12; else lo=100; hi=1100; fi
    for l in $libs; do
        echo "$l $s $lo"
        echo "$l $s $hi"
    done
done >"$tmp/runs"

count() {
    local lib=$1 scenario=$2 n=$3 tmp=$4 bin=$5
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" icount "$lib" "$scenario" "$n" 2>"$tmp/$lib.$scenario.$n.log" >/dev/null
    local c
    c=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/$lib.$scenario.$n.log")
    echo "$lib $scenario $n $c"
}
export -f count
xargs -P "$jobs" -L 1 bash -c 'count "$0" "$1" "$2" '"$tmp $bin" <"$tmp/runs" >"$tmp/counts"

python3 - "$tmp/counts" "$out" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    lib, scen, n, c = line.split()
    rows.setdefault((scen, lib), []).append((int(n), int(c)))
with open(sys.argv[2], "w") as f:
    f.write("scenario\tlibrary\tinstructions_per_request\n")
    for (scen, lib), pts in rows.items():
        (n0, c0), (n1, c1) = sorted(pts)
        f.write(f"{scen}\t{lib}\t{(c1 - c0) / (n1 - n0):.1f}\n")
PY
echo "icount: wrote $out"
