"""Ingestion from a real distribution registry (`registry:2`, Harbor, GitLab).

Two sources feed the raw contract's ``raw_registry_requests``:

- the registry's notifications (``events``), received and stored by the collector
  (:mod:`.collector`, :mod:`.store`) or read from a capture (:mod:`.notifications`);
- its application log (:mod:`.log_lines`), one "response completed" line per request.

:mod:`.join` joins them by request id into raw rows, :mod:`.raw_output` appends those
rows as day-partitioned Parquet without duplicating a request already present.
"""
