"""The generator's client kinds, read from registry_insights/generator/data/client_kinds.toml."""

from __future__ import annotations

import math

import pytest

from registry_insights.generator.client_kinds import (
    CLOUD,
    KINDS,
    MIRROR,
    SEQ_REPLICATION,
    SEQ_VERSION_CHECK,
    SEQUENCES,
    ClientKindsError,
    load_kinds,
)

TABLE = """
docker_releases = [
    { version = "2.0", go = "go1.2", commit = "bbb" },
    { version = "1.0", go = "go1.1", commit = "aaa" },
]

[agent_families.engine]
releases = 2
kernels = ["k1", "k2"]
templates = ["docker/{version} {go} {commit} kernel/{kernel}"]

[agent_families.desktop]
releases = 1
templates = ["desktop/{version} linux", "desktop/{version} mac"]

[agent_lists]
shared = ["tool/1", "tool/2"]

[[kind]]
name = "mirror"
share = 1
profile = "mirror"
activity = 2
auth_rate = 0.5
sequences = { version_check = 0.1, replication = 0.2 }
cache_rate = 0.1
cold_rate = 0.2
challenge_rate = 0.3
head_blobs = 0.4
head_first = true
agents_amd64 = "engine"
agents_arm64 = "desktop"
address = "cloud"
arm_rate = 0.5
favourite_rate = 0.6
"""


def _table(**changes: str) -> str:
    text = TABLE
    for key, value in changes.items():
        line = next(line for line in text.splitlines() if line.startswith(f"{key} = "))
        text = text.replace(line, value)
    return text


def test_a_kind_is_read_from_the_table() -> None:
    (kind,) = load_kinds(TABLE)
    assert (kind.name, kind.profile, kind.address) == ("mirror", MIRROR, CLOUD)
    assert (kind.share, kind.activity) == (1.0, 2.0) and isinstance(kind.share, float)
    assert kind.sequences[SEQ_VERSION_CHECK] == pytest.approx(1 / 3)
    assert kind.sequences[SEQ_REPLICATION] == pytest.approx(2 / 3)
    assert sum(kind.sequences) == pytest.approx(1.0)
    # Families expand per release (the first `releases`), per kernel, per template.
    assert kind.agents_amd64 == (
        "docker/2.0 go1.2 bbb kernel/k1",
        "docker/2.0 go1.2 bbb kernel/k2",
        "docker/1.0 go1.1 aaa kernel/k1",
        "docker/1.0 go1.1 aaa kernel/k2",
    )
    assert kind.agents_arm64 == ("desktop/2.0 linux", "desktop/2.0 mac")


def test_agents_for_both_architectures_and_no_header() -> None:
    both = _table(agents_amd64='agents = "shared"', agents_arm64="")
    (kind,) = load_kinds(both)
    assert kind.agents_amd64 == kind.agents_arm64 == ("tool/1", "tool/2")
    (silent,) = load_kinds(_table(agents_amd64="agents = []", agents_arm64=""))
    assert silent.agents_amd64 == silent.agents_arm64 == (None,)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sequences": "sequences = { pull = 1.0 }"}, "unknown sequences"),
        ({"agents_amd64": 'agents_amd64 = "nowhere"'}, "no agent list or family"),
        ({"profile": 'profile = "robot"'}, "unknown profile or address"),
        ({"arm_rate": ""}, r"missing \['arm_rate'\]"),
        ({"arm_rate": "arm_rates = 0.5"}, r"unknown \['arm_rates'\]"),
    ],
)
def test_a_malformed_table_is_refused(changes: dict[str, str], message: str) -> None:
    with pytest.raises(ClientKindsError, match=message):
        load_kinds(_table(**changes))


def test_the_shipped_table() -> None:
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names)) == 18
    assert names[:2] == ["docker_desktop", "docker_engine"]
    for kind in KINDS:
        assert len(kind.sequences) == len(SEQUENCES)
        assert math.isclose(sum(kind.sequences), 1.0), kind.name
        assert kind.share > 0 and kind.agents_amd64 and kind.agents_arm64, kind.name
        for rate in (kind.auth_rate, kind.cache_rate, kind.cold_rate, kind.arm_rate):
            assert 0.0 <= rate <= 1.0, kind.name
    engine = KINDS[1]
    assert len(engine.agents_amd64) == 6 * 4 and len(engine.agents_arm64) == 6 * 2
    assert engine.agents_amd64[0] == (
        "docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.8.0-45-generic os/linux "
        "arch/amd64 UpstreamClient(Docker-Client/27.3.1 \\(linux\\))"
    )
    assert KINDS[-1].agents_amd64 == (None,)
