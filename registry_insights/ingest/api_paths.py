"""What a registry API path asks for: a manifest or blob request (the raw contract's
requests), or another endpoint (counted by category, not ingested)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_MANIFEST = re.compile(r"/v2/(?P<name>.+)/manifests/(?P<reference>[^/]+)")
_BLOB_UPLOAD = re.compile(r"/v2/(?P<name>.+)/blobs/uploads(?:/.*)?")
_BLOB = re.compile(r"/v2/(?P<name>.+)/blobs/(?P<reference>[^/]+)")
_TAGS = re.compile(r"/v2/(?P<name>.+)/tags/list")
_REFERRERS = re.compile(r"/v2/(?P<name>.+)/referrers/[^/]+")
DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}")
#: Docker Hub's convention: a single-component name is an official image.
OFFICIAL_NAMESPACE = "library"


@dataclass(frozen=True)
class ApiRequest:
    """A manifest or blob request, as the raw contract states it."""

    object_type: str  # "manifest" or "blob"
    repository: str
    reference: str


def normalise_repository(name: str) -> str:
    """``alpine`` -> ``library/alpine`` (the contract wants ``namespace/name``)."""
    name = name.strip("/")
    return name if "/" in name else f"{OFFICIAL_NAMESPACE}/{name}"


def is_digest(reference: str | None) -> bool:
    return reference is not None and DIGEST.fullmatch(reference) is not None


def path_of(uri: str) -> str:
    """The decoded path of a request URI or absolute URL (query string dropped)."""
    return unquote(urlsplit(uri).path) or "/"


def classify_path(uri: str) -> ApiRequest | str:
    """An :class:`ApiRequest`, or the category of a path that is not one."""
    path = path_of(uri)
    if path.rstrip("/") == "/v2":
        return "api_base"
    if path.startswith("/v2/_catalog"):
        return "catalog"
    if not path.startswith("/v2/"):
        return "not_registry_api"
    if _BLOB_UPLOAD.fullmatch(path):
        return "blob_upload"
    for pattern, object_type in ((_MANIFEST, "manifest"), (_BLOB, "blob")):
        match = pattern.fullmatch(path)
        if match:
            return ApiRequest(object_type, normalise_repository(match["name"]), match["reference"])
    if _TAGS.fullmatch(path):
        return "tags_list"
    if _REFERRERS.fullmatch(path):
        return "referrers"
    return "other_api"
