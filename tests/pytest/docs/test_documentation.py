"""The documentation stays true to the repository: every relative link and anchor in the
README, docs/ and CONTRIBUTING.md resolves, every docs/ page is linked from the README,
every `registry-insights` subcommand is documented, and every `REGISTRY_INSIGHTS_*`
environment variable the code reads is documented in docs/.

The code is the source of truth: the subcommands come from the Typer app itself (nested
groups included) and the variables from a scan of the code, so adding either without
documenting it fails here. Each checker is also run on a small broken tree, to show that
it reports what it should.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import typer
import typer.main

from registry_insights.cli import app


def _repository_root() -> Path:
    for folder in Path(__file__).resolve().parents:
        if (folder / "dbt_project.yml").exists():
            return folder
    raise AssertionError("no dbt_project.yml above this test")


ROOT = _repository_root()

#: Where the code that may read an environment variable lives (the code is the source of
#: truth). This test's own folder is left out: it names made-up variables on purpose.
SCANNED_FOR_VARIABLES = (
    "registry_insights",
    "macros",
    "models",
    "scripts",
    "tests",
    ".ci",
    "profiles.yml",
    "dbt_project.yml",
    "selectors.yml",
    "Makefile",
)
NOT_SCANNED = ("tests/pytest/docs",)

VARIABLE = re.compile(r"(?<![A-Za-z0-9_])REGISTRY_INSIGHTS_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_])")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
#: `[text](target "title")` and `![alt](target)`; the text may hold one level of brackets.
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # [text]
    r"\(\s*<?([^()\s<>]*)>?(?:\s+\"[^\"]*\")?\s*\)"  # (target "title")
)
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)=["']([^"']+)["']""", re.IGNORECASE)
HTML_ANCHOR = re.compile(r"""<a\b[^>]*?\b(?:id|name)=["']([^"']+)["']""", re.IGNORECASE)
LINE_ANCHOR = re.compile(r"^L\d+(?:-L\d+)?$")


# ---- Markdown reading --------------------------------------------------------------


def documentation_files(root: Path) -> list[Path]:
    """README.md, CONTRIBUTING.md and every page of docs/."""
    return [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "docs").glob("*.md"))]


def without_code(text: str) -> str:
    """The text with fenced code blocks blanked (lines kept, for line numbers) and inline
    code spans removed: what they contain is never a link or a heading."""
    lines = []
    fence: str | None = None
    for line in text.splitlines():
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            lines.append("")
        elif fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            lines.append("")
        else:
            lines.append(re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", line))
    return "\n".join(lines)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower-cased, without punctuation
    (letters, digits, `_`, `-` and spaces stay), spaces turned into hyphens."""
    text = re.sub(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def heading_anchors(text: str) -> set[str]:
    """Every anchor of a Markdown file: its headings' slugs (a repeated slug gets -1,
    -2, ... as on GitHub) and explicit `<a id=...>` / `<a name=...>`."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    fence: str | None = None
    for line in text.splitlines():
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            continue
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        anchors.update(HTML_ANCHOR.findall(line))
        heading = HEADING.match(line)
        if heading:
            slug = github_slug(heading.group(2))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def link_targets(text: str) -> Iterator[tuple[int, str]]:
    """(line number, target) of every link and image outside code."""
    for number, line in enumerate(without_code(text).splitlines(), start=1):
        for pattern in (INLINE_LINK, REFERENCE_DEFINITION, HTML_LINK):
            for target in pattern.findall(line):
                yield number, target


# ---- the checkers -----------------------------------------------------------------


def broken_links(root: Path, files: Iterable[Path]) -> list[str]:
    """One message per relative link whose file, folder or anchor does not exist, or
    that leaves the repository. Links with a scheme (https:, mailto:) are not checked."""
    root = root.resolve()
    anchors: dict[Path, set[str]] = {}

    def anchors_of(path: Path) -> set[str]:
        if path not in anchors:
            anchors[path] = heading_anchors(path.read_text(encoding="utf-8"))
        return anchors[path]

    problems = []
    for file in files:
        file = file.resolve()
        where = file.relative_to(root)
        for number, target in link_targets(file.read_text(encoding="utf-8")):
            if not target or SCHEME.match(target) or target.startswith("//"):
                continue
            path_part, _, anchor = target.partition("#")
            resolved = (file.parent / unquote(path_part)).resolve() if path_part else file
            if not resolved.is_relative_to(root):
                problems.append(f"{where}:{number}: {target} leaves the repository")
                continue
            if not resolved.exists():
                problems.append(f"{where}:{number}: {target}: no such file or folder")
                continue
            if not anchor:
                continue
            if resolved.suffix == ".md":
                if unquote(anchor) not in anchors_of(resolved):
                    problems.append(f"{where}:{number}: {target}: no heading #{anchor}")
            elif not LINE_ANCHOR.match(anchor):
                problems.append(f"{where}:{number}: {target}: #{anchor} is not a line anchor")
    return problems


