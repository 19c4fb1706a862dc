"""Downloads: the export files behind the signed links that `exports` hands out. The
link, not a token, is the credential, so that it works from any HTTP client: 403 when
it was altered, 410 once it expired (`registry_insights.api.signing`)."""

import datetime
import pathlib

from fastapi import APIRouter
from fastapi.responses import FileResponse

from registry_insights.api.config import ServerConfig
from registry_insights.api.dependencies import Config, SharedWarehouse, Warehouse, not_found
from registry_insights.api.export_cache import export_parts
from registry_insights.api.routes import API_PREFIX
from registry_insights.api.schemas import DataviewType
from registry_insights.api.signing import verify

router = APIRouter()


def download_path(
    namespace: str, dataview: str, granularity: str, date_reference: datetime.date, part: int
) -> str:
    """The path of one export file, the part of a download link that is signed."""
    return (
        f"{API_PREFIX}/downloads/{namespace}/{dataview}/{granularity}/"
        f"{date_reference.isoformat()}/{part}"
    )


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


@router.get("/downloads/{namespace}/{dataview}/{granularity}/{date_reference}/{part}")
def download(
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
    """A file behind a signed link: 403 when the link was altered, 410 once expired."""
    path = download_path(namespace, dataview.value, granularity, date_reference, part)
    verify(config.signing_secret, path, expires, signature)
    files = export_files(config, warehouse, namespace, dataview, granularity, date_reference)
    if not 0 <= part < len(files):
        raise not_found()
    return FileResponse(files[part], media_type="application/gzip", filename=files[part].name)
