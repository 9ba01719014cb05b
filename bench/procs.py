"""Subprocesses for the benchmarks: free ports, plain HTTP, start and stop, machine facts."""

from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(url: str, headers: dict | None = None, timeout: float = 60.0):
    """GET without decompressing: (status, headers, raw body); status None if unreachable.

    The default timeout only stops a hung server: a first build may take several seconds
    on a busy machine, and that is a figure to report, not an error (pollers pass 1 s).
    """
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None, {}, b""


def mapserver_command(port: int, workers: int = 2) -> list[str]:
    """The `mapserver serve` command line, run with this interpreter."""
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return [PYTHON, "-m", "mapserver.cli", *serve]


def start(command: list[str], env: dict | None = None, stderr=subprocess.DEVNULL):
    """Start a command in its own process group (so stop() reaches its children)."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate a process started by start() and its group; kill them if they linger."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=timeout)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    """Send a signal to the process group that start() made for this process."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def wait_for(url: str, process, timeout: float, interval: float = 0.05, log=None) -> float:
    """Poll url until it answers 200; seconds waited. Raises if the process exits first."""
    began = time.perf_counter()
    while True:
        if http_get(url, timeout=1.0)[0] == 200:
            return time.perf_counter() - began
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}{tail(log)}")
        if time.perf_counter() - began > timeout:
            raise RuntimeError(f"{url}: no 200 within {timeout:.0f} s{tail(log)}")
        time.sleep(interval)


def tail(log) -> str:
    """The end of a log file, for error messages."""
    if log is None:
        return ""
    log.flush()
    log.seek(0)
    return ": " + log.read().decode(errors="replace")[-1500:]


@contextmanager
def running(command: list[str], ready_url: str, env: dict | None = None, timeout: float = 120):
    """Run a server until the block ends; yield once ready_url answers 200."""
    with tempfile.TemporaryFile() as log:
        process = start(command, env, stderr=log)
        try:
            wait_for(ready_url, process, timeout, log=log)
            yield process
        finally:
            stop(process)


@contextmanager
def running_mapserver(data_dir: str, workers: int = 2):
    """`mapserver serve` on a free port with the given data; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"MAPSERVER_DATA_DIR": data_dir}
    with running(mapserver_command(port, workers), f"{base}/healthz", env):
        yield base


def command_output(command: list[str]) -> str:
    """First line of a command's output (stdout or stderr), or 'not found'."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "not found"


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gb() -> float:
    """Total memory in GB from /proc/meminfo."""
    try:
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        return round(int(first.split()[1]) / 1024**2, 1)
    except (OSError, IndexError, ValueError):
        return 0.0


def git_dirty() -> bool:
    """Whether the working tree differs from HEAD (the app may be mid-edit)."""
    command = ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(done.stdout.strip())


def machine() -> dict:
    """What the benchmarks ran on."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb(),
        "os": command_output(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "chromium": command_output(["/usr/bin/chromium", "--version"]),
        "wrk": command_output(["wrk", "--version"]),
        "nginx": command_output(["nginx", "-v"]),
        "commit": command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "uncommitted_changes": git_dirty(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def children(pid: int) -> list[int]:
    """Process ids whose parent is pid."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def established_inodes(port: int) -> set[str]:
    """Socket inodes of established TCP connections whose local port is port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    """Inodes of the sockets a process has open."""
    found = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return found
    for fd in fds:
        with suppress(OSError):
            link = os.readlink(fd)
            if link.startswith("socket:["):
                found.add(link[8:-1])
    return found


def connections_by_child(pid: int, port: int) -> list[int]:
    """How many established connections on port each child of pid holds, largest first."""
    inodes = established_inodes(port)
    return sorted((len(socket_inodes(child) & inodes) for child in children(pid)), reverse=True)


def cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies of all CPUs from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)


def cpu_busy(seconds: float = 1.0) -> float:
    """Share of CPU time not idle over the next few seconds: is anything else running?"""
    idle, total = cpu_times()
    time.sleep(seconds)
    idle_after, total_after = cpu_times()
    return 1 - (idle_after - idle) / max(total_after - total, 1)
