"""What the ingestion commands share: run, print the summary, exit 2 on unusable input,
1 when a raw file cannot be written (disk full)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import typer

from registry_insights.ingest.inputs import InputError
from registry_insights.ingest.raw_output import RawWriteError
from registry_insights.ingest.summary import IngestSummary


def report_or_exit(run: Callable[[], IngestSummary]) -> None:
    """Run an ingestion and print its summary; exit 2 with the reason on unusable input."""
    try:
        summary = run()
    except InputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    except RawWriteError as error:
        fail_write(error)
    typer.echo(summary.report())


def fail_write(error: RawWriteError) -> NoReturn:
    """Exit 1 with the one-line reason a raw file could not be written (disk full...)."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(code=1) from error
