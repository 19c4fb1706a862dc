"""The image catalog: the registry's namespaces, repositories, images, tags and their history.

Everything the request generator needs is flattened into numpy arrays so that
sessions can be resolved in bulk:

* a *digest table* (index manifests, platform/single manifests, config and layer
  blobs) with media type and size;
* *images*: one pushed build of a repository, either a multi-arch index with 2-4
  platform manifests or a single manifest; each manifest lists its config blob
  and its layers (base layers are shared along a repository's history);
* *tags* with a *timeline*: the image each tag points to from a given time on.
  Releases during the period move ``latest``, ``X.Y``, ``X``, ``stable``, ...
  to new images, so the digest of a tag request depends on the request time.

All times are microseconds relative to the start of the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from registry_insights.generator.identifiers import sha256_digests
from registry_insights.generator.names import (
    APP_REPOS,
    LIBRARY_REPOS,
    NESTED_PREFIXES,
    OSS_REPOS,
    OSS_WORDS,
    UNKNOWN_TAGS,
    USER_REPOS,
    USER_WORDS,
    unique_words,
)

DAY_US = 86_400_000_000

MEDIA_TYPES: tuple[str, ...] = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/octet-stream",
)
MEDIA_BLOB = 4

# Namespace kinds.
NS_LIBRARY, NS_ORG, NS_OSS, NS_USER = 0, 1, 2, 3

# Digest kinds.
DIGEST_INDEX, DIGEST_MANIFEST, DIGEST_CONFIG, DIGEST_LAYER, DIGEST_ORPHAN = 0, 1, 2, 3, 4

#: Platforms of multi-arch images, in manifest order (amd64 first, arm64 second).
PLATFORMS: tuple[str, ...] = ("linux/amd64", "linux/arm64", "linux/arm/v7", "linux/ppc64le")

IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Catalog:
    """Flattened registry content; see the module docstring."""

    namespaces: tuple[str, ...]
    namespace_kind: NDArray[np.int8]
    namespace_company: Int32Array
    repositories: tuple[str, ...]
    repo_namespace: Int32Array
    repo_weight: FloatArray
    repo_cum: FloatArray
    repo_all_multi: BoolArray
    namespace_repo_cum: FloatArray
    namespace_repo_ids: Int32Array
    namespace_has_repos: BoolArray
    tag_repo: Int32Array
    tag_name: Int32Array
    tag_cum: FloatArray
    repo_default_tag: Int32Array
    timeline_key: IntArray
    timeline_image: Int32Array
    time_bits: int
    image_repo: Int32Array
    image_created: IntArray
    image_index: Int32Array
    image_man_start: Int32Array
    image_man_count: Int32Array
    repo_image_key: IntArray
    repo_image_sorted: Int32Array
    repo_image_start: Int32Array
    man_digest: Int32Array
    man_config: Int32Array
    man_layer_start: Int32Array
    man_layer_count: Int32Array
    layer_digest: Int32Array
    digest_kind: NDArray[np.int8]
    digest_media: NDArray[np.int8]
    digest_size: IntArray
    reference_vocab: pa.StringArray
    n_tag_names: int
    unknown_tag_codes: Int32Array
    orphan_digests: Int32Array
    malformed_garbage: Int32Array
    malformed_upper: Int32Array
    malformed_short: Int32Array
    period_us: int

    @property
    def n_repositories(self) -> int:
        return len(self.repositories)

    def digest_code(self, digest: NDArray[np.integer]) -> Int32Array:
        """Reference codes of digest indexes."""
        return (digest + self.n_tag_names).astype(np.int32)

    def resolve(self, tag: NDArray[np.integer], t_rel: NDArray[np.integer]) -> Int32Array:
        """Image each tag entry points to at each time; -1 when the tag does not exist yet."""
        t = np.clip(t_rel, 0, self.period_us - 1).astype(np.int64)
        key = (tag.astype(np.int64) << self.time_bits) | t
        pos = np.searchsorted(self.timeline_key, key, side="right") - 1
        safe = np.maximum(pos, 0)
        found = (pos >= 0) & ((self.timeline_key[safe] >> self.time_bits) == tag)
        return np.where(found, self.timeline_image[safe], -1).astype(np.int32)

    def top_digest(self, image: Int32Array) -> Int32Array:
        """Digest a tag answers with: the index of a multi-arch image, else its manifest."""
        single = self.man_digest[self.image_man_start[image]]
        return np.where(self.image_index[image] >= 0, self.image_index[image], single).astype(
            np.int32
        )

    def platform_manifest(self, image: Int32Array, arm: BoolArray) -> Int32Array:
        """Manifest (row of the manifest table) a client of that architecture pulls."""
        second = arm & (self.image_man_count[image] > 1)
        return (self.image_man_start[image] + second.astype(np.int32)).astype(np.int32)

    def sample_repos(self, rng: np.random.Generator, n: int) -> Int32Array:
        """Repositories by popularity."""
        pos = np.searchsorted(self.repo_cum, rng.random(n) * self.repo_cum[-1], side="right")
        repo: Int32Array = np.minimum(pos, self.n_repositories - 1).astype(np.int32)
        return repo

    def sample_repos_in(self, rng: np.random.Generator, namespace: Int32Array) -> Int32Array:
        """A repository of each given namespace, by popularity within the namespace."""
        u = namespace.astype(np.float64) + rng.random(len(namespace)) * 0.999999
        pos = np.searchsorted(self.namespace_repo_cum, u, side="right")
        return self.namespace_repo_ids[np.minimum(pos, len(self.namespace_repo_ids) - 1)]

    def sample_tags(self, rng: np.random.Generator, repo: Int32Array) -> Int32Array:
        """A tag entry of each repository, by tag popularity."""
        u = repo.astype(np.float64) + rng.random(len(repo)) * 0.999999
        pos = np.searchsorted(self.tag_cum, u, side="right")
        return np.minimum(pos, len(self.tag_cum) - 1).astype(np.int32)

    def images_at(self, repo: Int32Array, t_rel: IntArray) -> tuple[Int32Array, Int32Array]:
        """For each repository: (position after its newest image existing at t, count existing)."""
        t = np.clip(t_rel, 0, self.period_us - 1).astype(np.int64)
        end = np.searchsorted(
            self.repo_image_key, (repo.astype(np.int64) << self.time_bits) | t, side="right"
        )
        start = self.repo_image_start[repo]
        return end.astype(np.int32), (end - start).astype(np.int32)


_LARGE_LAYER, _SMALL_LAYER = -2, -1


@dataclass
class _Builder:
    """Mutable lists the catalog is assembled from."""

    rng: np.random.Generator
    period_us: int
    digest_kind: list[int] = field(default_factory=list)
    digest_media: list[int] = field(default_factory=list)
    digest_size: list[int] = field(default_factory=list)
    image_repo: list[int] = field(default_factory=list)
    image_created: list[int] = field(default_factory=list)
    image_index: list[int] = field(default_factory=list)
    image_man_start: list[int] = field(default_factory=list)
    image_man_count: list[int] = field(default_factory=list)
    man_digest: list[int] = field(default_factory=list)
    man_config: list[int] = field(default_factory=list)
    man_layer_start: list[int] = field(default_factory=list)
    man_layer_count: list[int] = field(default_factory=list)
    layer_digest: list[int] = field(default_factory=list)
    tag_names: dict[str, int] = field(default_factory=dict)

    def digest(self, kind: int, media: int, size: int) -> int:
        self.digest_kind.append(kind)
        self.digest_media.append(media)
        self.digest_size.append(size)
        return len(self.digest_kind) - 1

    def layer(self, large: bool) -> int:
        """A new layer blob; its size is drawn later for all layers at once."""
        return self.digest(DIGEST_LAYER, MEDIA_BLOB, _LARGE_LAYER if large else _SMALL_LAYER)

    def draw_layer_sizes(self) -> None:
        sizes = np.asarray(self.digest_size, dtype=np.int64)
        for marker, median in ((_LARGE_LAYER, 25e6), (_SMALL_LAYER, 2.5e6)):
            at = np.flatnonzero(sizes == marker)
            drawn = self.rng.lognormal(np.log(median), 1.4, len(at))
            sizes[at] = np.clip(drawn, 32, 900e6).astype(np.int64)
        self.digest_size = sizes.tolist()

    def name_code(self, name: str) -> int:
        return self.tag_names.setdefault(name, len(self.tag_names))


@dataclass(frozen=True)
class _RepoStyle:
    variants: tuple[str, ...]
    platforms: int  # 1 = single-arch
    oci: bool
    prefix: str
    pre_releases: int
    releases_per_day: float
    rebuild_rate: float
    sha_tags: bool
    main_tag: bool
    stable_tag: bool
    base_layers: int


def _repo_style(rng: np.random.Generator, kind: int, name: str) -> _RepoStyle:
    if kind == NS_LIBRARY:
        variant_sets = (("",), ("", "-alpine"), ("", "-slim", "-alpine"))
        variants = variant_sets[int(rng.choice(3, p=[0.4, 0.35, 0.25]))]
        if name in ("python", "node"):
            variants = ("", "-slim", "-alpine")
        return _RepoStyle(
            variants=variants,
            platforms=int(rng.integers(2, 5)),
            oci=bool(rng.random() < 0.6),
            prefix="",
            pre_releases=int(rng.integers(3, 9)),
            releases_per_day=float(rng.uniform(1 / 21, 1 / 7)),
            rebuild_rate=0.5,
            sha_tags=False,
            main_tag=False,
            stable_tag=bool(rng.random() < 0.3),
            base_layers=int(rng.integers(1, 4)),
        )
    if kind == NS_ORG:
        multi = rng.random() < 0.45
        return _RepoStyle(
            variants=("", "-debug") if rng.random() < 0.1 else ("",),
            platforms=(3 if rng.random() < 0.15 else 2) if multi else 1,
            oci=bool(rng.random() < 0.5),
            prefix="v" if rng.random() < 0.4 else "",
            pre_releases=int(rng.integers(2, 7)),
            releases_per_day=float(np.exp(rng.uniform(np.log(1 / 10), np.log(1.0)))),
            rebuild_rate=0.0,
            sha_tags=bool(rng.random() < 0.5),
            main_tag=bool(rng.random() < 0.4),
            stable_tag=bool(rng.random() < 0.5),
            base_layers=int(rng.integers(2, 7)),
        )
    if kind == NS_OSS:
        multi = rng.random() < 0.8
        return _RepoStyle(
            variants=("",),
            platforms=int(rng.integers(2, 4)) if multi else 1,
            oci=bool(rng.random() < 0.7),
            prefix="v" if rng.random() < 0.5 else "",
            pre_releases=int(rng.integers(3, 11)),
            releases_per_day=1 / 14,
            rebuild_rate=0.0,
            sha_tags=False,
            main_tag=bool(rng.random() < 0.3),
            stable_tag=bool(rng.random() < 0.3),
            base_layers=int(rng.integers(1, 4)),
        )
    return _RepoStyle(
        variants=("",),
        platforms=2 if rng.random() < 0.2 else 1,
        oci=bool(rng.random() < 0.4),
        prefix="",
        pre_releases=int(rng.integers(1, 4)),
        releases_per_day=1 / 30,
        rebuild_rate=0.0,
        sha_tags=False,
        main_tag=False,
        stable_tag=False,
        base_layers=int(rng.integers(1, 5)),
    )


def _next_version(rng: np.random.Generator, version: tuple[int, int, int]) -> tuple[int, int, int]:
    x, y, z = version
    r = rng.random()
    if r < 0.75:
        return (x, y, z + 1)
    if r < 0.96:
        return (x, y + 1, 0)
    return (x + 1, 0, 0)


def _make_image(
    b: _Builder,
    repo: int,
    created: int,
    style: _RepoStyle,
    chains: dict[int, list[int]],
    rebase: bool,
) -> int:
    """Push one image of a repository; ``chains`` holds the base layers per platform."""
    rng = b.rng
    man_start = len(b.man_digest)
    for platform in range(style.platforms):
        base = chains.get(platform)
        if base is None:
            base = [b.layer(large=(i == 0)) for i in range(style.base_layers)]
        elif rebase:  # a rebuild on a patched base image: the top base layer changes
            base = [*base[:-1], b.layer(large=len(base) == 1)]
        chains[platform] = base
        app = [b.layer(large=False) for _ in range(int(rng.integers(1, 5)))]
        layers = base + app
        config = b.digest(DIGEST_CONFIG, MEDIA_BLOB, int(rng.integers(1_400, 14_000)))
        annotations = rng.lognormal(np.log(300), 1.1)  # labels, annotations, attestations
        size = int(min(8_000, 480 + 190 * len(layers) + annotations))
        manifest = b.digest(DIGEST_MANIFEST, 2 if style.oci else 3, size)
        b.man_digest.append(manifest)
        b.man_config.append(config)
        b.man_layer_start.append(len(b.layer_digest))
        b.man_layer_count.append(len(layers))
        b.layer_digest.extend(layers)
    index = -1
    if style.platforms > 1:
        size = 310 + 330 * style.platforms + (380 * style.platforms if style.oci else 0)
        index = b.digest(DIGEST_INDEX, 0 if style.oci else 1, size + int(rng.integers(0, 60)))
    b.image_repo.append(repo)
    b.image_created.append(created)
    b.image_index.append(index)
    b.image_man_start.append(man_start)
    b.image_man_count.append(style.platforms)
    return len(b.image_repo) - 1


_TimelineEntry = tuple[int, int]  # (time, image)


def _repo_history(
    b: _Builder, repo: int, kind: int, style: _RepoStyle
) -> dict[str, list[_TimelineEntry]]:
    """Push the repository's images over time; return the timeline of each tag."""
    rng = b.rng
    period_days = b.period_us / DAY_US
    # Release times: some before the period (history), some during it.
    pre = -np.sort(rng.uniform(1, 400, style.pre_releases))[::-1] * DAY_US
    n_in = int(rng.poisson(style.releases_per_day * period_days))
    during = np.sort(rng.uniform(0, b.period_us, n_in))
    times = [int(t) for t in np.concatenate([pre, during])]
    version = (
        (int(rng.integers(1, 25)), int(rng.integers(0, 30)), int(rng.integers(0, 12)))
        if kind == NS_LIBRARY
        else (int(rng.integers(0, 5)), int(rng.integers(0, 20)), int(rng.integers(0, 10)))
    )
    releases: list[tuple[int, tuple[int, int, int], bool]] = []
    for i, t in enumerate(times):
        if i:
            version = _next_version(rng, version)
        releases.append((t, version, False))
        if rng.random() < style.rebuild_rate:
            rebuilt = t + int(rng.uniform(3, 25) * DAY_US)
            if rebuilt < b.period_us:
                releases.append((rebuilt, version, True))
    releases.sort(key=lambda r: r[0])

    timelines: dict[str, list[_TimelineEntry]] = defaultdict(list)
    p = style.prefix
    for suffix in style.variants:
        chains: dict[int, list[int]] = {}
        newest: tuple[int, int, int] | None = None
        newest_minor: dict[tuple[int, int], tuple[int, int, int]] = {}
        newest_major: dict[int, tuple[int, int, int]] = {}
        previous_latest = -1
        current_latest = -1
        for t, v, rebuild in releases:
            created = t + int(rng.integers(0, 900_000_000))  # variants land within minutes
            image = _make_image(b, repo, created, style, chains, rebase=rebuild)
            x, y, z = v
            timelines[f"{p}{x}.{y}.{z}{suffix}"].append((created, image))
            if v >= newest_minor.get((x, y), v):
                timelines[f"{p}{x}.{y}{suffix}"].append((created, image))
                newest_minor[(x, y)] = v
            if v >= newest_major.get(x, v):
                timelines[f"{p}{x}{suffix}"].append((created, image))
                newest_major[x] = v
            if newest is None or v >= newest:
                newest = v
                if suffix == "":
                    timelines["latest"].append((created, image))
                    if style.main_tag:
                        timelines["main"].append((created, image))
                else:
                    timelines[suffix[1:]].append((created, image))
                if not rebuild:
                    previous_latest, current_latest = current_latest, image
                else:
                    current_latest = image
                if suffix == "" and style.stable_tag and previous_latest >= 0:
                    timelines["stable"].append((created, previous_latest))
            if suffix == "" and style.sha_tags and not rebuild:
                sha = "".join("0123456789abcdef"[int(c)] for c in rng.integers(0, 16, 7))
                timelines[f"sha-{sha}"].append((created, image))
    return timelines


