"""The project keeps its own conventions: grain stated, every column documented,
every keyed model tested for its key, marts under enforced contracts; the layers read
one way (source() in staging only, staging reads no later layer, no model read without
ref()) except where var `layer_exceptions` (dbt_project.yml) lists it; every public macro
documented with its arguments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pytest
from dbt.clients.yaml_helper import load_yaml_text
from jinja2 import Environment, nodes
from support.warehouse_build import PROJECT_DIR

# Models whose grain is "one row per raw row" have no key of their own by design.
UNKEYED_MODELS = {
    "base_registry__requests",
    "base_registry__extension_events",
    "stg_registry__requests_quarantined",
    "base_registry__image_scans",
    "stg_registry__image_scans_quarantined",
    "base_registry__image_vulnerabilities",
    "stg_registry__image_vulnerabilities_quarantined",
    "base_registry__tag_pushes",
    "stg_registry__tag_pushes_quarantined",
}
KEY_TESTS = {"unique", "unique_combination_of_columns"}
# The layers a staging model may not read (seeds and sources are inputs, not layers).
LATER_LAYERS = {"ops", "intermediate", "marts"}
# The one macro that reads a model without ref(), and the file that holds it.
READ_WITHOUT_REF = "relation_without_ref"
READ_WITHOUT_REF_FILE = "macros/relation_without_ref.sql"
# Ways to reach a model's relation without ref(): only READ_WITHOUT_REF_FILE may use them.
HIDDEN_READS = re.compile(
    r"\bgraph\.nodes\b|\bgraph\s*\[|\bapi\.Relation\.create\b|\badapter\.get_relation\b"
    r"|\bload_cached_relation\b|\bmodel_relation\b"
)
JINJA = Environment(extensions=["jinja2.ext.do"])


@pytest.fixture(scope="module")
def models(manifest: Any) -> list[Any]:
    found = [
        node
        for node in manifest.nodes.values()
        if node.resource_type == "model" and node.package_name == "registry_insights"
    ]
    assert found
    return found


def _built(models: list[Any]) -> list[Any]:
    """The models written to the warehouse: an ephemeral model is compiled into its readers
    (the classification into the fact table), which hold and test its rows."""
    return [m for m in models if m.config.materialized != "ephemeral"]


@pytest.fixture(scope="module")
def layer_exceptions() -> dict[str, dict[str, list[str]]]:
    """Var `layer_exceptions` of dbt_project.yml: per kind, reader -> what it reads."""
    project = load_yaml_text((PROJECT_DIR / "dbt_project.yml").read_text())
    assert project is not None
    listed: dict[str, dict[str, list[str]]] = project["vars"]["layer_exceptions"]
    assert set(listed) == {"sources_outside_staging", "staging_reads", "reads_without_ref"}
    return {
        kind: {reader: sorted(reads) for reader, reads in by_reader.items()}
        for kind, by_reader in listed.items()
    }


def test_every_model_states_its_grain(models: list[Any]) -> None:
    missing = [m.name for m in models if "one row per" not in m.description.lower()]
    assert missing == []


def test_every_built_column_is_documented(
    models: list[Any], warehouse: duckdb.DuckDBPyConnection
) -> None:
    undocumented: list[str] = []
    for model in _built(models):
        built = warehouse.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [model.schema, model.alias],
        ).fetchall()
        assert built, f"{model.name} was not built"
        for (column,) in built:
            documented = model.columns.get(column)
            if documented is None or not documented.description.strip():
                undocumented.append(f"{model.name}.{column}")
    assert undocumented == []


def test_every_keyed_model_is_tested_for_its_key(manifest: Any, models: list[Any]) -> None:
    keyed: set[str] = set()
    for node in manifest.nodes.values():
        if node.resource_type != "test" or not getattr(node, "test_metadata", None):
            continue
        if node.test_metadata.name in KEY_TESTS:
            keyed.update(dep.split(".")[-1] for dep in node.depends_on.nodes)
    untested = [
        m.name for m in _built(models) if m.name not in keyed and m.name not in UNKEYED_MODELS
    ]
    assert untested == []


def test_marts_enforce_contracts_and_type_every_column(models: list[Any]) -> None:
    marts = [m for m in models if m.fqn[1] == "marts"]
    assert marts
    for mart in marts:
        assert mart.config.contract.enforced, mart.name
        assert all(column.data_type for column in mart.columns.values()), mart.name


def _layer(node: Any) -> str:
    """The folder under models/ (staging, ops, intermediate, marts); "" for other nodes."""
    return str(node.fqn[1]) if node.resource_type == "model" else ""


def test_source_is_read_in_staging_only(
    models: list[Any], layer_exceptions: dict[str, dict[str, list[str]]]
) -> None:
    found = {
        model.name: sorted(
            dependency.split(".", 2)[2]
            for dependency in model.depends_on.nodes
            if dependency.startswith("source.")
        )
        for model in models
        if _layer(model) != "staging"
    }
    found = {name: sources for name, sources in found.items() if sources}
    assert found == layer_exceptions["sources_outside_staging"]


def test_staging_reads_no_later_layer_except_as_listed(
    manifest: Any, models: list[Any], layer_exceptions: dict[str, dict[str, list[str]]]
) -> None:
    found = {
        model.name: sorted(
            manifest.nodes[dependency].name
            for dependency in model.depends_on.nodes
            if dependency in manifest.nodes and _layer(manifest.nodes[dependency]) in LATER_LAYERS
        )
        for model in models
        if _layer(model) == "staging"
    }
    found = {name: reads for name, reads in found.items() if reads}
    assert found == layer_exceptions["staging_reads"]


@dataclass(frozen=True)
class JinjaCalls:
    """What a piece of Jinja calls: macros by name, families by adapter.dispatch, and the
    models it reads through READ_WITHOUT_REF (None: a name that is not a literal)."""

    macros: frozenset[str]
    dispatched: frozenset[str]
    read_without_ref: frozenset[str | None]


def _jinja_tree(code: str) -> nodes.Template:
    """The Jinja syntax tree of a model or macro; dbt's `{% test %}` blocks are macros."""
    code = re.sub(r"{%(-?)\s*test\b", r"{%\1 macro", code)
    code = re.sub(r"{%(-?)\s*endtest\b", r"{%\1 endmacro", code)
    return JINJA.parse(code)


