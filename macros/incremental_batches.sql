{#-
    Daily incremental processing: which raw files a run takes in, from which instant it
    recomputes pull actions, and how an incremental model replaces that span.

    A raw request file is taken in once. `base_registry__request_files` lists the files
    of the contract that the ledger `stg_registry__request_files` does not hold yet (the
    run's "pending" files); the ledger records them only at the end of a run, after the
    fact table, so a run that fails takes the same files in again when rerun, and every
    incremental model replaces what it wrote before.
-#}

{#-
    The day a run processes: var process_date (YYYY-MM-DD), else the environment variable
    REGISTRY_INSIGHTS_PROCESS_DATE, else none for "everything new". Read only when
    executing, so that changing the day does not make dbt parse the project again.
-#}
{% macro process_date() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(var('process_date', none) or env_var('REGISTRY_INSIGHTS_PROCESS_DATE', '') or none) }}
{%- endmacro %}


{#- True when this run rebuilds history: `--full-refresh`, or no ledger yet. -#}
{% macro is_history_rebuild() -%}
    {%- if flags.FULL_REFRESH -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(request_files_ledger() is none) }}
{%- endmacro %}


{#-
    The ledger of request files taken in, if it exists. Read without ref(): it runs last,
    after the models that read it.
-#}
{% macro request_files_ledger() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set ledger = model_relation('stg_registry__request_files') -%}
    {{ return(adapter.get_relation(database=ledger.database, schema=ledger.schema, identifier=ledger.identifier)) }}
{%- endmacro %}


{#-
    The relation of a model of this project, without ref(): for models that read the run's
    pending files or staging only in incremental runs, after them in the DAG anyway (so
    their unit tests need no input for them).
-#}
{% macro model_relation(name) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("No model named " ~ name) }}
{%- endmacro %}


{#-
    request_files_filter(column, files): a SQL condition true when `column` is one of the
    file paths `files` (false for none). A list of literals, not a subquery, so that
    DuckDB opens only those files of the raw requests view.
-#}
{% macro request_files_filter(column, files) -%}
    {%- if files | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in ({{ sql_string_list(files) }})
    {%- endif -%}
{%- endmacro %}


{#-
    The paths of every request file taken in, this run's included: the ledger's accepted
    files and the run's accepted pending files (only the latter when history is rebuilt).
    base_registry__requests reads exactly these files.
-#}
{% macro taken_in_request_files() -%}
    {%- set pending = pending_request_files() -%}
    {%- if not execute or is_history_rebuild() -%}
        {{ return(pending) }}
    {%- endif -%}
    {%- set recorded = run_query(
        "select file_path from " ~ request_files_ledger() ~ " where is_accepted"
    ).columns[0].values() | list -%}
    {{ return((recorded + pending) | unique | sort | list) }}
{%- endmacro %}


{#-
    The request files that can hold a request at or after `moment` (a SQL timestamp
    literal): the run's accepted pending files, and the ledger's accepted files whose
    latest request (`max_occurred_at`) is at or after it or unknown. An incremental
    classification reads only these.
-#}
{% macro request_files_since(moment) -%}
    {%- set pending = pending_request_files() -%}
    {%- if not execute or is_history_rebuild() -%}
        {{ return(pending) }}
    {%- endif -%}
    {%- set ledger = request_files_ledger() -%}
    {#- a ledger written before max_occurred_at existed: every file may hold one -#}
    {%- set known = adapter.get_columns_in_relation(ledger) | map(attribute='name') | map('lower') | list -%}
    {%- set since = (" and (max_occurred_at is null or max_occurred_at >= " ~ moment ~ ")") if 'max_occurred_at' in known else "" -%}
    {%- set recorded = run_query(
        "select file_path from " ~ ledger ~ " where is_accepted" ~ since
    ).columns[0].values() | list -%}
    {{ return((recorded + pending) | unique | sort | list) }}
{%- endmacro %}


{#-
    The paths of this run's request files (only the accepted ones with accepted_only),
    or [] before base_registry__request_files exists (when compiling without a run).
-#}
{% macro pending_request_files(accepted_only=true) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set pending = model_relation('base_registry__request_files') -%}
    {%- if adapter.get_relation(database=pending.database, schema=pending.schema, identifier=pending.identifier) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = run_query(
        "select file_path from " ~ pending ~ (" where is_accepted" if accepted_only else "") ~ " order by file_path"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}


{#-
    The instant from which an incremental run recomputes pull actions, as a SQL
    timestamp literal, or none when the run brings no new valid request.
    B is the earliest valid request the run's files bring into staging; every request
    before B is unchanged, so every action whose start is before B - W (W the
    classification window) is final: it can absorb nothing at or after B. Actions
    starting at or after B - W are replaced.
-#}
{% macro pull_actions_replaced_from() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set earliest = run_query(
        "select min(occurred_at) from " ~ model_relation('stg_registry__requests')
        ~ " where " ~ request_files_filter('source_file', pending_request_files())
    ).columns[0].values()[0] -%}
    {%- if earliest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set window = modules.datetime.timedelta(seconds=var('pull_action_window_seconds') | float) -%}
    {{ return({
        'batch_start': timestamp_literal(earliest),
        'replaced_from': timestamp_literal(earliest - window),
    }) }}
{%- endmacro %}


{#-
    The run's start (dbt's run_started_at, UTC) as a SQL timestamp literal: the moment a
    run takes its files in, the same for every model of the run. This is the run's clock:
    var run_started_at ('YYYY-MM-DD HH:MM:SS[.ffffff]', UTC) sets it instead, so that a
    test can make time pass without waiting for it.
-#}
{% macro run_started_timestamp() -%}
    {%- set pinned = var('run_started_at', none) -%}
    {%- if pinned -%}
        {{ timestamp_literal(modules.datetime.datetime.fromisoformat(pinned | string)) }}
    {%- else -%}
        {{ timestamp_literal(run_started_at) }}
    {%- endif -%}
{%- endmacro %}


{% macro timestamp_literal(moment) -%}
    cast('{{ moment.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#-
    Incremental strategy `replace_since`: delete every row of the target whose
    `replace_time_column` (model config) is at or after the run's replaced-from instant,
    then insert the new rows, in one transaction. Unlike delete+insert on a unique key
    it also removes rows that no longer exist (an action start that became a follower).
-#}
{% macro get_incremental_replace_since_sql(arg_dict) -%}
    {%- set bounds = pull_actions_replaced_from() -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- if bounds is not none %}
    delete from {{ arg_dict['target_relation'] }}
    where {{ config.require('replace_time_column') }} >= {{ bounds['replaced_from'] }};
    {%- endif %}
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#-
    The rows of `relation` a `replace_since` model recomputes: those whose
    `time_column` is at or after the replaced-from instant in an incremental run
    (none when nothing is new), all of them otherwise.
-#}
{% macro replaced_rows_filter(time_column) -%}
    {%- set bounds = pull_actions_replaced_from() -%}
    {%- if not is_incremental() -%}
        true
    {%- elif bounds is none -%}
        1 = 0
    {%- else -%}
        {{ time_column }} >= {{ bounds['replaced_from'] }}
    {%- endif -%}
{%- endmacro %}


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


{% macro sql_string_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


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
