{#-
    The raw files themselves, per engine (dispatched): which Parquet files a raw table has,
    how many rows each holds, and whether this engine can keep the file ledger at all.
-#}

{#-
    raw_files_listing(source_relation): one row per Parquet file of a raw table in the
    contract's layout, with file_path and partition_date (the date=YYYY-MM-DD folder).
-#}
{% macro raw_files_listing(source_relation) %}
    {{ return(adapter.dispatch('raw_files_listing', 'registry_insights')(source_relation)) }}
{% endmacro %}

{% macro default__raw_files_listing(source_relation) %}
    select
        cast(null as {{ dbt.type_string() }}) as file_path,
        cast(null as date) as partition_date
    where 1 = 0
{% endmacro %}

{% macro duckdb__raw_files_listing(source_relation) %}
    {%- set folder = (raw_data_path() ~ '/' ~ source_relation.identifier) | replace("'", "''") -%}
    {%- if execute -%}
        {#- fails loudly on files outside the layout -#}
        {%- do duckdb__raw_table_has_files(source_relation) -%}
    {%- endif %}
    select
        file as file_path,
        cast(regexp_extract(file, '/date=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]+$', 1) as date) as partition_date
    from glob('{{ folder }}/*/*.parquet')
{% endmacro %}


{#- raw_file_row_counts(files): one row per listed Parquet file: file_path, row_count (from its metadata). -#}
{% macro raw_file_row_counts(files) %}
    {{ return(adapter.dispatch('raw_file_row_counts', 'registry_insights')(files)) }}
{% endmacro %}

{% macro default__raw_file_row_counts(files) %}
    {%- if files | length > 0 -%}
        {{ exceptions.raise_compiler_error("raw_file_row_counts is not implemented for " ~ target.type) }}
    {%- endif %}
    select cast(null as {{ dbt.type_string() }}) as file_path, cast(null as bigint) as row_count
    where 1 = 0
{% endmacro %}

{% macro duckdb__raw_file_row_counts(files) %}
    {%- if files | length == 0 %}
    {{ default__raw_file_row_counts(files) }}
    {%- else %}
    select
        file_name as file_path,
        cast(num_rows as bigint) as row_count
    from parquet_file_metadata([{{ sql_string_list(files) }}])
    {%- endif %}
{% endmacro %}


{#-
    True on engines where the project lists raw files and reads chosen files
    (raw_files_listing, read_raw_table(files=...), raw_file_row_counts): there daily runs
    are incremental. Elsewhere every run rebuilds history: the daily models are tables
    (their config: `'incremental' if target.type == 'duckdb' else 'table'`, as dispatch is
    not available in config() at parse time), no file is listed and the ledger stays empty.
-#}
{% macro supports_raw_file_ledger() %}
    {{ return(adapter.dispatch('supports_raw_file_ledger', 'registry_insights')()) }}
{% endmacro %}

{% macro default__supports_raw_file_ledger() %}
    {{ return(false) }}
{% endmacro %}

{% macro duckdb__supports_raw_file_ledger() %}
    {{ return(true) }}
{% endmacro %}