def _tag_weights(names: list[str], timelines: dict[str, list[_TimelineEntry]]) -> list[float]:
    """Request popularity of each tag of one repository."""
    last_created = {name: timelines[name][-1][0] for name in names}
    fixed = {"latest": 30.0, "main": 5.0, "stable": 4.0, "slim": 4.0, "alpine": 4.0, "debug": 1.0}
    weights: dict[str, float] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        if name in fixed:
            weights[name] = fixed[name]
        elif name.startswith("sha-"):
            groups["sha"].append(name)
        else:
            core = name.split("-", 1)[0].lstrip("v")
            variant = "-" in name
            level = core.count(".")
            groups[f"{level}{'v' if variant else ''}"].append(name)
    base = {"2": 8.0, "1": 10.0, "0": 4.0, "sha": 3.0}
    decay = {"2": 0.55, "1": 0.35, "0": 0.3, "sha": 0.6}
    for group, members in groups.items():
        key = group.rstrip("v")
        scale = base[key] * (0.5 if group.endswith("v") else 1.0)
        members.sort(key=lambda n: last_created[n], reverse=True)
        for rank, name in enumerate(members):
            weights[name] = scale * decay[key] ** rank
    return [max(weights[name], 1e-4) for name in names]


def _zipf(n: int, exponent: float) -> FloatArray:
    return np.asarray(1.0 / np.arange(1, n + 1) ** exponent, dtype=np.float64)


