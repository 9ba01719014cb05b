"""Section 3: wrk against mapserver, a minimal Flask app with the same bytes, and nginx."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from procs import (
    PYTHON,
    ROOT,
    connections_by_child,
    free_port,
    http_get,
    mapserver_command,
    running,
    start,
    stop,
    wait_for,
)

HEADER = "Accept-Encoding: gzip"
MEDIAN_KEYS = ("rps", "p50_ms", "p99_ms", "requests", "bytes_per_response")
CONNECTIONS = 64
THREADS = 2
WARM_REQUESTS = 20
# Set by the server itself; every other header of (a)'s answer is copied to (b).
SERVER_HEADERS = {
    "server",
    "date",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
}
ERROR_KINDS = ("connect", "read", "write", "timeout")
SOCKET_ERRORS = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
NGINX_CONF = """\
daemon off;
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    gzip on;
    gzip_static on;
    gzip_types text/css application/javascript application/json;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
    }}
}}
"""


def to_ms(text: str) -> float:
    """A wrk duration such as 512.00us, 1.23ms or 2.01s, in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * UNITS_MS[unit]


def to_bytes(text: str) -> float:
    """A wrk size such as 1.23MB, in bytes (wrk's units are powers of 1024)."""
    number, unit = re.fullmatch(r"([\d.]+)([KMG]?B)", text).groups()
    return float(number) * SIZE_UNITS[unit]


def parse_wrk(text: str) -> dict:
    """Requests/sec, p50, p99, request count, bytes read, socket errors and non-2xx."""

    def find(pattern: str, default=None):
        match = re.search(pattern, text)
        if match is None and default is None:
            raise ValueError(f"wrk output has no match for {pattern!r}:\n{text}")
        return match.groups() if match else default

    counts = find(SOCKET_ERRORS, ("0", "0", "0", "0"))
    requests, read = find(r"(\d+) requests in [\d.]+\w+, ([\d.]+[KMG]?B) read")
    result = {
        "rps": float(find(r"Requests/sec:\s+([\d.]+)")[0]),
        "p50_ms": to_ms(find(r"\s50%\s+([\d.]+\w+)")[0]),
        "p99_ms": to_ms(find(r"\s99%\s+([\d.]+\w+)")[0]),
        "requests": int(requests),
        "bytes_read": to_bytes(read),
        "socket_errors": dict(zip(ERROR_KINDS, map(int, counts), strict=True)),
        "non_2xx": int(find(r"Non-2xx or 3xx responses: (\d+)", ("0",))[0]),
    }
    result["errors"] = sum(result["socket_errors"].values())
    result["bytes_per_response"] = result["bytes_read"] / max(result["requests"], 1)
    return result


def run_wrk(url: str, seconds: int, server=None) -> dict:
    """wrk -t2 -c64 -dNs --latency with Accept-Encoding: gzip; parsed, plus the raw output.

    Half-way through, counts the connections each child of the server process holds.
    """
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["-H", HEADER, url]
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(seconds / 2)
        spread = connections_by_child(server.pid, urlsplit(url).port) if server else []
        stdout, stderr = wrk.communicate(timeout=seconds + 60)
    finally:
        if wrk.poll() is None:
            wrk.kill()
            wrk.wait()
    if wrk.returncode != 0:
        raise RuntimeError(f"wrk failed ({wrk.returncode}): {stderr.strip()[-500:]}")
    parsed = parse_wrk(stdout)
    return {
        **parsed,
        "connections_by_worker": spread,
        "command": " ".join(command),
        "output": stdout,
    }


def check(url: str) -> dict:
    """One GET like wrk's, which must be a 200; the response headers that matter."""
    status, headers, body = http_get(url, {"Accept-Encoding": "gzip"})
    if status != 200:
        raise RuntimeError(f"{url}: HTTP {status}, not 200")
    kept = {key: value for key, value in headers.items() if key.lower() not in SERVER_HEADERS}
    return {"status": status, "body_bytes": len(body), "headers": kept, "body": body}


def load_test(url: str, seconds: int, server=None) -> dict:
    """Check and warm a URL, then run wrk against it."""
    response = check(url)
    for _ in range(WARM_REQUESTS):
        http_get(url, {"Accept-Encoding": "gzip"})
    result = run_wrk(url, seconds, server)
    return {"url": url, "response": {k: v for k, v in response.items() if k != "body"}, **result}


