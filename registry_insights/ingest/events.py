"""Notification envelopes of a distribution registry, validated.

The registry POSTs ``{"events": [...]}`` with media type
``application/vnd.docker.distribution.events.v1+json`` (distribution 2.x) or
``...events.v2+json`` (distribution 3). An event has ``id``, ``timestamp``, ``action``
(``pull``, ``push``, ``mount``, ``delete``), ``target`` (``mediaType``, ``digest``,
``size``, ``length``, ``repository``, ``url``, ``tag``), ``request`` (``id``, ``addr``,
``host``, ``method``, ``useragent``), ``actor`` (``name``) and ``source``. Fields we do
not use are kept (``extra="allow"``), so a stored event is what the registry sent.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from registry_insights.ingest.api_paths import DIGEST
from registry_insights.ingest.timestamps import parse_rfc3339

ENVELOPE_V1 = "application/vnd.docker.distribution.events.v1+json"
ENVELOPE_V2 = "application/vnd.docker.distribution.events.v2+json"
ENVELOPE_MEDIA_TYPES = frozenset({ENVELOPE_V1, ENVELOPE_V2, "application/json"})
PULL = "pull"
KNOWN_ACTIONS = frozenset({"pull", "push", "mount", "delete"})


class EnvelopeError(ValueError):
    """A malformed envelope; the message is the reason given to the sender."""


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class Target(_Lenient):
    media_type: str | None = Field(default=None, alias="mediaType")
    digest: str | None = None
    size: int | None = None
    length: int | None = None
    repository: str | None = None
    url: str | None = None
    tag: str | None = None

    @field_validator("digest")
    @classmethod
    def _digest_shape(cls, value: str | None) -> str | None:
        if value is not None and value != "" and DIGEST.fullmatch(value) is None:
            raise ValueError(f"not a digest: {value!r}")
        return value or None


class RequestRecord(_Lenient):
    id: str | None = None
    addr: str | None = None
    host: str | None = None
    method: str | None = None
    useragent: str | None = None


class Actor(_Lenient):
    name: str | None = None


class Event(_Lenient):
    id: str = Field(min_length=1)
    timestamp: datetime.datetime
    action: str = Field(min_length=1)
    target: Target = Field(default_factory=Target)
    request: RequestRecord = Field(default_factory=RequestRecord)
    actor: Actor = Field(default_factory=Actor)

    @field_validator("timestamp", mode="before")
    @classmethod
    def _rfc3339(cls, value: object) -> datetime.datetime:
        parsed = parse_rfc3339(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
        return parsed

    @model_validator(mode="after")
    def _pull_is_complete(self) -> Event:
        if self.action == PULL:
            missing = [
                name
                for name, value in (
                    ("target.repository", self.target.repository),
                    ("target.digest", self.target.digest),
                    ("request.method", self.request.method),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"pull event without {', '.join(missing)}")
        return self

    @property
    def request_id(self) -> str:
        """The id of the HTTP request behind the event (the event id if absent)."""
        return self.request.id or self.id


class Envelope(_Lenient):
    events: list[Event]


def _reason(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "envelope"
    return f"{where}: {first['msg']}" + (
        f" ({error.error_count()} errors)" if error.error_count() > 1 else ""
    )


def parse_envelope(body: bytes | str) -> tuple[list[Event], list[dict[str, Any]]]:
    """The validated events of an envelope and their original JSON objects.
    Raises :class:`EnvelopeError` with a reason when anything in it is malformed."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise EnvelopeError(f"body is not JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise EnvelopeError('envelope must be a JSON object with an "events" array')
    originals = document["events"]
    try:
        envelope = Envelope.model_validate(document)
    except ValidationError as error:
        raise EnvelopeError(_reason(error)) from error
    return envelope.events, originals


def parse_event(document: dict[str, Any]) -> Event:
    """One event; raises :class:`EnvelopeError` with a reason."""
    try:
        return Event.model_validate(document)
    except ValidationError as error:
        raise EnvelopeError(_reason(error)) from error
