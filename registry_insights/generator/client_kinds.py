"""Kinds of client machines and how each behaves.

A client kind (Docker Desktop, a Kubernetes node, a CI job, a mirror, a script,
...) decides the user agents, the request sequences it emits and how often,
whether it authenticates, how much it already has cached and where its traffic
comes from. Activity *profiles* give the daily rhythm (see activity.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Activity profiles (shape of the daily and weekly rhythm).
HUMAN, CI, CLUSTER, MIRROR = 0, 1, 2, 3
N_PROFILES = 4
#: UTC offsets (hours) and client shares of the three regions.
REGION_OFFSETS_H: tuple[float, ...] = (-6.0, 1.0, 8.0)
REGION_SHARES: tuple[float, ...] = (0.42, 0.36, 0.22)
N_GROUPS = N_PROFILES * len(REGION_OFFSETS_H)

# Request sequences (see sequences.py).
SEQ_HEAD_PULL, SEQ_GET_PULL, SEQ_VERSION_CHECK, SEQ_DIGEST_PULL = 0, 1, 2, 3
SEQ_REPLICATION, SEQ_SCAN, SEQ_NOT_FOUND, SEQ_DENIED = 4, 5, 6, 7
N_SEQUENCES = 8

# Address styles (see addresses.py).
RESIDENTIAL, CORPORATE, CLOUD = 0, 1, 2

_DOCKER_VERSIONS: tuple[tuple[str, str, str], ...] = (
    ("27.3.1", "go1.22.7", "41ca978"),
    ("27.4.0", "go1.22.10", "92a8393"),
    ("27.2.0", "go1.21.13", "3ab5c7d"),
    ("26.1.4", "go1.21.11", "de5c9cf"),
    ("25.0.5", "go1.21.8", "e63daec"),
    ("24.0.7", "go1.20.10", "311b9ff"),
)
_SERVER_KERNELS = (
    "6.8.0-45-generic",
    "5.15.0-122-generic",
    "6.1.0-26-cloud-amd64",
    "5.10.226-214.879.amzn2.x86_64",
    "6.5.0-1025-azure",
    "6.8.0-1016-aws",
)


def _docker_engine_agents(arch: str) -> tuple[str, ...]:
    agents = []
    for version, go, commit in _DOCKER_VERSIONS:
        for kernel in (
            _SERVER_KERNELS[:4] if arch == "amd64" else ("6.8.0-1016-aws", "6.1.0-26-cloud-arm64")
        ):
            agents.append(
                f"docker/{version} go/{go} git-commit/{commit} kernel/{kernel} os/linux "
                f"arch/{arch} UpstreamClient(Docker-Client/{version} \\(linux\\))"
            )
    return tuple(agents)


def _docker_desktop_agents(arch: str) -> tuple[str, ...]:
    agents = []
    for version, go, commit in _DOCKER_VERSIONS[:4]:
        if arch == "arm64":
            agents.append(
                f"docker/{version} go/{go} git-commit/{commit} kernel/6.10.4-linuxkit os/linux "
                f"arch/arm64 UpstreamClient(Docker-Client/{version} \\(darwin\\))"
            )
            agents.append(
                f"docker/{version} go/{go} git-commit/{commit} kernel/23.6.0 os/darwin "
                f"arch/arm64 UpstreamClient(Docker-Client/{version} \\(darwin\\))"
            )
        else:
            agents.append(
                f"docker/{version} go/{go} git-commit/{commit} "
                f"kernel/5.15.153.1-microsoft-standard-WSL2 os/linux arch/amd64 "
                f"UpstreamClient(Docker-Client/{version} \\(windows\\))"
            )
            agents.append(
                f"docker/{version} go/{go} git-commit/{commit} kernel/10.0 22631 "
                f"(22621.1.amd64fre.ni_release.220506-1250) os/windows arch/amd64 "
                f"UpstreamClient(Docker-Client/{version} \\(windows\\))"
            )
            agents.append(
                f"docker/{version} go/{go} git-commit/{commit} kernel/6.10.4-linuxkit os/linux "
                f"arch/amd64 UpstreamClient(Docker-Client/{version} \\(darwin\\))"
            )
    return tuple(agents)


@dataclass(frozen=True)
class ClientKind:
    """Behaviour shared by all machines of one kind."""

    name: str
    share: float
    profile: int
    activity: float
    auth_rate: float
    sequences: tuple[float, ...]
    cache_rate: float
    cold_rate: float
    challenge_rate: float
    head_blobs: float
    head_first: bool
    agents_amd64: tuple[str | None, ...]
    agents_arm64: tuple[str | None, ...]
    address: int
    arm_rate: float
    favourite_rate: float


def _seq(**weights: float) -> tuple[float, ...]:
    names = (
        "head_pull",
        "get_pull",
        "version_check",
        "digest_pull",
        "replication",
        "scan",
        "not_found",
        "denied",
    )
    unknown = set(weights) - set(names)
    if unknown:
        raise ValueError(f"unknown sequences {unknown}")
    total = sum(weights.values())
    return tuple(weights.get(name, 0.0) / total for name in names)


_CONTAINERD = ("containerd/1.7.22", "containerd/v2.0.0", "containerd/1.6.33", "containerd/1.7.20")
_CRIO = (
    "cri-o/1.30.4 go/go1.22.5 os/linux arch/amd64",
    "cri-o/1.29.6 go/go1.21.11 os/linux arch/amd64",
)
_CRIO_ARM = ("cri-o/1.30.4 go/go1.22.5 os/linux arch/arm64",)

KINDS: tuple[ClientKind, ...] = (
    ClientKind(
        name="docker_desktop",
        share=0.2,
        profile=HUMAN,
        activity=4.0,
        auth_rate=0.55,
        sequences=_seq(
            head_pull=0.86, version_check=0.04, digest_pull=0.04, not_found=0.04, denied=0.02
        ),
        cache_rate=0.45,
        cold_rate=0.3,
        challenge_rate=0.04,
        head_blobs=0.0,
        head_first=True,
        agents_amd64=_docker_desktop_agents("amd64"),
        agents_arm64=_docker_desktop_agents("arm64"),
        address=CORPORATE,
        arm_rate=0.6,
        favourite_rate=0.5,
    ),
    ClientKind(
        name="docker_engine",
        share=0.15,
        profile=CI,
        activity=4.0,
        auth_rate=0.3,
        sequences=_seq(
            head_pull=0.8, version_check=0.07, digest_pull=0.08, not_found=0.03, denied=0.02
        ),
        cache_rate=0.35,
        cold_rate=0.6,
        challenge_rate=0.03,
        head_blobs=0.0,
        head_first=True,
        agents_amd64=_docker_engine_agents("amd64"),
        agents_arm64=_docker_engine_agents("arm64"),
        address=CLOUD,
        arm_rate=0.12,
        favourite_rate=0.6,
    ),
    ClientKind(
        name="containerd",
        share=0.05,
        profile=CLUSTER,
        activity=5.0,
        auth_rate=0.45,
        sequences=_seq(head_pull=0.84, digest_pull=0.13, not_found=0.02, denied=0.01),
        cache_rate=0.55,
        cold_rate=0.4,
        challenge_rate=0.35,
        head_blobs=0.0,
        head_first=True,
        agents_amd64=_CONTAINERD,
        agents_arm64=_CONTAINERD,
        address=CLOUD,
        arm_rate=0.2,
        favourite_rate=0.7,
    ),
    ClientKind(
        name="k8s_containerd",
        share=0.14,
        profile=CLUSTER,
        activity=14.0,
        auth_rate=0.4,
        sequences=_seq(head_pull=0.86, digest_pull=0.14),
        cache_rate=0.9,
        cold_rate=0.3,
        challenge_rate=0.3,
        head_blobs=0.0,
        head_first=True,
        agents_amd64=_CONTAINERD,
        agents_arm64=_CONTAINERD,
        address=CLOUD,
        arm_rate=0.2,
        favourite_rate=0.9,
    ),
    ClientKind(
        name="k8s_crio",
        share=0.05,
        profile=CLUSTER,
        activity=14.0,
        auth_rate=0.4,
        sequences=_seq(get_pull=0.86, digest_pull=0.14),
        cache_rate=0.9,
        cold_rate=0.3,
        challenge_rate=0.3,
        head_blobs=0.0,
        head_first=False,
        agents_amd64=_CRIO,
        agents_arm64=_CRIO_ARM,
        address=CLOUD,
        arm_rate=0.15,
        favourite_rate=0.9,
    ),
    ClientKind(
        name="podman",
        share=0.04,
        profile=HUMAN,
        activity=3.0,
        auth_rate=0.4,
        sequences=_seq(get_pull=0.85, digest_pull=0.05, not_found=0.06, denied=0.04),
        cache_rate=0.3,
        cold_rate=0.4,
        challenge_rate=0.1,
        head_blobs=0.0,
        head_first=False,
        agents_amd64=(
            "libpod/5.2.3",
            "containers/5.32.2 (github.com/containers/image)",
            "libpod/4.9.3",
        ),
        agents_arm64=(
            "libpod/5.2.3",
            "containers/5.32.2 (github.com/containers/image)",
            "libpod/4.9.3",
        ),
        address=RESIDENTIAL,
        arm_rate=0.3,
        favourite_rate=0.4,
    ),
    ClientKind(
        name="skopeo",
        share=0.01,
        profile=CI,
        activity=8.0,
        auth_rate=0.5,
        sequences=_seq(get_pull=0.6, version_check=0.1, replication=0.3),
        cache_rate=0.6,
        cold_rate=0.5,
        challenge_rate=0.3,
        head_blobs=0.3,
        head_first=False,
        agents_amd64=("skopeo/1.16.1", "skopeo/1.13.3"),
        agents_arm64=("skopeo/1.16.1", "skopeo/1.13.3"),
        address=CLOUD,
        arm_rate=0.1,
        favourite_rate=0.6,
    ),
    ClientKind(
        name="buildkit",
        share=0.07,
        profile=CI,
        activity=6.0,
        auth_rate=0.35,
        sequences=_seq(head_pull=0.9, version_check=0.1),
        cache_rate=0.5,
        cold_rate=0.5,
        challenge_rate=0.05,
        head_blobs=0.05,
        head_first=True,
        agents_amd64=("buildkit/v0.16.0", "buildkit/v0.15.2", "buildkit/v0.17.2"),
        agents_arm64=("buildkit/v0.16.0", "buildkit/v0.15.2", "buildkit/v0.17.2"),
        address=CLOUD,
        arm_rate=0.15,
        favourite_rate=0.6,
    ),
    ClientKind(
        name="kaniko",
        share=0.02,
        profile=CI,
        activity=5.0,
        auth_rate=0.4,
        sequences=_seq(get_pull=0.9, version_check=0.1),
        cache_rate=0.2,
        cold_rate=0.7,
        challenge_rate=0.1,
        head_blobs=0.0,
        head_first=False,
        agents_amd64=(
            "go-containerregistry/v0.19.2 kaniko/v1.23.2",
            "go-containerregistry/v0.20.2 kaniko/v1.23.2",
        ),
        agents_arm64=(
            "go-containerregistry/v0.19.2 kaniko/v1.23.2",
            "go-containerregistry/v0.20.2 kaniko/v1.23.2",
        ),
        address=CLOUD,
        arm_rate=0.05,
        favourite_rate=0.7,
    ),
    ClientKind(
        name="crane",
        share=0.02,
        profile=CI,
        activity=10.0,
        auth_rate=0.4,
        sequences=_seq(get_pull=0.2, version_check=0.65, replication=0.15),
        cache_rate=0.4,
        cold_rate=0.5,
        challenge_rate=0.25,
        head_blobs=0.4,
        head_first=False,
        agents_amd64=("go-containerregistry/v0.20.2", "crane/v0.20.2 go-containerregistry/v0.20.2"),
        agents_arm64=("go-containerregistry/v0.20.2", "crane/v0.20.2 go-containerregistry/v0.20.2"),
        address=CLOUD,
        arm_rate=0.1,
        favourite_rate=0.7,
    ),
    ClientKind(
        name="regclient",
        share=0.01,
        profile=MIRROR,
        activity=8.0,
        auth_rate=0.5,
        sequences=_seq(version_check=0.5, replication=0.5),
        cache_rate=0.5,
        cold_rate=0.3,
        challenge_rate=0.2,
        head_blobs=0.4,
        head_first=True,
        agents_amd64=("regclient/v0.7.1", "regclient/v0.6.1"),
        agents_arm64=("regclient/v0.7.1", "regclient/v0.6.1"),
        address=CLOUD,
        arm_rate=0.0,
        favourite_rate=0.8,
    ),
    ClientKind(
        name="docker_scout",
        share=0.01,
        profile=CI,
        activity=8.0,
        auth_rate=0.8,
        sequences=_seq(scan=1.0),
        cache_rate=0.0,
        cold_rate=0.0,
        challenge_rate=0.05,
        head_blobs=0.0,
        head_first=False,
        agents_amd64=("docker-scout/1.15.1 go/go1.22.8 os/linux arch/amd64",),
        agents_arm64=("docker-scout/1.15.1 go/go1.22.8 os/linux arch/amd64",),
        address=CLOUD,
        arm_rate=0.0,
        favourite_rate=0.3,
    ),
    ClientKind(
        name="renovate",
        share=0.02,
        profile=CI,
        activity=15.0,
        auth_rate=0.15,
        sequences=_seq(get_pull=0.1, version_check=0.75, not_found=0.15),
        cache_rate=0.0,
        cold_rate=0.0,
        challenge_rate=0.2,
        head_blobs=0.0,
        head_first=True,
        agents_amd64=("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",),
        agents_arm64=("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",),
        address=CLOUD,
        arm_rate=0.0,
        favourite_rate=0.8,
    ),
    ClientKind(
        name="python_requests",
        share=0.03,
        profile=CI,
        activity=6.0,
        auth_rate=0.3,
        sequences=_seq(get_pull=0.3, version_check=0.5, not_found=0.1, denied=0.1),
        cache_rate=0.3,
        cold_rate=0.2,
        challenge_rate=0.3,
        head_blobs=0.0,
        head_first=False,
        agents_amd64=("python-requests/2.32.3", "python-requests/2.31.0"),
        agents_arm64=("python-requests/2.32.3", "python-requests/2.31.0"),
        address=CLOUD,
        arm_rate=0.0,
        favourite_rate=0.7,
    ),
    ClientKind(
        name="go_http",
        share=0.03,
        profile=CI,
        activity=8.0,
        auth_rate=0.3,
        sequences=_seq(get_pull=0.2, version_check=0.5, scan=0.3),
        cache_rate=0.3,
        cold_rate=0.2,
        challenge_rate=0.2,
        head_blobs=0.0,
        head_first=True,
        agents_amd64=("Go-http-client/1.1", "Go-http-client/2.0"),
        agents_arm64=("Go-http-client/1.1", "Go-http-client/2.0"),
        address=CLOUD,
        arm_rate=0.0,
        favourite_rate=0.7,
    ),
    ClientKind(
        name="curl",
        share=0.03,
        profile=HUMAN,
        activity=2.0,
        auth_rate=0.2,
        sequences=_seq(get_pull=0.5, version_check=0.2, not_found=0.15, denied=0.15),
        cache_rate=0.0,
        cold_rate=0.0,
        challenge_rate=0.4,
        head_blobs=0.0,
        head_first=False,
        agents_amd64=("curl/8.5.0", "curl/7.81.0", "curl/8.9.1"),
        agents_arm64=("curl/8.5.0", "curl/7.81.0", "curl/8.9.1"),
        address=RESIDENTIAL,
        arm_rate=0.0,
        favourite_rate=0.3,
    ),
    ClientKind(
        name="harbor",
        share=0.012,
        profile=MIRROR,
        activity=4.0,
        auth_rate=0.7,
        sequences=_seq(version_check=0.2, replication=0.8),
        cache_rate=0.3,
        cold_rate=0.2,
        challenge_rate=0.1,
        head_blobs=0.5,
        head_first=False,
        agents_amd64=("harbor-registry-client",),
        agents_arm64=("harbor-registry-client",),
        address=CLOUD,
        arm_rate=0.0,
        favourite_rate=0.8,
    ),
    ClientKind(
        name="bare_http",
        share=0.004,
        profile=CI,
        activity=5.0,
        auth_rate=0.0,
        sequences=_seq(get_pull=0.4, version_check=0.6),
        cache_rate=0.0,
        cold_rate=0.0,
        challenge_rate=0.0,
        head_blobs=0.0,
        head_first=True,
        agents_amd64=(None,),
        agents_arm64=(None,),
        address=CLOUD,
        arm_rate=0.0,
        favourite_rate=0.5,
    ),
)
N_KINDS = len(KINDS)
KIND_INDEX = {kind.name: i for i, kind in enumerate(KINDS)}

#: Sequence probabilities per kind, cumulated along the sequences.
SEQUENCE_CUM = np.cumsum(np.asarray([k.sequences for k in KINDS]), axis=1)
SEQUENCE_CUM[SEQUENCE_CUM > 1.0 - 1e-9] = 2.0  # rounding never picks a sequence of weight 0
