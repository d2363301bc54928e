#!/usr/bin/env python3
"""Extracts fuzz seed corpora from the engine's test tables.

Writes one file per seed under fuzz/seeds/<target>/, named by the SHA-1 of
its content (as libFuzzer names corpus files). Run from anywhere:

    python3 fuzz/seeds/extract.py
"""
import hashlib
import json
import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
TESTS = ROOT / "crates" / "core" / "tests"
OUT = ROOT / "fuzz" / "seeds"


def unescape(s: str) -> bytes:
    """The tables' `\\xNN` escapes, as conformance.rs reads them."""
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), s.encode())


def expand(s: str) -> bytes:
    """The bad-input table's `{{N*text}}` repetitions, then `\\xNN` escapes."""
    return unescape(re.sub(r"\{\{(\d+)\*(.*?)\}\}", lambda m: m.group(2) * int(m.group(1)), s))


def write(target: str, data: bytes) -> None:
    if len(data) > 4096:  # libFuzzer's default max_len; the tests cover the big ones
        return
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def header(line: str):
    name, _, value = line.partition(":")
    return name.strip().lower(), unescape(value[1:] if value.startswith(" ") else value)


def main() -> None:
    conformance = tomllib.loads((TESTS / "conformance.toml").read_text())
    for group in conformance["group"]:
        policy = group["policy"]
        write("config", policy.encode())
        config = tomllib.loads(policy)
        write("config", json.dumps(config).encode())
        for rule in config.get("rule", []):
            for o in rule.get("origins", []):
                write("origin", o.encode())
        for case in group["case"]:
            headers = [header(h) for h in case.get("headers", [])]
            for name, value in headers:
                if name == "origin":
                    write("origin", value)
            acrh = [v for n, v in headers if n == "access-control-request-headers"]
            if acrh:
                write("acrh", b"\n".join(acrh))
            request = case["request"].encode() + b"".join(b"\n" + h.split(":")[0].encode() + b": " + header(h)[1] for h in case.get("headers", []))
            upstream = b"\n".join(h.split(":")[0].encode() + b": " + header(h)[1] for h in case.get("upstream", []))
            write("decision", b"T\n" + policy.encode() + b"\x1e" + request + b"\x1e" + upstream)

    bad = tomllib.loads((TESTS / "bad_inputs.toml").read_text()) if (TESTS / "bad_inputs.toml").exists() else {}
    for case in bad.get("case", []):
        for o in case.get("origins", []) + [o for lines in case.get("origin_lines", []) for o in lines]:
            write("origin", expand(o))
        for h in case.get("acrh", []):
            write("acrh", expand(h))
        for path in case.get("paths", []):
            write("path", path.replace("/api", "/public").encode())
    for n in (OUT / t for t in ("origin", "acrh", "decision", "config", "path")):
        print(f"{n.name}: {len(list(n.iterdir())) if n.exists() else 0} seeds")


if __name__ == "__main__":
    main()