def build_catalog(
    rng: np.random.Generator, n_namespaces: int, days: int, company_words: list[str]
) -> Catalog:
    """Build the registry content. ``company_words`` name the publisher organisations."""
    period_us = days * DAY_US
    b = _Builder(rng=rng, period_us=period_us)

    # Namespaces: library, publisher organisations, open-source projects, individuals.
    others = n_namespaces - 1
    kinds = rng.choice([NS_ORG, NS_OSS, NS_USER], size=others, p=[0.55, 0.2, 0.25])
    kinds[: min(4, others)] = NS_ORG  # always a few publisher organisations
    n_org = int((kinds == NS_ORG).sum())
    org_words = company_words[:n_org]
    oss_words = unique_words(rng, OSS_WORDS, int((kinds == NS_OSS).sum()))
    user_words = unique_words(rng, USER_WORDS, int((kinds == NS_USER).sum()))
    namespaces = ["library"]
    namespace_kind = [NS_LIBRARY]
    namespace_company = [-1]
    counters = {NS_ORG: 0, NS_OSS: 0, NS_USER: 0}
    for kind in kinds.tolist():
        i = counters[kind]
        counters[kind] += 1
        if kind == NS_ORG:
            namespaces.append(org_words[i])
            namespace_company.append(i)
        else:
            namespaces.append((oss_words if kind == NS_OSS else user_words)[i])
            namespace_company.append(-1)
        namespace_kind.append(kind)

    # Namespace popularity: library carries about a third of the traffic.
    # Publishers and open-source projects draw far more pulls than individuals.
    ns_weight = np.zeros(n_namespaces)
    kind_factor = np.where(kinds == NS_OSS, 1.5, np.where(kinds == NS_ORG, 1.0, 0.08))
    others_weight = _zipf(others, 1.1)[rng.permutation(others)] * kind_factor
    ns_weight[0] = 0.35
    ns_weight[1:] = 0.65 * others_weight / others_weight.sum()

    repositories: list[str] = []
    repo_namespace: list[int] = []
    repo_weight: list[float] = []
    repo_all_multi: list[bool] = []
    tag_repo: list[int] = []
    tag_name: list[int] = []
    tag_weight: list[float] = []
    repo_default_tag: list[int] = []
    timeline_rows: list[tuple[int, int, int]] = []  # (tag entry, time, image)
    for ns_index, (ns_name, kind) in enumerate(zip(namespaces, namespace_kind, strict=True)):
        if kind == NS_LIBRARY:
            names = list(LIBRARY_REPOS[:30])
        else:
            pool = {NS_ORG: APP_REPOS, NS_OSS: OSS_REPOS, NS_USER: USER_REPOS}[kind]
            count = (
                1 + int(29 * rng.beta(0.7, 3.0)) if kind == NS_ORG else 1 + int(rng.integers(0, 5))
            )
            count = min(count, len(pool))
            names = [pool[i] for i in rng.choice(len(pool), size=count, replace=False)]
            if kind == NS_ORG:
                names = [
                    f"{NESTED_PREFIXES[int(rng.integers(len(NESTED_PREFIXES)))]}/{n}"
                    if rng.random() < 0.04
                    else n
                    for n in names
                ]
        within = _zipf(len(names), 1.0 if kind == NS_LIBRARY else 0.9)
        within = within / within.sum()
        for name, share in zip(names, within, strict=True):
            repo = len(repositories)
            repositories.append(f"{ns_name}/{name}")
            repo_namespace.append(ns_index)
            repo_weight.append(float(ns_weight[ns_index] * share))
            style = _repo_style(rng, kind, name)
            repo_all_multi.append(style.platforms > 1)
            timelines = _repo_history(b, repo, kind, style)
            tag_names = sorted(timelines)
            weights = _tag_weights(tag_names, timelines)
            first_entry = len(tag_repo)
            for offset, (tname, weight) in enumerate(zip(tag_names, weights, strict=True)):
                entry = first_entry + offset
                tag_repo.append(repo)
                tag_name.append(b.name_code(tname))
                tag_weight.append(weight)
                for created, image in timelines[tname]:
                    timeline_rows.append((entry, created, image))
            repo_default_tag.append(first_entry + tag_names.index("latest"))

    # Tag sampling: cumulative weights within each repository, offset by the repository id.
    tag_repo_arr = np.asarray(tag_repo, dtype=np.int32)
    tag_w = np.asarray(tag_weight, dtype=np.float64)
    totals = np.bincount(tag_repo_arr, weights=tag_w)
    cum_within = np.cumsum(tag_w) - np.repeat(np.cumsum(totals) - totals, np.bincount(tag_repo_arr))
    tag_cum = tag_repo_arr + cum_within / totals[tag_repo_arr]
    tag_cum = np.where(
        np.r_[tag_repo_arr[1:] != tag_repo_arr[:-1], True], tag_repo_arr + 1.0, tag_cum
    )

    time_bits = max(1, int(period_us).bit_length())
    if len(tag_repo) >= 1 << (62 - time_bits):
        raise ValueError("catalog too large for the tag timeline index")
    tl = np.asarray(timeline_rows, dtype=np.int64)
    tl_key = (tl[:, 0] << time_bits) | np.clip(tl[:, 1], 0, period_us - 1)
    order = np.argsort(tl_key, kind="stable")

    repo_arr = np.asarray(repo_namespace, dtype=np.int32)
    weight_arr = np.asarray(repo_weight, dtype=np.float64)
    weight_arr /= weight_arr.sum()
    ns_totals = np.bincount(repo_arr, weights=weight_arr, minlength=n_namespaces)
    ns_cum_within = np.cumsum(weight_arr) - np.repeat(
        np.cumsum(ns_totals) - ns_totals, np.bincount(repo_arr, minlength=n_namespaces)
    )
    namespace_repo_cum = repo_arr + ns_cum_within / ns_totals[repo_arr]
    last_of_ns = np.r_[repo_arr[1:] != repo_arr[:-1], True]
    namespace_repo_cum = np.where(last_of_ns, repo_arr + 1.0, namespace_repo_cum)

    image_repo = np.asarray(b.image_repo, dtype=np.int32)
    image_created = np.asarray(b.image_created, dtype=np.int64)
    img_key = (image_repo.astype(np.int64) << time_bits) | np.clip(image_created, 0, period_us - 1)
    img_order = np.argsort(img_key, kind="stable").astype(np.int32)
    n_repos = len(repositories)
    repo_image_start = np.searchsorted(
        img_key[img_order], np.arange(n_repos, dtype=np.int64) << time_bits, side="left"
    ).astype(np.int32)

    b.draw_layer_sizes()
    # Digests nobody can find any more (garbage-collected), for 404s by digest.
    n_real = len(b.digest_kind)
    for _ in range(64):
        b.digest(DIGEST_ORPHAN, -1, 0)
    digest_text = sha256_digests(rng, len(b.digest_kind))

    tag_text = [""] * len(b.tag_names)
    for name, code in b.tag_names.items():
        tag_text[code] = name
    unknown_codes = [len(tag_text) + i for i in range(len(UNKNOWN_TAGS))]
    tag_text.extend(UNKNOWN_TAGS)
    n_tag_names = len(tag_text)

    # Malformed references, for the contract-breaking rows.
    picks = rng.choice(n_real, size=min(64, n_real), replace=False)
    garbage = ["sha256:xyz", "sha256:", "sha256:latest", "sha256:12345", "sha256:ZZZ", "sha512:abc"]
    upper = [f"sha256:{digest_text[i][7:].upper()}" for i in picks]
    short = [digest_text[i][: 7 + int(rng.choice([12, 40, 63]))] for i in picks]
    base_code = n_tag_names + len(digest_text)
    vocab = tag_text + digest_text + garbage + upper + short

    def codes(start: int, n: int) -> Int32Array:
        return np.arange(start, start + n, dtype=np.int32)

    return Catalog(
        namespaces=tuple(namespaces),
        namespace_kind=np.asarray(namespace_kind, dtype=np.int8),
        namespace_company=np.asarray(namespace_company, dtype=np.int32),
        repositories=tuple(repositories),
        repo_namespace=repo_arr,
        repo_weight=weight_arr,
        repo_cum=np.cumsum(weight_arr),
        repo_all_multi=np.asarray(repo_all_multi, dtype=np.bool_),
        namespace_repo_cum=namespace_repo_cum,
        namespace_repo_ids=np.arange(n_repos, dtype=np.int32),
        namespace_has_repos=np.bincount(repo_arr, minlength=n_namespaces) > 0,
        tag_repo=tag_repo_arr,
        tag_name=np.asarray(tag_name, dtype=np.int32),
        tag_cum=tag_cum,
        repo_default_tag=np.asarray(repo_default_tag, dtype=np.int32),
        timeline_key=tl_key[order],
        timeline_image=tl[order, 2].astype(np.int32),
        time_bits=time_bits,
        image_repo=image_repo,
        image_created=image_created,
        image_index=np.asarray(b.image_index, dtype=np.int32),
        image_man_start=np.asarray(b.image_man_start, dtype=np.int32),
        image_man_count=np.asarray(b.image_man_count, dtype=np.int32),
        repo_image_key=img_key[img_order],
        repo_image_sorted=img_order,
        repo_image_start=repo_image_start,
        man_digest=np.asarray(b.man_digest, dtype=np.int32),
        man_config=np.asarray(b.man_config, dtype=np.int32),
        man_layer_start=np.asarray(b.man_layer_start, dtype=np.int32),
        man_layer_count=np.asarray(b.man_layer_count, dtype=np.int32),
        layer_digest=np.asarray(b.layer_digest, dtype=np.int32),
        digest_kind=np.asarray(b.digest_kind, dtype=np.int8),
        digest_media=np.asarray(b.digest_media, dtype=np.int8),
        digest_size=np.asarray(b.digest_size, dtype=np.int64),
        reference_vocab=pa.array(vocab, type=pa.string()),
        n_tag_names=n_tag_names,
        unknown_tag_codes=np.asarray(unknown_codes, dtype=np.int32),
        orphan_digests=np.arange(n_real, len(digest_text), dtype=np.int32),
        malformed_garbage=codes(base_code, len(garbage)),
        malformed_upper=codes(base_code + len(garbage), len(upper)),
        malformed_short=codes(base_code + len(garbage) + len(upper), len(short)),
        period_us=period_us,
    )
