# Shared by bench/gateway.sh and bench/gateway-icount.sh (sourced, not run):
# the tools, the policy as nginx and crossgate configs, the wrk scripts.
#
# The policy, in both servers: origin https://app.example.com, methods GET
# POST PUT DELETE, request headers content-type and x-requested-with,
# credentials, max-age 600. Preflights are answered by the server itself and
# never reach the upstream.

ORIGIN=https://app.example.com

# gw_install TOOL...: installs the Debian packages for missing tools
# (nginx, wrk, curl, valgrind).
gw_install() {
    local need=() t
    for t in "$@"; do
        case $t in
            nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light) ;;
            *) command -v "$t" >/dev/null 2>&1 || need+=("$t") ;;
        esac
    done
    [ ${#need[@]} -eq 0 ] && return 0
    echo "gateway: installing ${need[*]}" >&2
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# gw_crossgate: sets CROSSGATE_BIN, building the release binary unless one
# was given.
gw_crossgate() {
    if [ -z "${CROSSGATE_BIN:-}" ]; then
        cargo build --release -q -p crossgate
        CROSSGATE_BIN="${CARGO_TARGET_DIR:-target}/release/crossgate"
    fi
}

# gw_workdir: a temporary directory in $work, and the array $pids of
# processes to stop, both cleaned up when the script exits.
gw_workdir() {
    work=$(mktemp -d)
    pids=()
    trap gw_cleanup EXIT
}

gw_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}

gw_nginx_bin() {
    command -v nginx || echo /usr/sbin/nginx
}

gw_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# gw_wait_port PORT: waits up to 20 s for an HTTP answer (callgrind starts slowly).
gw_wait_port() {
    for _ in $(seq 200); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    return 1
}

# gw_nginx_conf WORKDIR PORT UPSTREAM_PORT WORKERS [MAIN_DIRECTIVES]: the
# policy the way operators write it (map $http_origin, add_header … always,
# OPTIONS answered with 204), on stdout.
gw_nginx_conf() {
    local work=$1 port=$2 up=$3 workers=$4 extra=${5:-}
    cat <<EOF
worker_processes $workers;
daemon off;
$extra
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx-body;
    proxy_temp_path $work/nginx-proxy;
    fastcgi_temp_path $work/nginx-fastcgi;
    uwsgi_temp_path $work/nginx-uwsgi;
    scgi_temp_path $work/nginx-scgi;
    upstream app { server 127.0.0.1:$up; keepalive 128; }
    # The allowed origin is reflected; anything else gets no CORS headers
    # (an empty add_header value adds nothing).
    map \$http_origin \$cors_origin {
        default "";
        "$ORIGIN" "\$http_origin";
    }
    map \$cors_origin \$cors_credentials {
        "" "";
        default "true";
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            if (\$request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin \$cors_origin always;
                add_header Access-Control-Allow-Credentials \$cors_credentials always;
                add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE" always;
                add_header Access-Control-Allow-Headers "content-type, x-requested-with" always;
                add_header Access-Control-Max-Age 600 always;
                add_header Vary "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" always;
                return 204;
            }
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Access-Control-Allow-Credentials \$cors_credentials always;
            add_header Vary Origin always;
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
}

# gw_crossgate_conf PORT UPSTREAM_PORT: the same policy for crossgate serve.
gw_crossgate_conf() {
    cat <<EOF
listen = "127.0.0.1:$1"

[[route]]
path = "/"
upstream = "http://127.0.0.1:$2"

[[route.rule]]
origins = ["$ORIGIN"]
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["content-type", "x-requested-with"]
credentials = true
max_age = 600
EOF
}

# gw_wrk_scripts DIR: DIR/actual.lua (a GET from the allowed origin) and
# DIR/preflight.lua (its preflight for a PUT with two request headers).
gw_wrk_scripts() {
    cat >"$1/actual.lua" <<EOF
wrk.method = "GET"
wrk.headers["Origin"] = "$ORIGIN"
EOF
    cat >"$1/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$ORIGIN"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type,x-requested-with"
EOF
}
