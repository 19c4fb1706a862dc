"""A stand-in for ``trivy image --format json --quiet IMAGE`` (no scanner binary can be
installed here): prints the Trivy JSON fixture, in Trivy's real format, with the image
it was asked about in ``ArtifactName`` and ``Metadata.RepoDigests`` and the current time
in ``CreatedAt``.

    python fake_scanner.py REGISTRY/REPOSITORY@DIGEST [--fail-times N --counter FILE]
        [--sleep SECONDS] [--garbage]

``--fail-times`` exits 1 (with a message on stderr) on the first N runs, counted in
``--counter``; ``--sleep`` waits first; ``--garbage`` prints a truncated report.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "ingest" / "scan_reports" / "trivy-image.json"
SCRIPT = Path(__file__).resolve()


def command(*options: str) -> str:
    """The ``collect --scan-command`` template that runs this script."""
    return " ".join([sys.executable, str(SCRIPT), "{registry}/{repository}@{digest}", *options])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("image")
    parser.add_argument("--fail-times", type=int, default=0)
    parser.add_argument("--counter", type=Path)
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--garbage", action="store_true")
    options = parser.parse_args(argv)
    time.sleep(options.sleep)
    if options.counter is not None:
        runs = int(options.counter.read_text()) if options.counter.exists() else 0
        options.counter.write_text(str(runs + 1))
        if runs < options.fail_times:
            print(f"FATAL image scan error: run {runs + 1} failed on purpose", file=sys.stderr)
            return 1
    report = json.loads(FIXTURE.read_text())
    report["CreatedAt"] = datetime.datetime.now(datetime.UTC).isoformat()
    report["ArtifactName"] = options.image
    report["Metadata"]["RepoTags"] = []
    report["Metadata"]["RepoDigests"] = [options.image]
    text = json.dumps(report, indent=2)
    sys.stdout.write(text[: len(text) // 2] if options.garbage else text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
