#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain: Debian's
# headless Chromium (the browser half's differential tests and the demo's
# end-to-end test) and Firefox ESR (the Firefox differential test). Safe to
# run repeatedly; does nothing when all is there.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Firefox ESR for the browser half's Firefox differential test.
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
# nginx for the import equivalence tests; the test starts it itself, on a
# loopback port with a temp prefix (the package's own service is not used).
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)

if [ ${#need[@]} -gt 0 ]; then
    echo "install-test-deps: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
chromium --version 2>/dev/null || true
firefox-esr --version 2>/dev/null || true

# The real frameworks `crossgate import` is compared with, in a virtualenv
# under target/ (never global): crates/cli/tests/peers/requirements.txt.
peers="${CROSSGATE_PEERS_DIR:-target/peers}"
req="crates/cli/tests/peers/requirements.txt"
if ! cmp -s "$req" "$peers/requirements.installed" 2>/dev/null; then
    echo "install-test-deps: making the Python virtualenv $peers/venv"
    python3 -m venv "$peers/venv"
    "$peers/venv/bin/pip" install -q -r "$req"
    cp "$req" "$peers/requirements.installed"
fi

# Express and cors for the same tests, pinned by a package-lock, in a local
# node_modules under target/ (never global): crates/cli/tests/peers/node/.
lock="crates/cli/tests/peers/node/package-lock.json"
if ! cmp -s "$lock" "$peers/node/package-lock.json" 2>/dev/null || [ ! -d "$peers/node/node_modules/cors" ]; then
    echo "install-test-deps: installing express and cors in $peers/node"
    mkdir -p "$peers/node"
    cp crates/cli/tests/peers/node/package.json "$lock" "$peers/node/"
    (cd "$peers/node" && npm ci --no-audit --no-fund --silent)
fi
