"""The User-Agent rules: the seed read in Python against real user agents, and the dbt
model `int_user_agents_parsed` against that reading.

The Python reading (`parse`) re-states the model's rule in a few lines: rules in
ascending `rule_order`, the first whose pattern matches the whole user agent wins, the
version is the rule's capture group, and a null user agent is `unknown`. The patterns
are written in the common subset of Python `re`, RE2 (DuckDB) and Java regex (Spark), so
the same seed must give the same answer everywhere. The model is built with dbt on a
small generated dataset plus one hand-written day (every user agent below, every one the
generator can emit, junk and null) and compared with the reading string by string.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.raw_schema import RAW_REQUESTS_SCHEMA
from support.warehouse_build import PROJECT_DIR, dbt_build

from registry_insights.generator.client_kinds import KINDS

SEED = PROJECT_DIR / "seeds" / "user_agent_rules.csv"
USE_CASES = {"Local Dev", "CI/CD", "Prod", "Unknown"}
MAX_VERSION_GROUP = 9  # the model's CASE stops there (int_user_agents_parsed.sql)
# Constructs outside the RE2 / Java common subset, or that differ between the engines.
NOT_PORTABLE = ("\\", "(?=", "(?!", "(?<", "(?P", "(?>", "++", "*+", "?+", "}+", "[[", "&&")


@dataclass(frozen=True)
class Rule:
    rule_order: int
    pattern: str
    compiled: re.Pattern[str]
    version_group: int
    tool: str
    use_case: str
    note: str


@dataclass(frozen=True)
class Parsed:
    tool: str
    version: str | None
    use_case: str
    rule_order: int | None = None


def load_rules(path: Path = SEED) -> list[Rule]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rules = [
        Rule(
            rule_order=int(row["rule_order"]),
            pattern=row["pattern"],
            compiled=re.compile(row["pattern"]),
            version_group=int(row["version_group"]),
            tool=row["user_agent_tool"],
            use_case=row["base_use_case"],
            note=row["note"],
        )
        for row in rows
    ]
    return sorted(rules, key=lambda rule: rule.rule_order)


RULES = load_rules()


def parse(user_agent: str | None, rules: Iterable[Rule] = RULES) -> Parsed:
    """First matching rule wins; no rule (or no user agent) is unknown."""
    if user_agent is not None:
        for rule in rules:
            match = rule.compiled.fullmatch(user_agent)
            if match:
                version = match.group(rule.version_group) if rule.version_group else None
                return Parsed(rule.tool, version or None, rule.use_case, rule.rule_order)
    return Parsed("unknown", None, "Unknown")


# (user agent, tool, version, base use case): real headers of each client, as they send them.
REAL_USER_AGENTS: list[tuple[str, str, str | None, str]] = [
    # Docker Desktop: linuxkit VM (Mac, Linux), WSL2 VM, Windows and macOS hosts, CLI on darwin
    (
        "docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.10.4-linuxkit os/linux "
        r"arch/arm64 UpstreamClient(Docker-Client/27.3.1 \(darwin\))",
        "docker-desktop",
        "27.3.1",
        "Local Dev",
    ),
    (
        "docker/24.0.6 go/go1.20.7 git-commit/1a79695 kernel/5.15.49-linuxkit-pr os/linux "
        r"arch/amd64 UpstreamClient(Docker-Client/24.0.6 \(darwin\))",
        "docker-desktop",
        "24.0.6",
        "Local Dev",
    ),
    (
        "docker/20.10.17 go/go1.17.11 git-commit/a89b842 kernel/5.10.124-linuxkit os/linux "
        r"arch/amd64 UpstreamClient(Docker-Client/20.10.17 \(darwin\))",
        "docker-desktop",
        "20.10.17",
        "Local Dev",
    ),
    (
        "docker/26.1.4 go/go1.21.11 git-commit/de5c9cf kernel/5.15.153.1-microsoft-standard-WSL2 "
        r"os/linux arch/amd64 UpstreamClient(Docker-Client/26.1.4 \(windows\))",
        "docker-desktop",
        "26.1.4",
        "Local Dev",
    ),
    (
        "docker/27.4.0 go/go1.22.10 git-commit/92a8393 kernel/10.0 22631 "
        "(22621.1.amd64fre.ni_release.220506-1250) os/windows arch/amd64 "
        r"UpstreamClient(Docker-Client/27.4.0 \(windows\))",
        "docker-desktop",
        "27.4.0",
        "Local Dev",
    ),
    (
        "docker/27.2.0 go/go1.21.13 git-commit/3ab5c7d kernel/23.6.0 os/darwin arch/arm64 "
        r"UpstreamClient(Docker-Client/27.2.0 \(darwin\))",
        "docker-desktop",
        "27.2.0",
        "Local Dev",
    ),
    (
        "docker/27.2.0 go/go1.21.13 git-commit/3ab5c7d kernel/6.10.4-linuxkit os/linux "
        r"arch/amd64 UpstreamClient(Docker-Client/27.2.0 \(linux\))",
        "docker-desktop",
        "27.2.0",
        "Local Dev",
    ),
    (
        "docker/27.1.1 go/go1.21.12 git-commit/cc13f95 kernel/6.8.0-39-generic os/linux "
        r"arch/aarch64 UpstreamClient(Docker-Client/27.1.1 \(darwin\))",
        "docker-desktop",
        "27.1.1",
        "Local Dev",
    ),
    ("Docker-Client/27.3.1 (darwin)", "docker-desktop", "27.3.1", "Local Dev"),
    ("Docker-Client/24.0.7 (windows)", "docker-desktop", "24.0.7", "Local Dev"),
    # Docker Engine on Linux servers and Windows Server; the docker CLI on Linux
    (
        "docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0-45-generic os/linux "
        r"arch/amd64 UpstreamClient(Docker-Client/27.3.1 \(linux\))",
        "docker",
        "27.3.1",
        "Local Dev",
    ),
    (
        "docker/25.0.5 go/go1.21.8 git-commit/e63daec kernel/5.10.226-214.879.amzn2.x86_64 "
        r"os/linux arch/amd64 UpstreamClient(Docker-Client/25.0.5 \(linux\))",
        "docker",
        "25.0.5",
        "Local Dev",
    ),
    (
        "docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0-1016-aws os/linux "
        r"arch/arm64 UpstreamClient(Docker-Client/27.3.1 \(linux\))",
        "docker",
        "27.3.1",
        "Local Dev",
    ),
    (
        "docker/18.09.7 go/go1.10.8 git-commit/2d0083d kernel/4.15.0-1044-aws os/linux "
        r"arch/amd64 UpstreamClient(Docker-Client/18.09.7 \(linux\))",
        "docker",
        "18.09.7",
        "Local Dev",
    ),
    (
        "docker/20.10.25 go/go1.20.2 git-commit/5df983c kernel/5.15.0-1034-azure os/linux "
        "arch/amd64",
        "docker",
        "20.10.25",
        "Local Dev",
    ),
    (
        "docker/20.10.9 go/go1.16.12m2 git-commit/9b96ce992b kernel/10.0 17763 "
        "(17763.1.amd64fre.rs5_release.180914-1434) os/windows arch/amd64 "
        r"UpstreamClient(Docker-Client/20.10.9 \(windows\))",
        "docker",
        "20.10.9",
        "Local Dev",
    ),
    (
        "docker/dev go/go1.22.7 git-commit/unknown kernel/6.8.0-45-generic os/linux arch/amd64",
        "docker",
        None,
        "Local Dev",
    ),
    ("Docker-Client/27.3.1 (linux)", "docker", "27.3.1", "Local Dev"),
    # containerd (also its CRI plugin, ctr, nerdctl); k3s / RKE2 embed it in Kubernetes
    ("containerd/1.7.22", "containerd", "1.7.22", "CI/CD"),
    ("containerd/v2.0.0", "containerd", "2.0.0", "CI/CD"),
    ("containerd/1.6.33", "containerd", "1.6.33", "CI/CD"),
    ("containerd/1.6.8+unknown", "containerd", "1.6.8+unknown", "CI/CD"),
    ("containerd/v1.7.21-k3s2", "containerd", "1.7.21-k3s2", "Prod"),
    # Kubernetes
    ("cri-o/1.30.4 go/go1.22.5 os/linux arch/amd64", "cri-o", "1.30.4", "Prod"),
    ("cri-o/1.29.6 go/go1.21.11 os/linux arch/arm64", "cri-o", "1.29.6", "Prod"),
    ("kubelet/v1.31.1 (linux/amd64) kubernetes/948afe5", "kubelet", "1.31.1", "Prod"),
    # containers/image family
    ("libpod/5.2.3", "podman", "5.2.3", "Local Dev"),
    ("libpod/4.9.3", "podman", "4.9.3", "Local Dev"),
    ("containers/5.32.2 (github.com/containers/image)", "podman", None, "Local Dev"),
    ("containers/5.29.2 (github.com/containers/image)", "podman", None, "Local Dev"),
    ("skopeo/1.16.1", "skopeo", "1.16.1", "CI/CD"),
    ("skopeo/1.13.3", "skopeo", "1.13.3", "CI/CD"),
    ("Buildah/1.37.3", "buildah", "1.37.3", "CI/CD"),
    # builders
    ("buildkit/v0.16.0", "buildkit", "0.16.0", "CI/CD"),
    ("buildkit/v0.15.2", "buildkit", "0.15.2", "CI/CD"),
    ("go-containerregistry/v0.19.2 kaniko/v1.23.2", "kaniko", "1.23.2", "CI/CD"),
    ("kaniko/v1.23.2 go-containerregistry/v0.20.2", "kaniko", "1.23.2", "CI/CD"),
    # go-containerregistry, regclient, oras, harbor: copying and mirroring
    ("crane/v0.20.2 go-containerregistry/v0.20.2", "crane", "0.20.2", "CI/CD"),
    ("gcrane/v0.19.1 go-containerregistry/v0.19.1", "crane", "0.19.1", "CI/CD"),
    ("go-containerregistry/v0.20.2", "crane", "0.20.2", "CI/CD"),
    ("go-containerregistry", "crane", None, "CI/CD"),
    ("regclient/v0.7.1", "regclient", "0.7.1", "CI/CD"),
    ("regclient/regctl (v0.7.1)", "regclient", "0.7.1", "CI/CD"),
    ("regclient/regsync", "regclient", None, "CI/CD"),
    ("oras/1.2.0", "oras", "1.2.0", "CI/CD"),
    ("oras-go", "oras", None, "CI/CD"),
    ("harbor-registry-client", "harbor", None, "CI/CD"),
    # scanners, deployers, bots
    ("trivy/0.56.2 go-containerregistry/v0.20.2", "trivy", "0.56.2", "CI/CD"),
    ("docker-scout/1.15.1 go/go1.22.8 os/linux arch/amd64", "docker-scout", "1.15.1", "CI/CD"),
    (
        "docker-scout/1.13.0 go/go1.22.5 os/darwin arch/arm64",
        "docker-scout",
        "1.13.0",
        "Local Dev",
    ),
    ("Helm/3.16.2", "helm", "3.16.2", "CI/CD"),
    (
        "RenovateBot/37.440.7 (https://github.com/renovatebot/renovate)",
        "renovate",
        "37.440.7",
        "CI/CD",
    ),
    # scripts and HTTP libraries
    ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "node-fetch", "1.0", "Unknown"),
    ("node-fetch", "node-fetch", None, "Unknown"),
    ("python-requests/2.32.3", "python-requests", "2.32.3", "Unknown"),
    ("python-requests/2.31.0", "python-requests", "2.31.0", "Unknown"),
    ("Go-http-client/1.1", "go-http-client", None, "Unknown"),
    ("Go-http-client/2.0", "go-http-client", None, "Unknown"),
    ("curl/8.5.0", "curl", "8.5.0", "Unknown"),
    ("curl/7.81.0", "curl", "7.81.0", "Unknown"),
    ("Wget/1.21.4", "wget", "1.21.4", "Unknown"),
    # not recognised
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        "unknown",
        None,
        "Unknown",
    ),
    ("Apache-HttpClient/4.5.14 (Java/17.0.9)", "unknown", None, "Unknown"),
    ("containerd", "unknown", None, "Unknown"),
    ("docker", "unknown", None, "Unknown"),
    ("", "unknown", None, "Unknown"),
]

# Strings that only the model comparison needs: odd bytes must not break either side.
JUNK_USER_AGENTS = [
    "it's-a-bot/1.0",
    "curl/8.5.0\nX-Injected: yes",
    "Mozilla/5.0 (Ünïcödé; 日本語)",
    "\t",
    "x" * 2_000,
]

# The tool each of the generator's client kinds must come out as.
GENERATOR_TOOLS = {
    "docker_desktop": "docker-desktop",
    "docker_engine": "docker",
    "containerd": "containerd",
    "k8s_containerd": "containerd",
    "k8s_crio": "cri-o",
    "podman": "podman",
    "skopeo": "skopeo",
    "buildkit": "buildkit",
    "kaniko": "kaniko",
    "crane": "crane",
    "regclient": "regclient",
    "docker_scout": "docker-scout",
    "renovate": "node-fetch",
    "python_requests": "python-requests",
    "go_http": "go-http-client",
    "curl": "curl",
    "harbor": "harbor",
    "bare_http": "unknown",  # deliberately sends no User-Agent at all
}


def generator_user_agents() -> dict[str | None, str]:
    """Every user agent the generator can emit, with its client kind."""
    agents: dict[str | None, str] = {}
    for kind in KINDS:
        for agent in (*kind.agents_amd64, *kind.agents_arm64):
            agents.setdefault(agent, kind.name)
    return agents


# ---------------------------------------------------------------------------
# The seed itself
# ---------------------------------------------------------------------------


def test_rules_are_ordered_and_end_with_the_catch_all() -> None:
    orders = [rule.rule_order for rule in RULES]
    assert len(set(orders)) == len(orders)
    last = RULES[-1]
    assert (last.pattern, last.version_group, last.tool, last.use_case) == (
        ".*",
        0,
        "unknown",
        "Unknown",
    )
    assert all(rule.pattern != ".*" for rule in RULES[:-1])


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: str(rule.rule_order))
def test_rule_is_portable_and_well_formed(rule: Rule) -> None:
    assert not any(construct in rule.pattern for construct in NOT_PORTABLE), rule.pattern
    # dbt unit tests inline the seed's rows into SQL without escaping quotes
    assert "'" not in rule.pattern and "'" not in rule.note
    assert 0 <= rule.version_group <= min(rule.compiled.groups, MAX_VERSION_GROUP)
    assert rule.use_case in USE_CASES
    assert re.fullmatch(r"[a-z][a-z0-9-]*", rule.tool), rule.tool
    assert rule.note.strip()


def test_every_rule_is_reached_by_a_real_user_agent() -> None:
    """No rule is dead: each decides at least one of the real user agents."""
    reached = {parse(agent).rule_order for agent, *_ in REAL_USER_AGENTS}
    assert {rule.rule_order for rule in RULES} - reached == set()


# ---------------------------------------------------------------------------
# Real user agents through the Python reading
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "tool", "version", "use_case"),
    REAL_USER_AGENTS,
    ids=[f"{index:02d}-{case[1]}" for index, case in enumerate(REAL_USER_AGENTS)],
)
def test_real_user_agent(user_agent: str, tool: str, version: str | None, use_case: str) -> None:
    parsed = parse(user_agent)
    assert (parsed.tool, parsed.version, parsed.use_case) == (tool, version, use_case)


def test_null_user_agent_is_unknown() -> None:
    assert parse(None) == Parsed("unknown", None, "Unknown", None)


def test_generator_user_agents_map_to_their_tools() -> None:
    agents = generator_user_agents()
    assert {kind.name for kind in KINDS} == set(GENERATOR_TOOLS)
    wrong = {
        agent: (kind, parse(agent).tool)
        for agent, kind in agents.items()
        if parse(agent).tool != GENERATOR_TOOLS[kind]
    }
    assert wrong == {}
    unknown = [agent for agent in agents if parse(agent).tool == "unknown"]
    assert unknown == [None]


# ---------------------------------------------------------------------------
# The dbt model agrees with the Python reading
# ---------------------------------------------------------------------------

RAW_SCHEMA = RAW_REQUESTS_SCHEMA
DAY = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def all_test_user_agents() -> list[str | None]:
    agents: list[str | None] = [agent for agent, *_ in REAL_USER_AGENTS]
    agents += JUNK_USER_AGENTS
    agents += list(generator_user_agents())
    agents.append(None)
    return list(dict.fromkeys(agents))


def _raw_rows(agents: list[str | None]) -> list[dict[str, object]]:
    rows = []
    # every user agent twice (the model keeps one row each), one valid GET by tag per copy
    for index, agent in enumerate(agents * 2):
        rows.append(
            {
                "event_id": f"ua-{index}",
                "occurred_at": DAY + datetime.timedelta(seconds=index),
                "http_method": "GET",
                "object_type": "manifest",
                "repository": "acme/app",
                "reference": "latest",
                "response_digest": "sha256:" + "a" * 64,
                "media_type": "application/vnd.oci.image.index.v1+json",
                "status_code": 200,
                "response_bytes": 1_000,
                "client_ip": "203.0.113.7",
                "user_agent": agent,
                "account_id": None,
            }
        )
    return rows


def _read_model(connection: duckdb.DuckDBPyConnection) -> dict[str | None, Parsed]:
    rows = connection.sql(
        "select user_agent, user_agent_tool, user_agent_version, base_use_case, "
        "matched_rule_order from intermediate.int_user_agents_parsed"
    ).fetchall()
    model = {row[0]: Parsed(row[1], row[2], row[3], row[4]) for row in rows}
    assert len(model) == len(rows), "two rows share a user agent"
    return model


@pytest.fixture(scope="module")
def user_agent_warehouse(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A generated dataset plus one day of hand-written requests (event ids `ua-...`,
    every user agent of this file twice), built up to int_user_agents_parsed and the
    valid requests."""
    from registry_insights.generator import GeneratorConfig, generate_dataset

    work = tmp_path_factory.mktemp("user_agents")
    raw = work / "raw"
    generate_dataset(GeneratorConfig(rows=30_000, days=14, seed=7), raw, progress=False)
    folder = raw / "raw_registry_requests" / f"date={DAY.date().isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(_raw_rows(all_test_user_agents()), schema=RAW_SCHEMA)
    pq.write_table(table, folder / "part-user-agents.parquet")
    database = work / "warehouse.duckdb"
    # the model and its parents, their data tests and the model's unit tests
    dbt_build(
        raw,
        database,
        "--select",
        "+int_user_agents_parsed +stg_registry__requests",
        "--indirect-selection",
        "cautious",
    )
    connection = duckdb.connect(str(database), read_only=True)
    yield connection
    connection.close()


