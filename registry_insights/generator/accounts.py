"""Registry accounts and the companies behind them (``raw_accounts``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from registry_insights.generator.identifiers import uuid_list
from registry_insights.generator.names import (
    COMPANY_WORDS,
    DISPOSABLE_DOMAINS,
    PERSONAL_DOMAINS,
    PERSONAL_WEIGHTS,
    UNIVERSITY_DOMAINS,
    company_domain,
    unique_words,
)

# Email-domain categories.
COMPANY, PERSONAL, UNIVERSITY, DISPOSABLE = 0, 1, 2, 3
CATEGORY_SHARES = (0.55, 0.30, 0.08, 0.07)

ACCOUNTS_SCHEMA = pa.schema([("account_id", pa.string()), ("email_domain", pa.string())])


@dataclass(frozen=True)
class Companies:
    """Organisations: the first ones also publish images under their own namespace."""

    words: tuple[str, ...]
    domains: tuple[str, ...]
    weight: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.words)


@dataclass(frozen=True)
class Accounts:
    """One row per account; ``company`` is -1 unless the domain is a company's."""

    ids: tuple[str, ...]
    domains: tuple[str, ...]
    category: NDArray[np.int8]
    company: NDArray[np.int32]
    company_members: NDArray[np.int32]
    company_member_start: NDArray[np.int32]
    company_member_count: NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.ids)

    def to_table(self) -> pa.Table:
        return pa.table(
            {
                "account_id": pa.array(self.ids, type=pa.string()),
                "email_domain": pa.array(self.domains, type=pa.string()),
            },
            schema=ACCOUNTS_SCHEMA,
        )


def build_companies(rng: np.random.Generator, n: int) -> Companies:
    """``n`` companies with distinct domains and Zipf-like sizes."""
    words = unique_words(rng, COMPANY_WORDS, n)
    domains: list[str] = []
    seen: set[str] = set()
    for word in words:
        domain = company_domain(rng, word)
        while domain in seen:
            domain = company_domain(rng, word)
        seen.add(domain)
        domains.append(domain)
    sizes = 1.0 / np.arange(1, n + 1) ** 0.9
    weight = sizes[rng.permutation(n)]
    return Companies(tuple(words), tuple(domains), weight / weight.sum())


def company_count(n_accounts: int, n_namespaces: int) -> int:
    """A few hundred companies for the default account count; at least one per namespace."""
    return max(n_namespaces, min(400, round(n_accounts * CATEGORY_SHARES[COMPANY] / 9)))


def build_accounts(rng: np.random.Generator, n: int, companies: Companies) -> Accounts:
    """``n`` accounts with the mix of email-domain categories of a public registry."""
    category = rng.choice(4, size=n, p=CATEGORY_SHARES).astype(np.int8)
    company = np.full(n, -1, dtype=np.int32)
    is_company = category == COMPANY
    company[is_company] = rng.choice(len(companies), size=int(is_company.sum()), p=companies.weight)
    personal_p = np.asarray(PERSONAL_WEIGHTS) / sum(PERSONAL_WEIGHTS)
    personal = rng.choice(len(PERSONAL_DOMAINS), size=n, p=personal_p)
    university = rng.integers(0, len(UNIVERSITY_DOMAINS), size=n)
    disposable = rng.integers(0, len(DISPOSABLE_DOMAINS), size=n)
    messy = rng.random(n) < 0.005  # hand-typed sign-ups: "Gmail.com"
    domains: list[str] = []
    for i in range(n):
        c = int(category[i])
        if c == COMPANY:
            domain = companies.domains[int(company[i])]
        elif c == PERSONAL:
            domain = PERSONAL_DOMAINS[int(personal[i])]
        elif c == UNIVERSITY:
            domain = UNIVERSITY_DOMAINS[int(university[i])]
        else:
            domain = DISPOSABLE_DOMAINS[int(disposable[i])]
        domains.append(domain.capitalize() if messy[i] else domain)
    order = np.argsort(company, kind="stable").astype(np.int32)
    members = order[company[order] >= 0]
    counts = np.bincount(company[members], minlength=len(companies)).astype(np.int32)
    starts = (np.cumsum(counts) - counts).astype(np.int32)
    return Accounts(
        ids=tuple(uuid_list(rng, n)),
        domains=tuple(domains),
        category=category,
        company=company,
        company_members=members,
        company_member_start=starts,
        company_member_count=counts,
    )
