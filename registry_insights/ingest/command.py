"""What the ingestion commands share: run, print the summary, exit 2 on unusable input."""

from __future__ import annotations

from collections.abc import Callable

import typer

from registry_insights.ingest.inputs import InputError
from registry_insights.ingest.summary import IngestSummary


def report_or_exit(run: Callable[[], IngestSummary]) -> None:
    """Run an ingestion and print its summary; exit 2 with the reason on unusable input."""
    try:
        summary = run()
    except InputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(summary.report())
