"""Tiny OCI image layouts built in Python (no Docker daemon), for the end-to-end test.

`single_arch_layout` writes one image; `multi_arch_layout` writes an image index over
linux/amd64 and linux/arm64. Layers are small, deterministic tar.gz files; every
descriptor carries the blob's real sha256 digest and size.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int

    def as_json(self) -> dict[str, object]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


@dataclass(frozen=True)
class BuiltImage:
    """What a layout holds: the top descriptor (manifest or index) and, for an index,
    the platform manifests by `os/arch`."""

    layout: Path
    tag: str
    top: Descriptor
    platforms: dict[str, Descriptor]


def _write_blob(layout: Path, media_type: str, data: bytes) -> Descriptor:
    digest = hashlib.sha256(data).hexdigest()
    path = layout / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Descriptor(media_type, f"sha256:{digest}", len(data))


def _canonical(document: dict[str, object]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _layer(text: str) -> tuple[bytes, str]:
    """A gzip'd tar with one file, and the sha256 of the uncompressed tar (diff id)."""
    payload = text.encode()
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = len(payload)
        info.mtime = 0
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(payload))
    raw = tar_bytes.getvalue()
    return gzip.compress(raw, mtime=0), f"sha256:{hashlib.sha256(raw).hexdigest()}"


def _image_manifest(layout: Path, architecture: str, text: str) -> Descriptor:
    layer_bytes, diff_id = _layer(text)
    layer = _write_blob(layout, OCI_LAYER, layer_bytes)
    config = _write_blob(
        layout,
        OCI_CONFIG,
        _canonical(
            {
                "architecture": architecture,
                "os": "linux",
                "config": {"Cmd": ["/hello.txt"]},
                "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            }
        ),
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.as_json(),
        "layers": [layer.as_json()],
    }
    return _write_blob(layout, OCI_MANIFEST, _canonical(manifest))


def _finish_layout(layout: Path, tag: str, top: Descriptor) -> None:
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    entry = {**top.as_json(), "annotations": {REF_NAME: tag}}
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}
    (layout / "index.json").write_text(json.dumps(index))


def single_arch_layout(layout: Path, tag: str, text: str = "single") -> BuiltImage:
    manifest = _image_manifest(layout, "amd64", text)
    _finish_layout(layout, tag, manifest)
    return BuiltImage(layout, tag, manifest, {})


def multi_arch_layout(layout: Path, tag: str, text: str = "multi") -> BuiltImage:
    platforms = {
        f"linux/{arch}": _image_manifest(layout, arch, f"{text} {arch}")
        for arch in ("amd64", "arm64")
    }
    entries = [
        {**descriptor.as_json(), "platform": {"os": "linux", "architecture": key.split("/")[1]}}
        for key, descriptor in platforms.items()
    ]
    index = _write_blob(
        layout,
        OCI_INDEX,
        _canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
    )
    _finish_layout(layout, tag, index)
    return BuiltImage(layout, tag, index, platforms)
