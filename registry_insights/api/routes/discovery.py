"""Discovery: the namespaces a token may read, each with its datasets, views and
timespans."""

from fastapi import APIRouter

from registry_insights.api import queries
from registry_insights.api.dependencies import (
    TOKEN_RESPONSES,
    Namespaces,
    SharedWarehouse,
    Warehouse,
    visible,
)
from registry_insights.api.parameters import NamespacePath
from registry_insights.api.schemas import (
    DatasetModel,
    DatasetType,
    DataviewType,
    NamespaceData,
    NamespaceMetadata,
    TimespanType,
)
from registry_insights.publishing.catalog import DATAVIEWS, Kind

VIEWS_BY_DATASET = {
    kind: [DataviewType(name) for name, view in DATAVIEWS.items() if view.kind is kind]
    for kind in (Kind.PULLS_EXPORT, Kind.EXTENSIONS_EXPORT)
}

router = APIRouter(tags=["discovery"], responses=TOKEN_RESPONSES)


def metadata(warehouse: SharedWarehouse, namespace: str) -> NamespaceMetadata:
    """The datasets of a namespace: pulls always, extensions when it publishes some."""
    publisher_type, publishes_extensions = queries.namespace_profile(warehouse.cursor(), namespace)
    timespans = list(TimespanType)
    datasets = [
        DatasetModel(
            name=DatasetType.pulls,
            views=VIEWS_BY_DATASET[Kind.PULLS_EXPORT],
            timespans=timespans,
        )
    ]
    if publishes_extensions:
        datasets.append(
            DatasetModel(
                name=DatasetType.extensions,
                views=VIEWS_BY_DATASET[Kind.EXTENSIONS_EXPORT],
                timespans=timespans,
            )
        )
    return NamespaceMetadata(
        namespace=namespace,
        datasets=datasets,
        extensionPublisher=publishes_extensions,
        publisherType=publisher_type,
    )


@router.get("/", response_model=NamespaceData)
def get_namespaces(namespaces: Namespaces) -> NamespaceData:
    """The namespaces this token may read."""
    return NamespaceData(namespaces=sorted(namespaces))


@router.get("/namespaces", response_model=list[NamespaceMetadata])
def get_user_namespaces(namespaces: Namespaces, warehouse: Warehouse) -> list[NamespaceMetadata]:
    """Each readable namespace with its datasets, views and timespans."""
    return [metadata(warehouse, namespace) for namespace in sorted(namespaces)]


@router.get("/namespaces/{namespace}", response_model=NamespaceMetadata)
def get_namespace(
    namespace: NamespacePath, namespaces: Namespaces, warehouse: Warehouse
) -> NamespaceMetadata:
    """One namespace's datasets, views and timespans."""
    return metadata(warehouse, visible(namespace, namespaces))