def mapserver_target(data_dir: str, path: str, seconds: int, tmp: Path) -> dict:
    """(a) `mapserver serve --workers 2`; saves its response for the minimal app."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"MAPSERVER_DATA_DIR": data_dir}
    with running(mapserver_command(port), f"{base}/healthz", env) as server:
        response = check(base + path)
        (tmp / "body").write_bytes(response["body"])
        (tmp / "headers.json").write_text(json.dumps(response["headers"]))
        return load_test(base + path, seconds, server)


def minimal_target(path: str, seconds: int, tmp: Path) -> dict:
    """(b) bench/minimal_app.py: the same bytes and headers, under mapserver's gunicorn."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [PYTHON, str(ROOT / "bench" / "minimal_app.py"), str(port)]
    command += [str(tmp / "body"), str(tmp / "headers.json")]
    with running(command, base + path) as server:
        probe = http_get(f"{base}/not-a-mapserver-route", {"Accept-Encoding": "gzip"})
        if probe[0] != 200 or probe[2] != (tmp / "body").read_bytes():
            raise RuntimeError("bench/minimal_app.py is not serving the fixed response")
        return load_test(base + path, seconds, server)


def export_site(data_dir: str, out: Path) -> str | None:
    """Run `mapserver export DIR --weeks 1`; None on success, else why it is not available."""
    command = [PYTHON, "-m", "mapserver.cli", "export", str(out), "--weeks", "1"]
    env = {**os.environ, "MAPSERVER_DATA_DIR": data_dir}
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
    except subprocess.TimeoutExpired:
        return "mapserver export took over 900 s"
    if done.returncode != 0:
        return f"mapserver export failed: {(done.stderr or done.stdout).strip()[-300:]}"
    return None


def prepare_site(data_dir: str, tmp: Path) -> tuple[Path | None, str | None]:
    """Export the static site once for nginx: (folder, None) or (None, why not)."""
    if shutil.which("nginx") is None:
        return None, "nginx is not installed"
    site = tmp / "site"
    reason = export_site(data_dir, site)
    tmp.chmod(0o755)  # nginx workers run as nobody and must reach the site
    return (None, reason) if reason else (site, None)


def nginx_target(site: Path, path: str, seconds: int, tmp: Path) -> dict:
    """(c) nginx serving the exported static site, or why it is not available."""
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=site))
    process = start(["nginx", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)])
    url = f"http://127.0.0.1:{port}{path}"
    try:
        wait_for(url, process, timeout=20)
        return {"available": True, **load_test(url, seconds, process)}
    except RuntimeError as error:
        return {"available": False, "reason": str(error)}
    finally:
        stop(process)


def combine(runs: list[dict]) -> dict:
    """Medians over rounds (errors summed); the rounds themselves kept as they were."""
    if not all(run.get("available", True) for run in runs):
        return next(run for run in runs if not run.get("available", True))
    median = {key: statistics.median(run[key] for run in runs) for key in MEDIAN_KEYS}
    return {
        **median,
        "errors": sum(run["errors"] for run in runs),
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "connections_by_worker": [run["connections_by_worker"] for run in runs],
        "response": runs[0]["response"],
        "rounds": runs,
    }


def measure(data_dir: str, seconds: int, path: str, static_path: str, rounds: int = 1) -> dict:
    """All three targets in turn, each started fresh and stopped after, for several rounds."""
    runs = {"mapserver": [], "minimal_flask": [], "nginx_static": []}
    with tempfile.TemporaryDirectory(prefix="mapserver-bench-") as name:
        tmp = Path(name)
        site, reason = prepare_site(data_dir, tmp)
        for _ in range(rounds):
            runs["mapserver"].append(mapserver_target(data_dir, path, seconds, tmp))
            runs["minimal_flask"].append(minimal_target(path, seconds, tmp))
            nginx = {"available": False, "reason": reason}
            runs["nginx_static"].append(
                nginx_target(site, static_path, seconds, tmp) if site else nginx
            )
    result = {name: combine(values) for name, values in runs.items()}
    mapserver, minimal = result["mapserver"], result["minimal_flask"]
    return {
        "header": HEADER,
        "connections": CONNECTIONS,
        "threads": THREADS,
        "seconds": seconds,
        "rounds": rounds,
        **result,
        "ratio_rps": mapserver["rps"] / minimal["rps"] if minimal["rps"] else None,
        "ratio_rps_by_round": [
            a["rps"] / b["rps"]
            for a, b in zip(runs["mapserver"], runs["minimal_flask"], strict=True)
        ],
    }
