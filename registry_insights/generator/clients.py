"""The client population: machines, their user agents, addresses and accounts.

A client is one machine (an IP address and a user agent) of some *kind* (Docker
Desktop, a Kubernetes node, a CI job, a mirror, a script, ...). The kind decides
the request sequences it emits, how often, whether it authenticates and how much
it already has cached. Machines of one company share egress addresses (NAT) and
often one service account; Kubernetes nodes of a company run the same images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from registry_insights.generator.accounts import Accounts, Companies
from registry_insights.generator.addresses import addresses
from registry_insights.generator.client_kinds import (
    CLOUD,
    CLUSTER,
    HUMAN,
    KINDS,
    N_KINDS,
    REGION_OFFSETS_H,
    REGION_SHARES,
)
from registry_insights.generator.image_catalog import Catalog


@dataclass(frozen=True)
class Clients:
    """One row per client machine."""

    kind: NDArray[np.int8]
    profile: NDArray[np.int8]
    group: NDArray[np.int8]
    arm: NDArray[np.bool_]
    account: NDArray[np.int32]
    alt_account: NDArray[np.int32]
    company: NDArray[np.int32]
    agent: NDArray[np.int32]
    address: NDArray[np.int32]
    weight: NDArray[np.float64]
    favourite_repo: NDArray[np.int32]
    favourite_tag: NDArray[np.int32]
    agent_vocab: pa.StringArray
    address_vocab: pa.StringArray

    def __len__(self) -> int:
        return len(self.kind)


@dataclass(frozen=True)
class ClientSampler:
    """Draws clients of a subset in proportion to their activity."""

    members: NDArray[np.int32]
    cum: NDArray[np.float64]

    @classmethod
    def of(cls, clients: Clients, mask: NDArray[np.bool_]) -> ClientSampler:
        members = np.flatnonzero(mask).astype(np.int32)
        return cls(members, np.cumsum(clients.weight[members]))

    @property
    def total(self) -> float:
        return float(self.cum[-1]) if len(self.cum) else 0.0

    def sample(self, rng: np.random.Generator, n: int) -> NDArray[np.int32]:
        pos = np.searchsorted(self.cum, rng.random(n) * self.total, side="right")
        return self.members[np.minimum(pos, len(self.members) - 1)]


def build_clients(
    rng: np.random.Generator,
    n: int,
    catalog: Catalog,
    accounts: Accounts,
    companies: Companies,
) -> Clients:
    """``n`` client machines."""
    shares = np.asarray([k.share for k in KINDS])
    kind = rng.choice(N_KINDS, size=n, p=shares / shares.sum()).astype(np.int8)
    profile = np.asarray([k.profile for k in KINDS], dtype=np.int8)[kind]
    region = rng.choice(len(REGION_SHARES), size=n, p=REGION_SHARES).astype(np.int8)
    arm = rng.random(n) < np.asarray([k.arm_rate for k in KINDS])[kind]
    sigma = np.asarray([0.8, 1.2, 0.6, 1.0])[profile]
    weight = np.asarray([k.activity for k in KINDS])[kind] * rng.lognormal(-(sigma**2) / 2, sigma)

    # Accounts: people sign in with their own account; machines share a company's service account.
    authenticated = rng.random(n) < np.asarray([k.auth_rate for k in KINDS])[kind]
    account = np.full(n, -1, dtype=np.int32)
    n_acc = len(accounts)
    personal = authenticated & ((profile == HUMAN) | (rng.random(n) < 0.25))
    account[personal] = rng.integers(0, n_acc, int(personal.sum()))
    machine = authenticated & ~personal
    has_members = accounts.company_member_count > 0
    member_weight = np.where(has_members, companies.weight, 0.0)
    if member_weight.sum() > 0:
        chosen = rng.choice(
            len(companies), size=int(machine.sum()), p=member_weight / member_weight.sum()
        )
        slot = np.minimum(
            rng.integers(0, 3, len(chosen)), accounts.company_member_count[chosen] - 1
        )
        account[machine] = accounts.company_members[accounts.company_member_start[chosen] + slot]
    else:
        account[machine] = rng.integers(0, n_acc, int(machine.sum()))
    company = np.where(account >= 0, accounts.company[np.maximum(account, 0)], -1).astype(np.int32)
    # Anonymous machines of companies (pulling public images without logging in).
    anon_machine = (account < 0) & (profile != HUMAN) & (rng.random(n) < 0.5)
    company[anon_machine] = rng.choice(
        len(companies), size=int(anon_machine.sum()), p=companies.weight
    )
    alt_account = np.where(
        (account >= 0) & (rng.random(n) < 0.03), rng.integers(0, n_acc, n), -1
    ).astype(np.int32)

    # User agents.
    agent_text: dict[str | None, int] = {}
    agent = np.empty(n, dtype=np.int32)
    agent_pick = rng.random(n)
    for i in range(n):
        k = KINDS[int(kind[i])]
        pool = k.agents_arm64 if arm[i] else k.agents_amd64
        text = pool[int(agent_pick[i] * len(pool))]
        agent[i] = -1 if text is None else agent_text.setdefault(text, len(agent_text))

    # Addresses: companies have a few NAT egress addresses shared by their machines.
    n_companies = len(companies)
    office = addresses(rng, np.zeros(n_companies * 3, dtype=np.bool_))
    office_count = rng.integers(1, 4, n_companies)
    nat = addresses(rng, np.ones(n_companies * 4, dtype=np.bool_))
    nat_count = rng.integers(1, 5, n_companies)
    cloud = np.asarray([k.address for k in KINDS])[kind] == CLOUD
    own = addresses(rng, cloud)
    share = (company >= 0) & (rng.random(n) < np.where(cloud, 0.6, 0.5))
    c = np.maximum(company, 0)
    slot = (rng.random(n) * np.where(cloud, nat_count[c], office_count[c])).astype(np.int64)
    address_text: dict[str, int] = {}
    address = np.empty(n, dtype=np.int32)
    for i in range(n):
        if share[i]:
            text = nat[c[i] * 4 + slot[i]] if cloud[i] else office[c[i] * 3 + slot[i]]
        else:
            text = own[i]
        address[i] = address_text.setdefault(text, len(address_text))

    # Favourite images: what a machine usually runs. Kubernetes nodes of a company
    # share their company's deployments; publisher companies use their own images.
    company_ns = np.full(n_companies, -1, dtype=np.int32)
    for ns, c in enumerate(catalog.namespace_company.tolist()):
        if c >= 0 and catalog.namespace_has_repos[ns]:
            company_ns[c] = ns
    deploy_repo = catalog.sample_repos(rng, n_companies * 6).reshape(n_companies, 6)
    publisher = company_ns >= 0
    own_rows = np.repeat(publisher, 6).reshape(n_companies, 6) & (
        rng.random((n_companies, 6)) < 0.7
    )
    ns_grid = np.repeat(company_ns, 6).reshape(n_companies, 6)
    deploy_repo[own_rows] = catalog.sample_repos_in(rng, ns_grid[own_rows])
    deploy_tag = catalog.sample_tags(rng, deploy_repo.ravel()).reshape(n_companies, 6)

    fav_repo = catalog.sample_repos(rng, n * 3).reshape(n, 3)
    client_ns = np.where(company >= 0, company_ns[np.maximum(company, 0)], -1)
    p_own = np.asarray([0.4, 0.6, 0.7, 0.2])[profile]
    use_own = ((client_ns >= 0) & (rng.random(n) < p_own))[:, None] & (rng.random((n, 3)) < 0.8)
    ns3 = np.repeat(client_ns, 3).reshape(n, 3)
    fav_repo[use_own] = catalog.sample_repos_in(rng, ns3[use_own])
    fav_tag = catalog.sample_tags(rng, fav_repo.ravel()).reshape(n, 3)
    deployed = (company >= 0) & (profile == CLUSTER)
    picks = rng.integers(0, 6, (int(deployed.sum()), 3))
    fav_repo[deployed] = deploy_repo[company[deployed][:, None], picks]
    fav_tag[deployed] = deploy_tag[company[deployed][:, None], picks]

    agents_sorted = sorted(agent_text.items(), key=lambda item: item[1])
    addresses_sorted = sorted(address_text.items(), key=lambda item: item[1])
    return Clients(
        kind=kind,
        profile=profile,
        group=(profile * len(REGION_OFFSETS_H) + region).astype(np.int8),
        arm=arm,
        account=account,
        alt_account=alt_account,
        company=company,
        agent=agent,
        address=address,
        weight=weight,
        favourite_repo=fav_repo.astype(np.int32),
        favourite_tag=fav_tag.astype(np.int32),
        agent_vocab=pa.array([text for text, _ in agents_sorted], type=pa.string()),
        address_vocab=pa.array([text for text, _ in addresses_sorted], type=pa.string()),
    )