def test_model_agrees_with_python_reading(
    user_agent_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    model = _read_model(user_agent_warehouse)
    requested = {
        row[0]
        for row in user_agent_warehouse.sql(
            "select distinct user_agent from staging.base_registry__requests"
        ).fetchall()
    }
    actions = {
        row[0]
        for row in user_agent_warehouse.sql(
            "select distinct user_agent from staging.stg_registry__requests"
            " where object_type = 'manifest' and is_successful"
        ).fetchall()
    }
    # one row per distinct user agent of the request rows taken in, null included: a
    # superset of the successful manifest requests' (an action carries its start
    # request's)
    assert set(model) == requested
    assert actions <= requested
    assert set(all_test_user_agents()) <= requested
    disagreements = {
        agent: (parsed, parse(agent)) for agent, parsed in model.items() if parsed != parse(agent)
    }
    assert disagreements == {}


def test_generated_requests_are_unknown_only_without_user_agent(
    user_agent_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    unknown = user_agent_warehouse.sql(
        """
        select requests.user_agent, count(*) as requests
        from staging.stg_registry__requests as requests
        inner join intermediate.int_user_agents_parsed as parsed
            on requests.user_agent is not distinct from parsed.user_agent
        where parsed.user_agent_tool = 'unknown' and requests.event_id not like 'ua-%'
        group by requests.user_agent
        """
    ).fetchall()
    assert [agent for agent, _ in unknown] == [None]
