"""dbt runs killed inside a chosen model. The run is a forked child of the test process
(the dbt process: it runs dbt with the project already parsed, so each run costs its
models only), with the hook of macros/fault_injection_point.sql aimed at the model; the
hook blocks on a named pipe inside the model's transaction, the test sees the pipe
opened for reading and kills the child with SIGKILL right there."""

from __future__ import annotations

import errno
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

PAUSE_AT = "REGISTRY_INSIGHTS_FAULT_PAUSE_AT"
FIFO = "REGISTRY_INSIGHTS_FAULT_FIFO"


def _writer_of(fifo: Path) -> int | None:
    """A write end of `fifo` once a reader has it open (the hook is waiting), else None."""
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:  # no reader yet
            return None
        raise


def _child(run: Callable[[], bool], model: str, point: str, fifo: Path, output: Path) -> None:
    code = 1
    try:
        sink = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        os.environ[PAUSE_AT] = f"{point}:{model}"
        os.environ[FIFO] = str(fifo)
        code = 0 if run() else 1
    finally:
        os._exit(code)


def run_killed_inside(
    run: Callable[[], bool],
    model: str,
    point: str,
    fifo: Path,
    output: Path,
    timeout: float = 600,
) -> bool:
    """Run `run` (a dbt invocation) in a forked child with the hook at `point` (pre or
    post) of `model` armed, and SIGKILL the child once the hook blocks. True when
    killed there; False when the run ended first (it never reached the model)."""
    if not fifo.exists():
        os.mkfifo(fifo)
    pid = os.fork()
    if pid == 0:
        _child(run, model, point, fifo, output)
    deadline = time.monotonic() + timeout
    try:
        while (writer := _writer_of(fifo)) is None:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                pid = 0
                return False
            if time.monotonic() > deadline:
                raise TimeoutError(f"{model} not reached in {timeout} s")
            time.sleep(0.02)
        # the write end stays open (nothing written) until the child is dead, so the
        # hook cannot go on: the kill lands inside the model, before its commit
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pid = 0
        os.close(writer)
        return True
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
