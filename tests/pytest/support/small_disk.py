"""A command run against a raw folder on a real, small filesystem: a tmpfs of a given
size mounted in a user and mount namespace of its own (`unshare -rm`, no root needed on
the host), so that the command meets a real ENOSPC. The same script then frees space
(remounts the tmpfs bigger) and runs the command again; the folder is copied out after
each run, since the tmpfs disappears with the namespace."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyarrow.dataset as ds


def small_disks_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    #: the raw folder as the run left it
    raw: Path


def full_then_freed(command: list[str], raw: Path, size: int, work: Path) -> tuple[Run, Run]:
    """Run `command` (which writes under `raw`) with `raw` on a tmpfs of `size` bytes,
    copy `raw` out, remount the tmpfs with room to spare, run `command` again, copy
    `raw` out again: both runs, their raw folders copied to `work/full` and `work/freed`."""
    raw.mkdir(parents=True, exist_ok=True)
    line = shlex.join(command)
    steps = [
        f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(raw))}",
        f"rc=0; {line} >{work}/out1 2>{work}/err1 || rc=$?; echo $rc >{work}/rc1",
        f"mkdir {work}/full && cp -a {shlex.quote(str(raw))}/. {work}/full/",
        f"mount -o remount,size=256m {shlex.quote(str(raw))}",
        f"rc=0; {line} >{work}/out2 2>{work}/err2 || rc=$?; echo $rc >{work}/rc2",
        f"mkdir {work}/freed && cp -a {shlex.quote(str(raw))}/. {work}/freed/",
    ]
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-ec", "\n".join(steps)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr

    def run(number: int, folder: str) -> Run:
        return Run(
            int((work / f"rc{number}").read_text()),
            (work / f"out{number}").read_text(),
            (work / f"err{number}").read_text(),
            work / folder,
        )

    return run(1, "full"), run(2, "freed")


def files_of(raw: Path) -> list[Path]:
    return sorted(path for path in raw.rglob("*") if path.is_file())


def table_rows(raw: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table under `raw` (its `*.parquet` files, as the warehouse reads them): its
    rows, sorted, as tuples."""
    tables: dict[str, list[tuple[object, ...]]] = {}
    for folder in sorted(path for path in raw.iterdir() if path.is_dir()):
        files = sorted(folder.rglob("*.parquet"))
        if not files:
            continue
        table = ds.dataset([str(f) for f in files], format="parquet").to_table()
        columns = [table.column(name).to_pylist() for name in table.column_names]
        tables[folder.name] = sorted((tuple(row) for row in zip(*columns, strict=True)), key=repr)
    return tables


def total_bytes(raw: Path) -> int:
    return sum(path.stat().st_size for path in files_of(raw))
