#!/usr/bin/env python3
"""Soak helpers for scripts/soak.sh (not in CI).

  soak.py upstream PORT          a faulty upstream on 127.0.0.1:PORT
  soak.py traffic GW SECONDS DOWNFLAG OUT.json
                                 mixed traffic against the gateway at
                                 127.0.0.1:GW for SECONDS; writes counts

Upstream paths: /api/ok (small 200), /api/big (1 MiB), /api/sink (reads the
body, answers its length), /api/slow (answers after 3 s: past the gateway's
upstream timeout), /api/garbage (not HTTP), /api/reset (closes mid-body).
"""

import json
import os
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALLOWED = "https://app.example.com"
EVIL = "https://evil.example.net"


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, body, status=200):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        got = 0
        while got < length:
            chunk = self.rfile.read(min(65536, length - got))
            if not chunk:
                break
            got += len(chunk)
        p = self.path
        if p.startswith("/api/big"):
            self.send_body(b"x" * (1 << 20))
        elif p.startswith("/api/sink"):
            self.send_body(str(got).encode())
        elif p.startswith("/api/slow"):
            time.sleep(3)
            self.send_body(b"slow")
        elif p.startswith("/api/garbage"):
            self.wfile.write(b"SSH-2.0-not-http\r\n\x00\x01\x02\r\n\r\n")
            self.close_connection = True
        elif p.startswith("/api/reset"):
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc")
            self.wfile.flush()
            self.close_connection = True
        else:
            # Sometimes with its own CORS header, which the gateway owns.
            self.send_response(200)
            if random.random() < 0.2:
                self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = handle_any


def upstream(port):
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", port), Upstream)
    srv.serve_forever()


