"""Word lists and name builders: namespaces, repositories, companies, domains.

All names are fictional. Builders take a random generator so that the choice and
the order of names follow the seed.
"""

from __future__ import annotations

import numpy as np

# fmt: off
COMPANY_WORDS: tuple[str, ...] = (
    "acme", "northwind", "globex", "initech", "umbrella", "hooli", "contoso", "fabrikam",
    "wayneco", "starkware", "cyberdyne", "tyrell", "soylent", "vandelay", "wonka", "oscorp",
    "aperture", "blackmesa", "dunder", "prestige", "sterling", "monarch", "zenith", "pinnacle",
    "vertex", "nimbus", "quantix", "helix", "orbital", "lumen", "cascade", "ember", "polaris",
    "meridian", "atlasware", "novacore", "summit", "redwood", "bluefin", "ironclad", "silverline",
    "kestrel", "falconry", "tundra", "sequoia", "larkspur", "brightpath", "clearwater",
    "copperleaf", "deepfield", "evergreen", "foxglove", "goldcrest", "highgate", "ivywood",
    "juniper", "keystone", "lakeshore", "maplewood", "northstar", "oakridge", "peregrine",
    "quarry", "riverbend", "stonebridge", "tidewater", "upland", "valemont", "westbrook",
    "yellowtail", "zephyr", "arcadia", "bramble", "cinder", "driftwood", "elmstead", "fernhill",
    "granite", "halcyon", "indigo", "jetstream", "kingfisher", "lighthouse", "moonrise", "nettle",
    "orchid", "pebble", "quill", "rosewood", "saffron", "thistle", "umber", "vireo", "willow",
    "yarrow", "zinnia",
)

INDUSTRY_WORDS: tuple[str, ...] = (
    "logistics", "robotics", "systems", "health", "energy", "finance", "media", "labs", "software",
    "analytics", "foods", "motors", "bio", "games", "retail", "insurance", "aerospace", "networks",
    "payments", "mobility", "security", "cloud", "data", "telecom", "pharma",
)

COMPANY_TLDS: tuple[str, ...] = (
    ".com", ".com", ".com", ".com", ".io", ".io", ".net", ".de", ".co.uk", ".fr", ".ai", ".dev",
    ".nl", ".se", ".co.jp", ".com.au",
)

OSS_WORDS: tuple[str, ...] = (
    "kubeflux", "grafterm", "logpipe", "metricsd", "tracekit", "dataforge", "streamline", "opsbox",
    "cloudkit", "devkit", "meshery", "vaultkeep", "flowctl", "nodewatch", "packrat", "shipyard",
    "gitbeam", "queuebird", "sparkplug", "tinyproxy", "edgestack", "bitforge", "codecrafts",
    "openlayer",
)

USER_WORDS: tuple[str, ...] = (
    "jdoe", "mkowalski", "asmith", "lchen", "rpatel", "tnguyen", "kmueller", "sgarcia", "ytanaka",
    "oivanova", "bjohnson", "emartin", "pdubois", "hkim", "aromero", "nsilva", "dwilliams",
    "fhansen", "gmoreau", "ibrahimk", "jsato", "klopez", "lrossi", "mnovak", "owolfe", "pquinn",
    "rvargas", "sbauer",
)

#: Official-style images, most popular first.
LIBRARY_REPOS: tuple[str, ...] = (
    "nginx", "python", "alpine", "ubuntu", "node", "redis", "postgres", "busybox", "golang",
    "debian", "mysql", "httpd", "memcached", "traefik", "rabbitmq", "mongo", "mariadb",
    "eclipse-temurin", "php", "ruby", "rust", "haproxy", "caddy", "registry", "influxdb",
    "wordpress", "nextcloud", "consul", "hello-world", "amazoncorretto", "gradle", "maven",
    "elixir", "perl",
)

APP_REPOS: tuple[str, ...] = (
    "api-server", "web-frontend", "worker", "billing-service", "auth-proxy", "data-pipeline",
    "ml-inference", "gateway", "scheduler", "notification-service", "search-indexer", "etl-runner",
    "metrics-exporter", "admin-ui", "payments", "inventory", "ledger", "edge-router",
    "ci-runner", "base-image", "python-base", "node-base", "jdk-runtime", "postgres-backup",
    "log-shipper", "feature-store", "model-server", "cron-jobs", "docs-site", "sidecar",
    "checkout", "recommender", "user-service", "order-service", "report-builder", "event-bus",
)

NESTED_PREFIXES: tuple[str, ...] = (
    "tools", "platform", "infra", "teams/core",
)

OSS_REPOS: tuple[str, ...] = (
    "cli", "operator", "exporter", "agent", "server", "dashboard", "controller", "proxy",
    "collector", "webhook", "sidecar-injector", "ui", "migrate", "backup",
)

USER_REPOS: tuple[str, ...] = (
    "homelab", "blog", "dotfiles-runner", "discord-bot", "minecraft-server", "scraper",
    "notes-app", "weather-api", "pi-hole-exporter", "devcontainer",
)

PERSONAL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "hotmail.com", "qq.com",
    "163.com", "gmx.de", "yandex.ru",
)

#: Relative frequency of each personal mail provider.
PERSONAL_WEIGHTS: tuple[float, ...] = (
    45, 12, 6, 5, 7, 5, 8, 4, 4, 4,
)

UNIVERSITY_DOMAINS: tuple[str, ...] = (
    "mit.edu", "stanford.edu", "ox.ac.uk", "cam.ac.uk", "ethz.ch", "tum.de", "u-tokyo.ac.jp",
    "unimelb.edu.au", "berkeley.edu",
)

DISPOSABLE_DOMAINS: tuple[str, ...] = (
    "mailinator.com", "guerrillamail.com", "10minutemail.com", "temp-mail.org", "yopmail.com",
    "trashmail.com",
)

#: Tags that never exist in any repository: requests for them are answered 404.
UNKNOWN_TAGS: tuple[str, ...] = (
    "lastest", "latset", "nightly", "edge", "beta", "dev", "master", "prod", "release-candidate",
    "0.0.0", "v0.0.1-test", "tip", "canary", "unstable", "feature-login", "1.0.0-rc1", "test",
    "staging",
)
# fmt: on


def unique_words(rng: np.random.Generator, base: tuple[str, ...], n: int) -> list[str]:
    """``n`` distinct names: ``base`` in random order, then ``word-suffix`` combinations."""
    words = [base[i] for i in rng.permutation(len(base))]
    suffixes = ("labs", "cloud", "hq", "data", "dev", "ai", "tech", "works", "ops", "net")
    seen = set(words)
    while len(words) < n:
        candidate = (
            f"{base[int(rng.integers(len(base)))]}-{suffixes[int(rng.integers(len(suffixes)))]}"
        )
        if candidate not in seen:
            seen.add(candidate)
            words.append(candidate)
    return words[:n]


def company_domain(rng: np.random.Generator, word: str) -> str:
    """A company's email domain, e.g. ``northwind-logistics.com`` or ``acme.io``."""
    tld = COMPANY_TLDS[int(rng.integers(len(COMPANY_TLDS)))]
    if rng.random() < 0.6:
        industry = INDUSTRY_WORDS[int(rng.integers(len(INDUSTRY_WORDS)))]
        return f"{word}-{industry}{tld}"
    return f"{word}{tld}"
