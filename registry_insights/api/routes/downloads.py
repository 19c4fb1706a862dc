"""Downloads: the export files behind the signed links that `exports` hands out. The
link, not a token, is the credential, so that it works from any HTTP client
(`registry_insights.api.signing`): 403 unless the request is the link exactly as it was
handed out, 410 once it expired, and 403 once the account that asked for it may no
longer read its namespace. Any other request under /downloads/ answers 403 too
(`refuse_other_downloads`), malformed path parameters included."""

import datetime
import pathlib
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.convertors import Convertor, register_url_convertor

from registry_insights.api.audit import note_account
from registry_insights.api.config import ServerConfig
from registry_insights.api.dependencies import Config, SharedWarehouse, Warehouse, not_found
from registry_insights.api.export_cache import export_parts
from registry_insights.api.routes import API_PREFIX
from registry_insights.api.schemas import DataviewType
from registry_insights.api.signing import MALFORMED, LinkRefused, verify

DOWNLOADS = "/downloads"
DOWNLOAD = DOWNLOADS + "/{namespace}/{dataview}/{granularity}/{date_reference}/{part}"
REVOKED = "download link refused: its account may no longer read the namespace"

router = APIRouter()

REFUSED_RESPONSES: dict[int | str, dict[str, object]] = {
    403: {"description": "The link was altered or malformed, or its account lost access."},
    404: {"description": "The signed part does not exist (any more)."},
    410: {"description": "The link has expired."},
}


def download_path(
    namespace: str, dataview: str, granularity: str, date_reference: datetime.date, part: int
) -> str:
    """The path of one export file, the part of a download link that is signed: its one
    spelling (segments percent-encoded, ISO date, decimal part)."""
    segments = (namespace, dataview, granularity, date_reference.isoformat(), str(part))
    return f"{API_PREFIX}{DOWNLOADS}/" + "/".join(quote(s, safe="") for s in segments)


def export_files(
    config: ServerConfig,
    warehouse: SharedWarehouse,
    namespace: str,
    dataview: DataviewType,
    granularity: str,
    start: datetime.date,
) -> list[pathlib.Path]:
    """The namespace's files of one dataview period, written into the cache first when
    it lacks them."""
    return export_parts(
        warehouse.cursor(),
        config.export_cache,
        config.database,
        dataview.value,
        granularity,
        start,
        namespace,
        config.max_file_bytes,
    )


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.split(b"?", 1)[0].decode("latin-1")
    return quote(request.scope["path"], safe="/")


@router.get(DOWNLOAD, responses=REFUSED_RESPONSES)
def download(
    request: Request,
    namespace: str,
    dataview: DataviewType,
    granularity: str,
    date_reference: datetime.date,
    part: int,
    config: Config,
    warehouse: Warehouse,
    expires: str | None = None,
    signature: str | None = None,
) -> FileResponse:
    """A file behind a signed link: 403 when the link was altered or its account may no
    longer read the namespace, 410 once expired."""
    del expires, signature  # declared for the OpenAPI document; checked raw by `verify`
    path = download_path(namespace, dataview.value, granularity, date_reference, part)
    account = verify(
        config.signing_secret,
        path,
        _raw_path(request),
        request.scope.get("query_string", b"").decode("latin-1"),
        config.access.namespaces_by_account,
        request.app.state.clock(),
    )
    note_account(request.scope, account)
    files = export_files(config, warehouse, namespace, dataview, granularity, date_reference)
    if not 0 <= part < len(files):
        raise not_found()
    if account is None or namespace not in config.access.namespaces_of(account):
        raise LinkRefused(403, REVOKED)
    return FileResponse(files[part], media_type="application/gzip", filename=files[part].name)


class _AnythingConvertor(Convertor[str]):
    """Like Starlette's `path`, but also across newlines (`%0A` in a path)."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anything", _AnythingConvertor())
OTHER_DOWNLOADS = DOWNLOADS + "/{rest:anything}"


def refuse_other_downloads(rest: str) -> None:
    """Every other request under /downloads/: 403, as for any link that is not one."""
    del rest
    raise LinkRefused(403, MALFORMED)
