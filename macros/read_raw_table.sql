{#-
    read_raw_table(source_relation, files=none)

    Selects the contract columns of one raw table, cast to their contract types.
    The column list and types come from the source's YAML, which is the contract.
    A table whose folder is empty or absent yields an empty relation with the same
    columns instead of failing, so that a registry without, say, extension events
    still builds.

    DuckDB reads the files directly (the source's `external_location`). Spark has no
    such source: spark__read_raw_table first registers the source as an external
    Parquet table over the table's folder (see spark__register_raw_table).

    With `files` (a list of file paths of the table), reads only those files and adds
    `source_file` (the file's path) and `file_row_number` (0-based row in the file):
    incremental runs read the files they take in, and each raw row keeps its identity.
-#}
{% macro read_raw_table(source_relation, files=none) %}
    {%- if files is none -%}
        {{ return(adapter.dispatch('read_raw_table', 'registry_insights')(source_relation)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('read_raw_files', 'registry_insights')(source_relation, files)) }}
{% endmacro %}


{#-
    Every row needs its identity (file, row in the file): the kept copy of a redelivered
    event is chosen by it, and ops_request_redeliveries names the copies that
    are not kept by it. An engine without its own read_raw_files cannot give one.
-#}
{% macro default__read_raw_files(source_relation, files) %}
    {{ exceptions.raise_compiler_error(
        "registry_insights has no read_raw_files for the " ~ target.type ~ " adapter: it must"
        ~ " read the raw table with each row's file path and row number (see"
        ~ " macros/read_raw_table.sql, duckdb__ and spark__read_raw_files)."
    ) }}
{% endmacro %}


{#-
    Spark has no file ledger (supports_raw_file_ledger): it reads the whole table, and
    each row's identity comes from the file metadata of the Parquet source.
-#}
{% macro spark__read_raw_files(source_relation, files) %}
    {%- set columns = raw_table_columns(source_relation) -%}
    {%- if execute -%}
        {%- do spark__register_raw_table(source_relation) -%}
    {%- endif %}
    select
    {%- for column in columns %}
        {{ _raw_column_cast(column, true) }},
    {%- endfor %}
        cast(_metadata.file_path as {{ dbt.type_string() }}) as source_file,
        cast(_metadata.row_index as bigint) as file_row_number
    from {{ source_relation }}
{% endmacro %}


{% macro duckdb__read_raw_files(source_relation, files) %}
    {%- set columns = raw_table_columns(source_relation) -%}
    {%- set file_types = {} -%}
    {%- if execute -%}
        {#- fails loudly on files outside the layout, whichever files this run reads -#}
        {%- do duckdb__raw_table_has_files(source_relation) -%}
        {%- if files -%}
            {%- set file_types = duckdb__raw_file_column_types(files) -%}
        {%- endif -%}
    {%- endif -%}
    select
    {%- for column in columns %}
        {%- if file_types.get(column.name | lower) == 'TIMESTAMP WITH TIME ZONE'
            and engine_data_type(column.data_type) | trim | lower == 'timestamp' %}
        {{ duckdb__utc_timestamp(adapter.quote(column.name)) }} as {{ column.name }},
        {%- else %}
        {{ _raw_column_cast(column, files | length > 0) }},
        {%- endif %}
    {%- endfor %}
        cast({{ 'filename' if files else 'null' }} as {{ dbt.type_string() }}) as source_file,
        cast({{ 'file_row_number' if files else 'null' }} as bigint) as file_row_number
    {%- if files %}
    from read_parquet(
        [{{ sql_string_list(files) }}],
        union_by_name = true, hive_partitioning = false, filename = true, file_row_number = true
    )
    {%- else %}
    where 1 = 0
    {%- endif %}
{% endmacro %}


{#-
    The column types DuckDB reads from these files (the union of their schemas, by
    name): {lower-case column name: DuckDB type}. Reads only the files' footers.
-#}
{% macro duckdb__raw_file_column_types(files) %}
    {%- set query -%}
        select lower(column_name) as column_name, column_type
        from (describe select * from read_parquet(
            [{{ sql_string_list(files) }}], union_by_name = true, hive_partitioning = false
        ))
    {%- endset -%}
    {%- set found = {} -%}
    {%- for row in run_query(query).rows -%}
        {%- do found.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}


{#-
    A TIMESTAMP WITH TIME ZONE as the UTC timestamp it is, the instant's microseconds
    since the epoch: equal to `cast(... as timestamp)` in the profile's TimeZone (UTC)
    up to the year 100000, and about nine times cheaper (the cast converts each value
    through the ICU calendar, 0.9 s of the 2-core machine per 10 million rows; this takes
    0.1 s). Near DuckDB's largest timestamp (year 294247) the cast loses microseconds and
    this does not; in any session TimeZone this gives the UTC time. The infinities, which
    have no epoch, go through the cast (tests/pytest/warehouse/test_raw_timestamps.py).
-#}
{% macro duckdb__utc_timestamp(expression) %}
    coalesce(make_timestamp(epoch_us({{ expression }})), cast({{ expression }} as timestamp))
{%- endmacro %}


{%- macro _raw_column_cast(column, present) -%}
    cast({{ adapter.quote(column.name) if present else 'null' }} as {{ engine_data_type(column.data_type) }}) as {{ column.name }}
{%- endmacro -%}


{% macro default__read_raw_table(source_relation) %}
    {%- set columns = raw_table_columns(source_relation) -%}
    select
    {%- for column in columns %}
        {{ _raw_column_cast(column, true) }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ source_relation }}
{% endmacro %}


{% macro duckdb__read_raw_table(source_relation) %}
    {%- set columns = raw_table_columns(source_relation) -%}
    {%- set pattern = raw_data_path() ~ '/' ~ source_relation.identifier ~ '/*/*.parquet' -%}
    {%- set has_files = true -%}
    {%- if execute -%}
        {%- set has_files = duckdb__raw_table_has_files(source_relation) -%}
    {%- endif -%}
    {%- if has_files %}
    select
    {%- for column in columns %}
        {{ _raw_column_cast(column, true) }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ source_relation }}
    {%- else %}
    {{ log("No files match " ~ pattern ~ ": " ~ source_relation.identifier ~ " builds as empty.", info=true) }}
    select
    {%- for column in columns %}
        {{ _raw_column_cast(column, false) }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
    {%- endif %}
{% endmacro %}


{% macro spark__read_raw_table(source_relation) %}
    {%- if execute -%}
        {%- do spark__register_raw_table(source_relation) -%}
    {%- endif %}
    {{ default__read_raw_table(source_relation) }}
{% endmacro %}


{#-
    Spark: (re)creates the source table `<source schema>.<table>` as an external Parquet
    table with the contract's columns over <raw_path>/<table>, reading every *.parquet
    file below it (no partition inference, like DuckDB's hive_partitioning = false), and
    fails loudly on files outside the layout. An absent folder reads as an empty table
    (the metastore creates the empty folder).
-#}
{% macro spark__register_raw_table(source_relation) %}
    {%- set folder = raw_data_path() ~ '/' ~ source_relation.identifier -%}
    {%- do spark__create_external_parquet_table(
        source_relation, raw_table_columns(source_relation), folder, '*.parquet'
    ) -%}
    {%- set listing -%}
        select file_path from (
            select distinct _metadata.file_path as file_path from {{ source_relation }}
        ) as files
        where not file_path rlike '/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]+$'
        order by file_path
        limit 5
    {%- endset -%}
    {%- set misplaced = run_query(listing).columns[0].values() -%}
    {%- if misplaced | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "Raw files outside the contract's layout <raw_path>/" ~ source_relation.identifier
            ~ "/date=YYYY-MM-DD/*.parquet: " ~ (misplaced | join(', '))
        ) }}
    {%- endif -%}
{% endmacro %}


{#- Spark: an external table with the given columns over the Parquet files under folder. -#}
{% macro spark__create_external_parquet_table(relation, columns, folder, file_pattern) %}
    {%- call statement('create_external_table_schema') -%}
        create schema if not exists {{ relation.schema }}
    {%- endcall -%}
    {%- call statement('drop_external_table') -%}
        drop table if exists {{ relation }}
    {%- endcall -%}
    {%- call statement('create_external_table') -%}
        create table {{ relation }} (
        {%- for column in columns %}
            {{ adapter.quote(column.name) }} {{ engine_data_type(column.data_type) }}{{ "," if not loop.last }}
        {%- endfor %}
        )
        using parquet
        options (recursiveFileLookup 'true', pathGlobFilter '{{ file_pattern }}')
        location '{{ folder | replace("'", "\\'") }}'
    {%- endcall -%}
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


{#-
    True when the table's folder holds Parquet files in day partitions. Fails with a
    clear message when files sit where the contract does not put them (directly in
    the table folder, or in a folder not named date=YYYY-MM-DD): they would otherwise
    be ignored silently.
-#}
{% macro duckdb__raw_table_has_files(source_relation) %}
    {%- set folder = raw_data_path() ~ '/' ~ source_relation.identifier -%}
    {%- set quoted = folder | replace("'", "''") -%}
    {%- set listing -%}
        select
            count(*) filter (where file like '%.parquet' and regexp_matches(file, '/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]+$'))
                as partitioned_files,
            array_to_string(list(file) filter (
                where file like '%.parquet'
                and not regexp_matches(file, '/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]+$')
            )[1:5], ', ') as misplaced_files
        from (
            select file from glob('{{ quoted }}/*.parquet')
            union all
            select file from glob('{{ quoted }}/*/*.parquet')
        ) as files
    {%- endset -%}
    {%- set found = run_query(listing) -%}
    {%- set misplaced = found.columns[1].values()[0] -%}
    {%- if misplaced -%}
        {{ exceptions.raise_compiler_error(
            "Raw files outside the contract's layout <raw_path>/" ~ source_relation.identifier
            ~ "/date=YYYY-MM-DD/*.parquet would be ignored: " ~ misplaced
        ) }}
    {%- endif -%}
    {%- if found.columns[0].values()[0] > 0 -%}
        {%- do duckdb__raw_files_have_required_columns(source_relation, quoted ~ '/*/*.parquet') -%}
    {%- endif -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{% endmacro %}


{#-
    Fails, naming them, on raw files that are not Parquet (empty, truncated, random
    bytes: DuckDB's error names the first) or that lack a column of the table's
    `required_columns` (source meta): read by name, such a file would give rows of nulls,
    quarantined while the build goes on. Reads only the files' footers.
-#}
{% macro duckdb__raw_files_have_required_columns(source_relation, pattern) %}
    {%- set required = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.identifier == source_relation.identifier and node.source_name == 'registry' -%}
            {%- do required.extend(node.meta.get('required_columns', [])) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if required | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set check -%}
        select file_name
        from parquet_schema('{{ pattern }}')
        group by file_name
        having not list_has_all(list(name), [{{ sql_string_list(required) }}])
        order by file_name
    {%- endset -%}
    {%- set files = run_query(check).columns[0].values() -%}
    {%- if files | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "Raw files of " ~ source_relation.identifier ~ " without the contract's required columns ("
            ~ required | join(", ") ~ "): " ~ files[:5] | join(", ")
            ~ (" and " ~ (files | length - 5) ~ " more" if files | length > 5 else "")
            ~ ". Move them out of the raw folder (docs/faults.md) and run again."
        ) }}
    {%- endif -%}
{% endmacro %}
