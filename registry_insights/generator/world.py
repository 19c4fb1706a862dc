"""Everything that is fixed for a whole dataset: catalog, accounts, clients, rhythms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from registry_insights.generator.accounts import (
    Accounts,
    Companies,
    build_accounts,
    build_companies,
    company_count,
)
from registry_insights.generator.activity import TimeDensity, group_shapes
from registry_insights.generator.client_kinds import (
    CI,
    HUMAN,
    KIND_INDEX,
    KINDS,
    N_GROUPS,
    REGION_OFFSETS_H,
)
from registry_insights.generator.clients import Clients, ClientSampler, build_clients
from registry_insights.generator.config import GeneratorConfig
from registry_insights.generator.identifiers import (
    STREAM_ACCOUNTS,
    STREAM_CATALOG,
    STREAM_CLIENTS,
    stream,
)
from registry_insights.generator.image_catalog import Catalog, build_catalog


def _strings(values: tuple[str, ...]) -> pa.StringArray:
    array = pa.array(values, type=pa.string())
    assert isinstance(array, pa.StringArray)
    return array


def _kind_values(name: str) -> NDArray[np.float64]:
    return np.asarray([getattr(k, name) for k in KINDS], dtype=np.float64)


@dataclass(frozen=True)
class World:
    """The fixed population a dataset is drawn from."""

    config: GeneratorConfig
    catalog: Catalog
    companies: Companies
    accounts: Accounts
    clients: Clients
    # per client kind
    cache_rate: NDArray[np.float64]
    cold_rate: NDArray[np.float64]
    challenge_rate: NDArray[np.float64]
    head_blobs: NDArray[np.float64]
    head_first: NDArray[np.bool_]
    favourite_rate: NDArray[np.float64]
    rate_limit: NDArray[np.float64]
    # per activity group
    group_samplers: tuple[ClientSampler, ...]
    group_densities: tuple[TimeDensity, ...]
    group_activity: NDArray[np.float64]
    # special pools
    head_first_sampler: ClientSampler
    get_first_sampler: ClientSampler
    desktop_samplers: tuple[ClientSampler, ...]
    multi_repo_cum: NDArray[np.float64]
    repository_vocab: pa.StringArray
    account_vocab: pa.StringArray


def build_world(config: GeneratorConfig) -> World:
    catalog_rng = stream(config.seed, STREAM_CATALOG)
    companies = build_companies(catalog_rng, company_count(config.n_accounts, config.n_namespaces))
    catalog = build_catalog(catalog_rng, config.n_namespaces, config.days, list(companies.words))
    accounts = build_accounts(stream(config.seed, STREAM_ACCOUNTS), config.n_accounts, companies)
    clients = build_clients(
        stream(config.seed, STREAM_CLIENTS), config.n_clients, catalog, accounts, companies
    )

    samplers = tuple(ClientSampler.of(clients, clients.group == g) for g in range(N_GROUPS))
    shapes = group_shapes(config.start_date, config.days)
    densities = tuple(TimeDensity(shape / shape.mean()) for shape in shapes)
    activity = np.asarray([s.total for s in samplers])

    head_first = np.asarray([k.head_first for k in KINDS], dtype=np.bool_)
    profiles = np.asarray([k.profile for k in KINDS])
    desktop = clients.kind == KIND_INDEX["docker_desktop"]
    n_regions = len(REGION_OFFSETS_H)
    desktop_samplers = tuple(
        ClientSampler.of(clients, desktop & (clients.group == HUMAN * n_regions + r))
        for r in range(n_regions)
    )
    pullers = np.isin(
        clients.kind, [KIND_INDEX[n] for n in ("docker_desktop", "docker_engine", "containerd")]
    )
    getters = np.isin(
        clients.kind, [KIND_INDEX[n] for n in ("podman", "k8s_crio", "skopeo", "kaniko")]
    )
    multi_weight = np.where(catalog.repo_all_multi, catalog.repo_weight, 0.0)
    return World(
        config=config,
        catalog=catalog,
        companies=companies,
        accounts=accounts,
        clients=clients,
        cache_rate=_kind_values("cache_rate"),
        cold_rate=_kind_values("cold_rate"),
        challenge_rate=_kind_values("challenge_rate"),
        head_blobs=_kind_values("head_blobs"),
        head_first=head_first,
        favourite_rate=_kind_values("favourite_rate"),
        rate_limit=np.where(profiles == CI, 0.04, 0.01),
        group_samplers=samplers,
        group_densities=densities,
        group_activity=activity,
        head_first_sampler=ClientSampler.of(
            clients, pullers if pullers.any() else head_first[clients.kind]
        ),
        get_first_sampler=ClientSampler.of(
            clients, getters if getters.any() else ~head_first[clients.kind]
        ),
        desktop_samplers=desktop_samplers,
        multi_repo_cum=np.cumsum(multi_weight),
        repository_vocab=_strings(catalog.repositories),
        account_vocab=_strings(accounts.ids),
    )