def pages_not_linked_from_readme(root: Path) -> list[str]:
    """The docs/ pages the README does not link to."""
    readme = root / "README.md"
    linked = {
        (readme.parent / unquote(target.partition("#")[0])).resolve()
        for _, target in link_targets(readme.read_text(encoding="utf-8"))
        if target and not SCHEME.match(target)
    }
    pages = sorted((root / "docs").glob("*.md"))
    return [str(page.relative_to(root)) for page in pages if page.resolve() not in linked]


def subcommands(command_app: typer.Typer) -> list[str]:
    """Every subcommand path of a Typer app, groups and their commands alike
    (`"serve"`, `"admin"`, `"admin rotate-key"`), hidden ones left out."""
    found: list[str] = []

    def walk(command: object, prefix: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None) or {}
        for name, child in sorted(children.items()):
            if getattr(child, "hidden", False):
                continue
            found.append(" ".join((*prefix, name)))
            walk(child, (*prefix, name))

    walk(typer.main.get_command(command_app), ())
    return found


def undocumented_subcommands(commands: Iterable[str], texts: Iterable[str]) -> list[str]:
    """The subcommands no text shows as `registry-insights <command>`."""
    corpus = "\n".join(texts)
    missing = []
    for command in commands:
        words = r"\s+".join(re.escape(word) for word in command.split())
        if not re.search(rf"registry-insights\s+{words}(?![\w-])", corpus):
            missing.append(command)
    return missing


def environment_variables(
    root: Path,
    scanned: Iterable[str] = SCANNED_FOR_VARIABLES,
    not_scanned: Iterable[str] = NOT_SCANNED,
) -> dict[str, list[str]]:
    """Every `REGISTRY_INSIGHTS_*` name in the scanned code, with the files naming it."""
    skipped = [root / path for path in not_scanned]
    files: list[Path] = []
    for entry in scanned:
        path = root / entry
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(item for item in path.rglob("*") if item.is_file()))
    found: dict[str, list[str]] = {}
    for file in files:
        if "__pycache__" in file.parts or any(file.is_relative_to(skip) for skip in skipped):
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary data: Parquet, databases
        for name in sorted(set(VARIABLE.findall(text))):
            found.setdefault(name, []).append(str(file.relative_to(root)))
    return dict(sorted(found.items()))


def undocumented_variables(variables: Iterable[str], docs_folder: Path) -> list[str]:
    """The variables that no page of docs/ names."""
    corpus = "\n".join(page.read_text(encoding="utf-8") for page in docs_folder.glob("*.md"))
    named = set(VARIABLE.findall(corpus))
    return [name for name in variables if name not in named]


def _texts(files: Iterable[Path]) -> list[str]:
    return [file.read_text(encoding="utf-8") for file in files]


# ---- the repository's documentation --------------------------------------------------


def test_the_documentation_files_exist() -> None:
    missing = [str(path) for path in documentation_files(ROOT) if not path.exists()]
    assert not missing
    assert len(documentation_files(ROOT)) > 2, "docs/ has no page"


def test_every_relative_link_and_anchor_resolves() -> None:
    problems = broken_links(ROOT, documentation_files(ROOT))
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_every_docs_page_is_linked_from_the_readme() -> None:
    assert pages_not_linked_from_readme(ROOT) == []


