{#-
    relation_without_ref(model_name): the relation of a model of this project read without
    ref(), or none while it does not exist (and at parse time). The only way the project
    reads a model without ref(): for a relation that must be read before it is built in the
    DAG (the ledger of request files, written last in a run and read at its start), which
    ref() would make a cycle.

    Every such read is listed, by reader, in var `layer_exceptions.reads_without_ref`
    (dbt_project.yml); this macro fails at compile time for a reader that is not listed,
    and tests/pytest/project/test_project_conventions.py fails on an unlisted caller too.
    In a unit test it returns none: the test reads its given inputs only.
-#}
{% macro relation_without_ref(model_name) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {#- a unit test reads its given inputs only: no relation exists for it (the model
            it tests was checked when parsed) -#}
        {{ return(none) }}
    {%- endif -%}
    {%- set listed = var('layer_exceptions')['reads_without_ref'].get(model.name, []) -%}
    {%- if model_name not in listed -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ " reads " ~ model_name ~ " without ref(): use ref(), or list the read"
            ~ " under var layer_exceptions.reads_without_ref in dbt_project.yml"
        ) }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("No model named " ~ model_name) }}
{%- endmacro %}
