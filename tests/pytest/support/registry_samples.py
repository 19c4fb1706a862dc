"""Registry output shaped like what distribution 2.8 really writes (captured from the
Debian docker-registry 2.8.2 and reduced), for the ingestion tests and the load
generator: logrus JSON and text "response completed" lines, access-log lines,
notification events and envelopes."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

ENVELOPE_V1 = "application/vnd.docker.distribution.events.v1+json"
ENVELOPE_V2 = "application/vnd.docker.distribution.events.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def request_fields(
    request_id: str,
    uri: str,
    *,
    method: str = "GET",
    status: int = 200,
    written: int = 401,
    time: str = "2026-11-28T04:14:51.650038709Z",
    remoteaddr: str = "127.0.0.1:50784",
    useragent: str | None = "skopeo/1.9.3",
    content_type: str = OCI_MANIFEST,
    user: str | None = None,
) -> dict[str, Any]:
    """The fields of one "response completed" line."""
    fields: dict[str, Any] = {
        "go.version": "go1.19.8",
        "http.request.host": "127.0.0.1:5999",
        "http.request.id": request_id,
        "http.request.method": method,
        "http.request.remoteaddr": remoteaddr,
        "http.request.uri": uri,
        "http.response.contenttype": content_type,
        "http.response.duration": "612.078µs",
        "http.response.status": status,
        "http.response.written": written,
        "level": "info" if status < 400 else "error",
        "msg": "response completed" if status < 400 else "response completed with error",
        "time": time,
    }
    if useragent is not None:
        fields["http.request.useragent"] = useragent
    if user is not None:
        fields["auth.user.name"] = user
    return fields


def json_line(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)


def _text_value(value: Any) -> str:
    text = str(value)
    if text and all(c.isalnum() or c in "-._/@^+" for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def text_line(fields: dict[str, Any]) -> str:
    """logrus' text formatter: time, level, msg first, then the fields sorted."""
    head = [f"time={_text_value(fields['time'])}", f"level={fields['level']}"]
    head.append(f"msg={_text_value(fields['msg'])}")
    rest = [
        f"{key}={_text_value(value)}"
        for key, value in sorted(fields.items())
        if key not in ("time", "level", "msg")
    ]
    return " ".join(head + rest)


def access_line(uri: str, status: int = 200, size: int = 401, ua: str = "skopeo/1.9.3") -> str:
    return (
        f'127.0.0.1 - - [28/Nov/2026:04:14:51 +0000] "GET {uri} HTTP/1.1" {status} {size} "" "{ua}"'
    )


def event(
    request_id: str,
    repository: str,
    digest: str,
    *,
    action: str = "pull",
    method: str = "GET",
    tag: str | None = None,
    media_type: str = OCI_MANIFEST,
    size: int = 401,
    addr: str = "127.0.0.1:50784",
    useragent: str = "skopeo/1.9.3",
    timestamp: str = "2026-11-28T04:14:51.649038709Z",
    event_id: str | None = None,
    actor: str | None = None,
    kind: str = "manifests",
) -> dict[str, Any]:
    target: dict[str, Any] = {
        "mediaType": media_type,
        "size": size,
        "digest": digest,
        "length": size,
        "repository": repository,
        "url": f"http://127.0.0.1:5999/v2/{repository}/{kind}/{digest}",
    }
    if tag is not None:
        target["tag"] = tag
    return {
        "id": event_id or str(uuid.uuid4()),
        "timestamp": timestamp,
        "action": action,
        "target": target,
        "request": {
            "id": request_id,
            "addr": addr,
            "host": "127.0.0.1:5999",
            "method": method,
            "useragent": useragent,
        },
        "actor": {"name": actor} if actor else {},
        "source": {"addr": "vm:5999", "instanceID": "bb1d6720-ba39-4e87-8ebf-a870b7a39884"},
    }


def envelope(*events: dict[str, Any]) -> str:
    return json.dumps({"events": list(events)}, indent=3)
