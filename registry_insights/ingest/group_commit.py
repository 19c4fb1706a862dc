"""Group commit for the collector: envelopes that arrive while a commit is under way
are stored together in the next transaction, so concurrent senders share one fsync.
Each sender is answered only after the transaction holding its envelope committed;
if that transaction fails, every envelope in it fails (and is retried by its sender).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Sequence
from typing import Any

from registry_insights.ingest.events import Event
from registry_insights.ingest.store import EventStore

#: Most envelopes committed in one transaction.
MAX_GROUP = 256

_Item = tuple[Sequence[Event], Sequence[dict[str, Any]], asyncio.Future[int]]


class GroupCommitter:
    """One writer thread in front of an :class:`EventStore`."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    async def add(self, events: Sequence[Event], documents: Sequence[dict[str, Any]]) -> int:
        """Store one envelope durably; the number of new events."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.put((events, documents, future))
        return await future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                group.append(item)
            self._commit(group)

    def _commit(self, group: list[_Item]) -> None:
        try:
            stored = self.store.add_envelopes([(events, docs) for events, docs, _ in group])
        except Exception as error:  # every sender of the group gets the failure
            for _, _, future in group:
                future.get_loop().call_soon_threadsafe(_fail, future, error)
            return
        for (_, _, future), count in zip(group, stored, strict=True):
            future.get_loop().call_soon_threadsafe(_succeed, future, count)


def _succeed(future: asyncio.Future[int], count: int) -> None:
    if not future.done():
        future.set_result(count)


def _fail(future: asyncio.Future[int], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)
