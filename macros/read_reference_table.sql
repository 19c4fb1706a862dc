{#-
    read_reference_table(source_relation)

    Selects the declared columns of a `reference` source table (the Parquet files that
    `registry-insights load-reference` writes), cast to the types in the sources YAML.
    Unlike raw tables, a missing reference table fails `dbt run` and `dbt build`:
    enrichment against nothing would silently make every IP "unknown". Other commands
    (compile, docs, sqlfluff) get an empty relation of the same shape instead.
-#}
{% macro read_reference_table(source_relation) %}
    {{ return(adapter.dispatch('read_reference_table', 'registry_insights')(source_relation)) }}
{% endmacro %}


{% macro default__read_reference_table(source_relation) %}
    {%- set columns = reference_table_columns(source_relation) -%}
    select
    {%- for column in columns %}
        cast({{ adapter.quote(column.name) }} as {{ engine_data_type(column.data_type) }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ source_relation }}
{% endmacro %}


{% macro duckdb__read_reference_table(source_relation) %}
    {%- set has_file = true -%}
    {%- if execute -%}
        {%- set path = reference_data_path() ~ '/' ~ source_relation.identifier ~ '/data.parquet' -%}
        {%- set found = run_query("select count(*) from glob('" ~ (path | replace("'", "''")) ~ "')") -%}
        {%- set has_file = found.columns[0].values()[0] > 0 -%}
        {%- if not has_file and flags.WHICH in ['run', 'build', 'retry'] -%}
            {{ exceptions.raise_compiler_error(
                "Reference table " ~ source_relation.identifier ~ " not found at " ~ path
                ~ ": run `registry-insights load-reference --out " ~ reference_data_path() ~ "` first."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- if has_file -%}
    {{ default__read_reference_table(source_relation) }}
    {%- else -%}
    {#- Compiling, linting or documenting without the files: an empty relation of the same shape. -#}
    select
    {%- for column in reference_table_columns(source_relation) %}
        cast(null as {{ engine_data_type(column.data_type) }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
    {%- endif %}
{% endmacro %}


{#- Spark: the source as an external table over the file's folder; missing fails as on DuckDB. -#}
{% macro spark__read_reference_table(source_relation) %}
    {%- if execute -%}
        {%- set folder = reference_data_path() ~ '/' ~ source_relation.identifier -%}
        {%- do spark__create_external_parquet_table(
            source_relation, reference_table_columns(source_relation), folder, 'data.parquet'
        ) -%}
        {%- set found = run_query(
            "select count(*) from (select distinct _metadata.file_path from " ~ source_relation ~ ") as files"
        ) -%}
        {%- if found.columns[0].values()[0] == 0 and flags.WHICH in ['run', 'build', 'retry'] -%}
            {{ exceptions.raise_compiler_error(
                "Reference table " ~ source_relation.identifier ~ " not found at " ~ folder
                ~ "/data.parquet: run `registry-insights load-reference --out " ~ reference_data_path() ~ "` first."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ default__read_reference_table(source_relation) }}
{% endmacro %}


{#- The declared columns (name and data_type) of a `reference` source table. -#}
{% macro reference_table_columns(source_relation) %}
    {%- set found = [] -%}
    {%- if not execute -%}
        {{ return([{'name': 'placeholder', 'data_type': 'varchar'}]) }}
    {%- endif -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.identifier == source_relation.identifier and node.source_name == 'reference' -%}
            {%- for column in node.columns.values() -%}
                {%- do found.append({'name': column.name, 'data_type': column.data_type}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found | length == 0 -%}
        {{ exceptions.raise_compiler_error("No columns declared for reference table " ~ source_relation.identifier) }}
    {%- endif -%}
    {{ return(found) }}
{% endmacro %}


{#- Folder of the reference tables: var `reference_path`, else env REGISTRY_INSIGHTS_REFERENCE_PATH,
    else data/reference. Keep in step with external_location in _reference__sources.yml. -#}
{% macro reference_data_path() -%}
    {{ return(var('reference_path', env_var('REGISTRY_INSIGHTS_REFERENCE_PATH', 'data/reference'))) }}
{%- endmacro %}