def _jinja_calls(code: str) -> JinjaCalls:
    macros: set[str] = set()
    dispatched: set[str] = set()
    read: set[str | None] = set()
    for call in _jinja_tree(code).find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name):
            macros.add(target.name)
            if target.name == READ_WITHOUT_REF:
                first = call.args[0] if call.args else None
                literal = isinstance(first, nodes.Const) and isinstance(first.value, str)
                read.add(first.value if literal and isinstance(first, nodes.Const) else None)
        elif isinstance(target, nodes.Getattr) and target.attr == "dispatch" and call.args:
            family = call.args[0]
            if isinstance(family, nodes.Const) and isinstance(family.value, str):
                dispatched.add(family.value)
    return JinjaCalls(frozenset(macros), frozenset(dispatched), frozenset(read))


def _reads_without_ref(manifest: Any, model: Any) -> set[str | None]:
    """The models `model` may read through READ_WITHOUT_REF, through any macro it calls
    (whatever the branch), any dispatched variant, and its incremental strategy."""
    project_macros = {
        macro.name: macro
        for macro in manifest.macros.values()
        if macro.package_name == "registry_insights"
    }
    calls = _jinja_calls(model.raw_code)
    strategy = getattr(model.config, "incremental_strategy", None)
    pending = set(calls.macros) | {f"get_incremental_{strategy}_sql"}
    pending |= {
        name
        for name in project_macros
        for family in calls.dispatched
        if name.endswith(f"__{family}")
    }
    read = set(calls.read_without_ref)
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in project_macros:
            continue
        seen.add(name)
        called = _jinja_calls(project_macros[name].macro_sql)
        read |= called.read_without_ref
        pending |= called.macros
        pending |= {
            other
            for other in project_macros
            for family in called.dispatched
            if other.endswith(f"__{family}")
        }
    return read


def test_models_are_read_without_ref_only_as_listed(
    manifest: Any, models: list[Any], layer_exceptions: dict[str, dict[str, list[str]]]
) -> None:
    found: dict[str, list[str]] = {}
    for model in models:
        read = _reads_without_ref(manifest, model)
        assert None not in read, f"{model.name}: {READ_WITHOUT_REF} needs a literal model name"
        if read:
            found[model.name] = sorted(name for name in read if name is not None)
    assert found == layer_exceptions["reads_without_ref"]


def _sql_files() -> Iterator[str]:
    for folder in ("models", "macros", "tests", "analyses"):
        for path in sorted((PROJECT_DIR / folder).rglob("*.sql")):
            yield str(path.relative_to(PROJECT_DIR))


def test_no_model_is_read_by_any_other_means(manifest: Any) -> None:
    """Only macro relation_without_ref reaches a relation without ref(); no SQL names a
    model's schema-qualified relation."""
    relations = {
        node.name for node in manifest.nodes.values() if node.resource_type in ("model", "seed")
    }
    qualified = re.compile(r"\b(?:staging|ops|intermediate|marts|reference)[\"`]?\.[\"`]?(\w+)")
    found = []
    for path in _sql_files():
        text = (PROJECT_DIR / path).read_text()
        text = re.sub(r"{#.*?#}", "", text, flags=re.DOTALL)
        text = re.sub(r"--[^\n]*", "", text)
        if path != READ_WITHOUT_REF_FILE:
            found += [f"{path}: {match.group(0)}" for match in HIDDEN_READS.finditer(text)]
        found += [
            f"{path}: {match.group(0)}"
            for match in qualified.finditer(text)
            if match.group(1) in relations
        ]
    assert found == []


def _parameters(macro: Any) -> list[str]:
    """The parameter names of a macro (or generic test), in order, from its signature."""
    definition = next(_jinja_tree(macro.macro_sql).find_all(nodes.Macro))
    return [argument.name for argument in definition.args]


def test_every_public_macro_is_documented_with_its_arguments(manifest: Any) -> None:
    problems = []
    for macro in manifest.macros.values():
        if macro.package_name != "registry_insights" or macro.name.startswith("_"):
            continue
        documented = [argument.name for argument in macro.arguments]
        if not macro.description.strip():
            problems.append(f"{macro.name}: no description")
        if documented != _parameters(macro):
            problems.append(f"{macro.name}: documents {documented}, takes {_parameters(macro)}")
        problems += [
            f"{macro.name}.{argument.name}: no type or description"
            for argument in macro.arguments
            if not (argument.type or "").strip() or not (argument.description or "").strip()
        ]
    assert sorted(problems) == []
