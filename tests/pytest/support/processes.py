"""Child processes for the collector and end-to-end tests: started with their output
in a file, waited for on a port, and always stopped by their own process id."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_command(*args: str) -> list[str]:
    """The `registry-insights` command run by this interpreter."""
    return [sys.executable, "-m", "registry_insights.cli", *args]


def start(command: Sequence[str], output: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` with stdout and stderr appended to ``output``."""
    with output.open("ab") as sink:
        return subprocess.Popen(
            list(command), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes], kill: bool = False) -> None:
    """Stop one process by its id (SIGTERM, then SIGKILL after 10 s)."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for_http(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited early:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}")


@contextmanager
def started_processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """A list to add started processes to; every one is stopped on exit, also on failure."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield processes
    finally:
        for process in reversed(processes):
            stop(process)


def start_collector(
    store: Path, port: int, token: str, log: Path, processes: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    command = cli_command("collect", "--store", str(store), "--port", str(port), "--token", token)
    process = start(command, log)
    processes.append(process)
    wait_for_http(f"http://127.0.0.1:{port}/healthz", process, log)
    return process