def test_every_subcommand_is_documented() -> None:
    commands = subcommands(app)
    # the walk finds the app's commands at all (so an empty walk cannot pass)
    assert {"generate", "export", "serve", "dashboard", "orchestrate"} <= set(commands)
    texts = _texts([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    missing = undocumented_subcommands(commands, texts)
    assert not missing, f"subcommands not documented in README.md or docs/: {missing}"


def test_every_environment_variable_is_documented() -> None:
    variables = environment_variables(ROOT)
    # the scan reads the code at all: dbt's profile, the CLI, the dbt macros
    assert {
        "REGISTRY_INSIGHTS_DUCKDB_PATH",
        "REGISTRY_INSIGHTS_RAW_PATH",
        "REGISTRY_INSIGHTS_COLLECTOR_TOKEN",
        "REGISTRY_INSIGHTS_PROCESS_DATE",
    } <= set(variables)
    missing = undocumented_variables(variables, ROOT / "docs")
    where = {name: variables[name] for name in missing}
    assert not missing, f"environment variables read by the code, not in docs/: {where}"


def overview_blocks(root: Path) -> list[str]:
    """The files under models/ that define the dbt docs block `__overview__`, the front
    page of the dbt docs site."""
    block = re.compile(r"{%-?\s*docs\s+__overview__\s*-?%}")
    return [
        str(path.relative_to(root))
        for path in sorted((root / "models").rglob("*.md"))
        if block.search(path.read_text(encoding="utf-8"))
    ]


def test_the_dbt_docs_site_has_one_front_page() -> None:
    assert overview_blocks(ROOT) == ["models/overview.md"]


# ---- each checker can fail ---------------------------------------------------------


def test_a_missing_or_repeated_front_page_is_seen(tmp_path: Path) -> None:
    _write(tmp_path, {"models/_docs.md": "{% docs namespace %}x{% enddocs %}\n"})
    assert overview_blocks(tmp_path) == []
    _write(
        tmp_path,
        {
            "models/a.md": "{% docs __overview__ %}A{% enddocs %}\n",
            "models/marts/b.md": "{%- docs  __overview__ -%}B{% enddocs %}\n",
        },
    )
    assert overview_blocks(tmp_path) == ["models/a.md", "models/marts/b.md"]


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Quickstart", "quickstart"),
        ("The raw-data contract", "the-raw-data-contract"),
        ("`raw_path` and `REGISTRY_INSIGHTS_RAW_PATH`", "raw_path-and-registry_insights_raw_path"),
        ("Reports: CSV, gzip & API", "reports-csv-gzip--api"),
        ("What a run takes in (and why)", "what-a-run-takes-in-and-why"),
        ("See [the API](data-api.md)", "see-the-api"),
        ("Día 1", "día-1"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_repeated_headings_get_numbered_anchors() -> None:
    text = "# Tests\n\n## Tests\n\n```\n# not a heading\n```\n\n## Tests\n<a id='custom'></a>\n"
    assert heading_anchors(text) == {"tests", "tests-1", "tests-2", "custom"}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_link_checker_reports_each_kind_of_broken_link(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "README.md": (
                "# Project\n\n## Set up\n\n"
                "[ok](docs/a.md), [ok anchor](docs/a.md#the-rules), [ok self](#set-up),\n"
                "[ok folder](models), [ok line](models/m.sql#L3), [web](https://example.com)\n"
                "[missing](docs/missing.md) and [bad anchor](docs/a.md#no-such-heading)\n"
                "`[in code](nowhere.md)`\n\n"
                "```\n[in a block](nowhere.md)\n```\n"
                "[bad self](#setup) [outside](../outside.md)\n"
                "[bad line](models/m.sql#section)\n\n"
                "[ref]: docs/gone.md\n"
            ),
            "CONTRIBUTING.md": "See ![diagram](docs/diagram.png).\n",
            "docs/a.md": "# A\n\n## The rules\n\nBack to [the README](../README.md#project).\n",
            "models/m.sql": "select 1\n",
        },
    )
    problems = broken_links(tmp_path, documentation_files(tmp_path))
    assert problems == [
        "README.md:7: docs/missing.md: no such file or folder",
        "README.md:7: docs/a.md#no-such-heading: no heading #no-such-heading",
        "README.md:13: #setup: no heading #setup",
        "README.md:13: ../outside.md leaves the repository",
        "README.md:14: models/m.sql#section: #section is not a line anchor",
        "README.md:16: docs/gone.md: no such file or folder",
        "CONTRIBUTING.md:1: docs/diagram.png: no such file or folder",
    ]


def test_a_docs_page_missing_from_the_readme_is_reported(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "README.md": "[A](docs/a.md) and [B, a section](docs/b.md#usage)\n",
            "docs/a.md": "# A\n",
            "docs/b.md": "# B\n\n## Usage\n",
            "docs/c.md": "# C\n",
        },
    )
    assert pages_not_linked_from_readme(tmp_path) == ["docs/c.md"]


def test_subcommands_of_nested_groups_are_found_and_checked() -> None:
    toy = typer.Typer()
    admin = typer.Typer()

    @toy.command()
    def hello() -> None:
        """A command."""

    @toy.command("load-data")
    def load_data() -> None:
        """A command with its own name."""

    @admin.command("rotate-key")
    def rotate_key() -> None:
        """A command of a group."""

    @admin.command(hidden=True)
    def secret() -> None:
        """Hidden: not part of the interface."""

    toy.add_typer(admin, name="admin")
    commands = subcommands(toy)
    assert commands == ["admin", "admin rotate-key", "hello", "load-data"]
    texts = ["Run `registry-insights hello`.", "registry-insights load-data-fast --x"]
    assert undocumented_subcommands(commands, texts) == ["admin", "admin rotate-key", "load-data"]
    texts.append("registry-insights admin\n    rotate-key --now")
    assert undocumented_subcommands(commands, texts) == ["load-data"]


def test_the_variable_scan_finds_a_new_undocumented_variable(tmp_path: Path) -> None:
    new_knob = "REGISTRY_INSIGHTS_" + "NEW_KNOB"
    old_knob = "REGISTRY_INSIGHTS_" + "OLD_KNOB"
    readme_only = "REGISTRY_INSIGHTS_" + "README_ONLY"
    _write(
        tmp_path,
        {
            "registry_insights/settings.py": f'import os\nos.environ.get("{new_knob}")\n',
            "macros/settings.sql": f"{{{{ env_var('{old_knob}', 'x') }}}}\n",
            "Makefile": f"export {readme_only} := 1\n",
            "tests/pytest/docs/test_x.py": "REGISTRY_INSIGHTS_" + "IGNORED = 1\n",
            "README.md": f"Set `{readme_only}` (the README alone does not count).\n",
            "docs/configuration.md": f"| `{old_knob}` | an old knob |\n",
        },
    )
    variables = environment_variables(tmp_path)
    assert variables == {
        new_knob: ["registry_insights/settings.py"],
        old_knob: ["macros/settings.sql"],
        readme_only: ["Makefile"],
    }
    assert undocumented_variables(variables, tmp_path / "docs") == [new_knob, readme_only]


#: A repository path written in prose or comments: `tests/pytest/api/test_x.py`, `macros/x.sql`.
REPOSITORY_PATH = re.compile(
    r"(?<![\w/.-])((?:tests|models|macros|seeds|scripts|registry_insights|docs|analyses)"
    r"/[\w./-]*\.(?:py|sql|yml|md|json|toml|csv))(?![\w/-])"
)
#: The files whose prose and comments name repository paths.
PATH_MENTIONS = ("README.md", "CONTRIBUTING.md", "docs", "macros", "models", "seeds", "scripts")


def missing_mentioned_paths(root: Path) -> list[str]:
    """`file: path` for each repository path that a document or comment names but that
    does not exist (a file moved without its mentions)."""
    files: list[Path] = []
    for name in PATH_MENTIONS:
        place = root / name
        if place.is_file():
            files.append(place)
        elif place.is_dir():
            files.extend(
                path
                for path in sorted(place.rglob("*"))
                if path.suffix in {".md", ".yml", ".sql", ".py", ".toml"}
            )
    missing = []
    for path in files:
        for mention in REPOSITORY_PATH.findall(path.read_text(encoding="utf-8")):
            if "<" not in mention and "*" not in mention and not (root / mention).exists():
                missing.append(f"{path.relative_to(root)}: {mention}")
    return missing


def test_every_repository_path_named_in_docs_and_comments_exists() -> None:
    assert missing_mentioned_paths(ROOT) == []


def test_a_moved_file_still_named_somewhere_is_reported(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "README.md": "See `tests/pytest/test_gone.py` and `docs/here.md`.\n",
            "docs/here.md": "# Here\n",
        },
    )
    assert missing_mentioned_paths(tmp_path) == ["README.md: tests/pytest/test_gone.py"]
