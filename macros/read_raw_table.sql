{#-
    read_raw_table(source_relation)

    Selects the contract columns of one raw table, cast to their contract types.
    The column list and types come from the source's YAML, which is the contract.
    A table whose folder is empty or absent yields an empty relation with the same
    columns instead of failing, so that a registry without, say, extension events
    still builds.
-#}
{% macro read_raw_table(source_relation) %}
    {{ return(adapter.dispatch('read_raw_table', 'registry_insights')(source_relation)) }}
{% endmacro %}


{% macro default__read_raw_table(source_relation) %}
    {%- set columns = raw_table_columns(source_relation) -%}
    select
    {%- for column in columns %}
        cast({{ adapter.quote(column.name) }} as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ source_relation }}
{% endmacro %}


{% macro duckdb__read_raw_table(source_relation) %}
    {%- set columns = raw_table_columns(source_relation) -%}
    {%- set pattern = raw_data_path() ~ '/' ~ source_relation.identifier ~ '/*/*.parquet' -%}
    {%- set has_files = true -%}
    {%- if execute -%}
        {%- set found = run_query("select count(*) from glob('" ~ pattern | replace("'", "''") ~ "')") -%}
        {%- set has_files = found.columns[0].values()[0] > 0 -%}
    {%- endif -%}
    {%- if has_files %}
    select
    {%- for column in columns %}
        cast({{ adapter.quote(column.name) }} as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ source_relation }}
    {%- else %}
    {{ log("No files match " ~ pattern ~ ": " ~ source_relation.identifier ~ " builds as empty.", info=true) }}
    select
    {%- for column in columns %}
        cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
    {%- endif %}
{% endmacro %}


{#- The contract columns of a source table, in YAML order: [{name, data_type}]. -#}
{% macro raw_table_columns(source_relation) %}
    {%- set found = [] -%}
    {%- if not execute -%}
        {{ return([{'name': 'placeholder', 'data_type': 'varchar'}]) }}
    {%- endif -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.identifier == source_relation.identifier and node.source_name == 'registry' -%}
            {%- for column in node.columns.values() -%}
                {%- do found.append({'name': column.name, 'data_type': column.data_type}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if execute and found | length == 0 -%}
        {{ exceptions.raise_compiler_error("No contract columns declared for source table " ~ source_relation.identifier) }}
    {%- endif -%}
    {{ return(found) }}
{% endmacro %}
