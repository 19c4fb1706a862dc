{#-
    engine_data_type(data_type)

    The engine's spelling of a type written in the project's YAML (source contracts,
    mart contracts). The YAML uses DuckDB / ANSI names such as `varchar`; Spark has no
    `varchar` without a length and calls it `string`. Every other type name the project
    uses (bigint, integer, smallint, boolean, date, timestamp, decimal(p, s)) is the same
    on both engines.
-#}
{% macro engine_data_type(data_type) %}
    {{ return(adapter.dispatch('engine_data_type', 'registry_insights')(data_type)) }}
{% endmacro %}

{% macro default__engine_data_type(data_type) %}
    {{ return(data_type) }}
{% endmacro %}

{% macro spark__engine_data_type(data_type) %}
    {%- if data_type | trim | lower in ['varchar', 'text', 'character varying'] -%}
        {{ return(dbt.type_string()) }}
    {%- endif -%}
    {{ return(data_type) }}
{% endmacro %}


{#-
    dbt's own cast, overridden on Spark only so that the declared types of an enforced
    contract (dbt casts null to each YAML data_type to read the declared schema) go
    through engine_data_type: mart contracts keep the same YAML on every engine.
-#}
{% macro spark__cast(field, type) %}
    cast({{ field }} as {{ engine_data_type(type) }})
{%- endmacro %}
