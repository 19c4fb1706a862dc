"""Request rows as integer codes, before they become strings.

Sequences emit rows into a :class:`RowSink`; a block of rows is a
:class:`RequestRows` of parallel numpy columns (codes into the vocabularies of
the catalog and the client population). Strings are only made when a block is
written, which keeps generation vectorised and memory small.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

# http_method codes
GET, HEAD, POST, PUT = 0, 1, 2, 3
METHODS: tuple[str, ...] = ("GET", "HEAD", "POST", "PUT")
# object_type codes
MANIFEST, BLOB, TAG_LIST = 0, 1, 2
OBJECT_TYPES: tuple[str, ...] = ("manifest", "blob", "tag_list")

IntLike = NDArray[np.integer] | int
BoolLike = NDArray[np.bool_] | bool


@dataclass
class RequestRows:
    """Parallel columns of request rows; -1 marks a null code."""

    session: NDArray[np.int32]
    ts: NDArray[np.int64]  # microseconds from the period start
    method: NDArray[np.int8]
    obj: NDArray[np.int8]
    repo: NDArray[np.int32]
    ref: NDArray[np.int32]
    resp: NDArray[np.int32]
    media: NDArray[np.int8]
    status: NDArray[np.int32]
    nbytes: NDArray[np.int64]
    client: NDArray[np.int32]
    account: NDArray[np.int32]
    protected: NDArray[np.bool_]
    hide: NDArray[np.bool_]  # answer without its digest (registries that omit the header)
    ip_null: NDArray[np.bool_]
    eid: NDArray[np.uint8]  # (n, 16) event-id bytes
    eid_null: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, index: NDArray[np.integer] | NDArray[np.bool_]) -> RequestRows:
        return RequestRows(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @classmethod
    def concat(cls, parts: list[RequestRows]) -> RequestRows:
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )


class RowSink:
    """Collects rows emitted by the sequences, column by column."""

    _COLUMNS = (
        "session",
        "ts",
        "method",
        "ref",
        "resp",
        "status",
        "client",
        "account",
        "repo",
        "protected",
        "hide",
    )

    def __init__(self) -> None:
        self._parts: dict[str, list[NDArray[np.generic]]] = {c: [] for c in self._COLUMNS}

    def emit(
        self,
        *,
        session: NDArray[np.int32],
        client: NDArray[np.int32],
        repo: NDArray[np.int32],
        account: NDArray[np.int32],
        ts: NDArray[np.int64],
        method: IntLike,
        ref: IntLike,
        resp: IntLike,
        status: IntLike,
        protected: BoolLike = False,
        hide: BoolLike = False,
    ) -> None:
        n = len(session)
        if n == 0:
            return
        values: dict[str, IntLike | BoolLike | NDArray[np.generic]] = {
            "session": session,
            "ts": ts,
            "method": method,
            "ref": ref,
            "resp": resp,
            "status": status,
            "client": client,
            "account": account,
            "repo": repo,
            "protected": protected,
            "hide": hide,
        }
        for name, value in values.items():
            self._parts[name].append(np.broadcast_to(np.asarray(value), (n,)))

    def _column(self, name: str, dtype: type[np.generic]) -> NDArray[Any]:
        parts = self._parts[name]
        if not parts:
            return np.empty(0, dtype=dtype)
        return np.concatenate(parts, dtype=dtype, casting="same_kind")

    def build(self) -> RequestRows:
        n = sum(len(p) for p in self._parts["ts"])
        return RequestRows(
            session=self._column("session", np.int32),
            ts=self._column("ts", np.int64),
            method=self._column("method", np.int8),
            obj=np.zeros(n, dtype=np.int8),
            repo=self._column("repo", np.int32),
            ref=self._column("ref", np.int32),
            resp=self._column("resp", np.int32),
            media=np.full(n, -1, dtype=np.int8),
            status=self._column("status", np.int32),
            nbytes=np.zeros(n, dtype=np.int64),
            client=self._column("client", np.int32),
            account=self._column("account", np.int32),
            protected=self._column("protected", np.bool_),
            hide=self._column("hide", np.bool_),
            ip_null=np.zeros(n, dtype=np.bool_),
            eid=np.zeros((n, 16), dtype=np.uint8),
            eid_null=np.zeros(n, dtype=np.bool_),
        )
