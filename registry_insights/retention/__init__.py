"""Raw retention: `registry-insights prune-raw` removes raw files the warehouse has taken in
once they are older than the retention, and records them in a manifest in the raw folder
(see :mod:`.prune` and docs/operations.md, "Retention")."""

from registry_insights.retention.prune import (
    MANIFEST,
    PruneError,
    PruneReport,
    prune_raw,
    read_manifest,
)

__all__ = ["MANIFEST", "PruneError", "PruneReport", "prune_raw", "read_manifest"]