def exchange(port, raw, timeout=10.0):
    """Sends raw bytes, reads one response; returns (status, headers, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed before a head")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        length = int(headers.get("content-length", ["0"])[0])
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError(f"body cut at {len(body)}/{length}")
            body += chunk
        return status, headers, body
    finally:
        s.close()


def req(method, path, headers=(), body=b""):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def acao(h):
    return h.get("access-control-allow-origin", [])


def one(kind, gw):
    """Runs one request of `kind`; returns None when it went as expected,
    'expected' for a failure the injected fault explains, or the problem."""
    if kind == "allowed":
        st, h, b = exchange(gw, req("GET", "/api/ok", [("Origin", ALLOWED)]))
        return None if st == 200 and acao(h) == [ALLOWED] and b == b"ok" else f"{st} {acao(h)}"
    if kind == "disallowed":
        st, h, b = exchange(gw, req("POST", "/api/ok", [("Origin", EVIL), ("Content-Type", "text/plain")], b"hi"))
        return None if st == 200 and not acao(h) else f"{st} {acao(h)}"
    if kind == "preflight":
        st, h, _ = exchange(gw, req("OPTIONS", "/api/ok", [("Origin", ALLOWED), ("Access-Control-Request-Method", "PUT"), ("Access-Control-Request-Headers", "content-type")]))
        return None if st == 204 and acao(h) == [ALLOWED] else f"{st} {acao(h)}"
    if kind == "preflight-denied":
        st, h, _ = exchange(gw, req("OPTIONS", "/api/ok", [("Origin", EVIL), ("Access-Control-Request-Method", "PUT")]))
        return None if st == 403 and not acao(h) else f"{st} {acao(h)}"
    if kind == "big-response":
        st, h, b = exchange(gw, req("GET", "/api/big", [("Origin", ALLOWED)]), timeout=30)
        return None if st == 200 and len(b) == 1 << 20 and acao(h) == [ALLOWED] else f"{st} {len(b)}"
    if kind == "big-body":
        n = random.choice([64 << 10, 512 << 10, 1 << 20])
        st, h, b = exchange(gw, req("PUT", "/api/sink", [("Origin", ALLOWED)], b"y" * n), timeout=30)
        return None if st == 200 and b == str(n).encode() else f"{st} {b[:40]!r}"
    if kind == "too-big-body":
        # Declares 3 MiB and sends the first KiB: the gateway refuses on the
        # declared length without reading the rest.
        head = req("PUT", "/api/sink", [("Origin", ALLOWED), ("Content-Length", str(3 << 20))])
        st, h, _ = exchange(gw, head + b"z" * 1024, timeout=30)
        return None if st == 413 and acao(h) == [ALLOWED] else f"{st}"
    if kind == "upstream-slow":
        st, h, _ = exchange(gw, req("GET", "/api/slow", [("Origin", ALLOWED)]))
        return None if st == 504 and acao(h) == [ALLOWED] else f"{st} {acao(h)}"
    if kind == "upstream-garbage":
        st, h, _ = exchange(gw, req("GET", "/api/garbage", [("Origin", ALLOWED)]))
        return None if st == 502 and acao(h) == [ALLOWED] else f"{st} {acao(h)}"
    if kind == "upstream-reset":
        try:
            st, h, _ = exchange(gw, req("GET", "/api/reset", [("Origin", ALLOWED)]))
            return f"full body from a reset upstream: {st}"
        except ConnectionError:
            return None
    if kind == "slow-client":
        # A head a byte at a time, slower than the header timeout: cut off.
        s = socket.create_connection(("127.0.0.1", gw), timeout=10)
        try:
            start = time.time()
            for ch in req("GET", "/api/ok", [("Origin", ALLOWED)]):
                s.sendall(bytes([ch]))
                time.sleep(0.1)
                if time.time() - start > 8:
                    return "not cut off after 8 s"
            return "a slow head was read to its end"
        except OSError:
            return None
        finally:
            s.close()
    if kind == "idle":
        s = socket.create_connection(("127.0.0.1", gw), timeout=10)
        try:
            start = time.time()
            data = s.recv(100)
            return None if time.time() - start < 5 and (data == b"" or data.startswith(b"HTTP/1.1 408")) else "idle connection kept"
        except OSError:
            return None
        finally:
            s.close()
    raise ValueError(kind)


WEIGHTS = {
    "allowed": 30, "disallowed": 15, "preflight": 20, "preflight-denied": 10, "big-response": 3, "big-body": 3,
    "too-big-body": 1, "upstream-slow": 1, "upstream-garbage": 2, "upstream-reset": 2, "slow-client": 1, "idle": 1,
}
# Kinds whose failure an upstream-down period explains (502 from the gateway).
NEEDS_UPSTREAM = {"allowed", "disallowed", "big-response", "big-body", "upstream-slow", "upstream-garbage", "upstream-reset"}


def traffic(gw, seconds, downflag, out):
    deadline = time.time() + seconds
    lock = threading.Lock()
    stats = {}
    samples = {}

    def note(kind, result):
        with lock:
            s = stats.setdefault(kind, {"ok": 0, "failed": 0, "expected": 0})
            s[result] += 1

    def worker(seed):
        rnd = random.Random(seed)
        kinds = list(WEIGHTS)
        weights = [WEIGHTS[k] for k in kinds]
        while time.time() < deadline:
            kind = rnd.choices(kinds, weights)[0]
            down_before = os.path.exists(downflag)
            try:
                problem = one(kind, gw)
            except (OSError, ConnectionError, ValueError, IndexError) as e:
                problem = f"{type(e).__name__}: {e}"
            down_after = os.path.exists(downflag)
            if problem is None:
                note(kind, "ok")
            elif kind in NEEDS_UPSTREAM and (down_before or down_after) and (problem.startswith("502") or "reset" in kind):
                note(kind, "expected")
            else:
                note(kind, "failed")
                with lock:
                    samples.setdefault(kind, []).append(problem)
            time.sleep(rnd.random() * 0.01)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as f:
        json.dump({"stats": stats, "samples": {k: v[:5] for k, v in samples.items()}}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    if sys.argv[1] == "upstream":
        upstream(int(sys.argv[2]))
    else:
        traffic(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5])
