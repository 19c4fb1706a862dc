"""Runs the dbt-compiled classification model on arbitrary request rows.

The model `int_pull_actions_classified` is compiled once by dbt (so the SQL under
test is exactly what `dbt build` runs, macro included); each test then loads its
own rows into `staging.stg_registry__requests` of a scratch DuckDB database with
the same name (the client IP normalised by the dbt-compiled `normalise_ip` macro, as
staging does), and their raw client columns into `staging.base_registry__requests`,
where the model finds the values it pseudonymises (the address as written, as the base
view has it); then it runs the compiled query, in a session holding the HMAC pads of
the tests' pseudonym secret, as the dbt plugin sets them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from registry_insights.pseudonyms.duckdb_pads import set_pad_variables
from registry_insights.pull_actions import ManifestRequest, PullAction, classify
from support.warehouse_build import dbt_compiled_code

STAGING_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("occurred_at", pa.timestamp("us")),
        ("http_method", pa.string()),
        ("object_type", pa.string()),
        ("repository", pa.string()),
        ("namespace", pa.string()),
        ("repository_name", pa.string()),
        ("reference", pa.string()),
        ("reference_kind", pa.string()),
        ("tag", pa.string()),
        ("requested_digest", pa.string()),
        ("response_digest", pa.string()),
        ("media_type", pa.string()),
        ("status_code", pa.int32()),
        ("is_successful", pa.bool_()),
        ("response_bytes", pa.int64()),
        ("client_ip", pa.string()),
        ("user_agent", pa.string()),
        ("account_id", pa.string()),
    ]
)


@dataclass(frozen=True, order=True)
class ActionRow:
    """The comparable outcome of one action."""

    action_id: str
    action: str
    request_count: int
    digest: str | None
    platform_digest: str | None
    tag: str | None
    repository: str | None


def compile_model(work_dir: Path, model: str, variables: str = "{}") -> str:
    """Compile one model with dbt against `<work_dir>/classification.duckdb`; return its SQL."""
    return dbt_compiled_code(work_dir, "classification", "--select", model, "--vars", variables)


def requests_table(requests: Iterable[ManifestRequest]) -> pa.Table:
    """The staging-model rows for these requests."""
    rows: dict[str, list[object]] = {name: [] for name in STAGING_SCHEMA.names}
    for request in requests:
        by_digest = request.is_by_digest
        repository = request.repository
        namespace, _, name = (repository or "").partition("/")
        values: dict[str, object] = {
            "event_id": request.event_id,
            "occurred_at": request.occurred_at.replace(tzinfo=None),
            "http_method": request.http_method,
            "object_type": request.object_type,
            "repository": repository,
            "namespace": namespace if repository else None,
            "repository_name": name if repository else None,
            "reference": request.reference,
            "reference_kind": "digest" if by_digest else "tag",
            "tag": None if by_digest else request.reference,
            "requested_digest": request.reference if by_digest else None,
            "response_digest": request.response_digest,
            "media_type": None,
            "status_code": request.status_code,
            "is_successful": 200 <= request.status_code <= 299,
            "response_bytes": None,
            "client_ip": request.client_ip,
            "user_agent": request.user_agent,
            "account_id": request.account_id,
        }
        for name_, value in values.items():
            rows[name_].append(value)
    return pa.table(rows, schema=STAGING_SCHEMA)


class SqlClassifier:
    """Loads rows into a scratch staging table and runs the compiled model."""

    def __init__(self, database_path: Path, compiled_sql: str, normalise_sql: str) -> None:
        self.connection = duckdb.connect(str(database_path))
        self.connection.execute("set TimeZone = 'UTC'")
        self.connection.execute("create schema if not exists staging")
        set_pad_variables(self.connection)
        self.compiled_sql = compiled_sql
        self.normalise_sql = normalise_sql

    def classify(self, requests: Iterable[ManifestRequest]) -> list[ActionRow]:
        self.load(requests)
        result = self.connection.execute(
            "select action_id, action, request_count, digest, platform_digest, tag, repository "
            f"from ({self.compiled_sql}) as model"
        ).fetchall()
        return sorted(ActionRow(*row) for row in result)

    def pseudonyms(
        self, requests: Iterable[ManifestRequest]
    ) -> dict[str, tuple[str | None, str | None]]:
        """Each action's (client_ip_hash, account_id_hash), by action id."""
        self.load(requests)
        result = self.connection.execute(
            f"select action_id, client_ip_hash, account_id_hash from ({self.compiled_sql}) as model"
        ).fetchall()
        return {action_id: (ip_hash, account_hash) for action_id, ip_hash, account_hash in result}

    def load(self, requests: Iterable[ManifestRequest]) -> None:
        """The requests as the staging view and the base view show them to the model."""
        table = requests_table(requests)
        self.connection.register("incoming_requests", table)
        try:
            self.connection.execute(
                f"create or replace table staging.stg_registry__requests as {self.normalise_sql}"
            )
            self.connection.execute(
                "create or replace table staging.base_registry__requests as "
                "select client_ip as client_ip_text, account_id from incoming_requests"
            )
        finally:
            self.connection.unregister("incoming_requests")

    def close(self) -> None:
        self.connection.close()


@contextmanager
def sql_classifier(work_dir: Path, window_seconds: float = 60) -> Iterator[SqlClassifier]:
    compiled = compile_model(
        work_dir,
        "int_pull_actions_classified",
        f"{{pull_action_window_seconds: {window_seconds}}}",
    )
    normalise = dbt_compiled_code(
        work_dir,
        "classification",
        "--inline",
        "select * replace ({{ normalise_ip('client_ip') }} as client_ip) from incoming_requests",
    )
    classifier = SqlClassifier(work_dir / "classification.duckdb", compiled, normalise)
    try:
        yield classifier
    finally:
        classifier.close()


def oracle_rows(requests: Iterable[ManifestRequest], window_seconds: float = 60) -> list[ActionRow]:
    """The reference implementation's actions, in the same comparable form."""
    return sorted(_as_row(action) for action in classify(requests, window_seconds))


def _as_row(action: PullAction) -> ActionRow:
    return ActionRow(
        action_id=action.action_id,
        action=action.action,
        request_count=action.request_count,
        digest=action.digest,
        platform_digest=action.platform_digest,
        tag=action.tag,
        repository=action.start.repository,
    )
