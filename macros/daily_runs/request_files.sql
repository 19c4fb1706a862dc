{#-
    Which raw request files a model reads: the run's pending files, every file taken in,
    the files that can hold a request at or after an instant; and the SQL filter on them.
-#}

{#-
    The paths of this run's request files (ops_request_files_pending; only the accepted
    ones with accepted_only), or [] before that table exists (compiling without a run).
    Read at compile time, through ref(), so that every model calling this macro (directly
    or through pull_actions_replaced_from) runs after the pending files.
-#}
{% macro pending_request_files(accepted_only=true) -%}
    {%- set pending = ref('ops_request_files_pending') -%}
    {%- if not execute or load_relation(pending) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = run_query(
        "select file_path from " ~ pending ~ (" where is_accepted" if accepted_only else "") ~ " order by file_path"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}


{#-
    files_taken_in_by_this_run(column, table_name): a SQL condition on `column` (a raw file
    path) selecting, in an incremental run, the rows of the files this run takes in (its
    accepted pending files of raw table `table_name`: raw_registry_requests, the default,
    or raw_extension_events), and every row otherwise. For models that accumulate what
    each file brings (the event-id index, the client enrichment): a daily run adds only
    the new files' values.
-#}
{% macro files_taken_in_by_this_run(column, table_name='raw_registry_requests') -%}
    {%- if table_name not in ('raw_registry_requests', 'raw_extension_events') -%}
        {{ exceptions.raise_compiler_error(
            "files_taken_in_by_this_run: no pending files of raw table '" ~ table_name
            ~ "' (raw_registry_requests or raw_extension_events)"
        ) }}
    {%- endif -%}
    {%- set pending_files = (
        pending_extension_files if table_name == 'raw_extension_events' else pending_request_files
    ) -%}
    {%- if not execute -%}
        {#- parsing: the pending files become a parent of every caller -#}
        {%- do pending_files() -%}
    {%- endif -%}
    {%- if is_incremental() -%}
        {{ request_files_filter(column, pending_files()) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#-
    The paths of every request file taken in, this run's included: the ledger's accepted
    files that were not pruned and the run's accepted pending files (only the latter when
    history is rebuilt).
    base_registry__requests reads exactly these files.
-#}
{% macro taken_in_request_files() -%}
    {{ return(request_files_since(none)) }}
{%- endmacro %}


{#-
    The request files that can hold a request at or after `moment` (a SQL timestamp
    literal): the run's accepted pending files, and the ledger's accepted files whose
    latest request (`max_occurred_at`) is at or after it or unknown; with `moment` none,
    every accepted file (taken_in_request_files). An incremental classification reads
    only these.
-#}
{% macro request_files_since(moment) -%}
    {%- set pending = pending_request_files() -%}
    {%- if not execute or is_history_rebuild() -%}
        {{ return(pending) }}
    {%- endif -%}
    {%- set since = (" and (max_occurred_at is null or max_occurred_at >= " ~ moment ~ ")" if moment is not none else "") -%}
    {%- set recorded = run_query(
        "select file_path from " ~ request_files_ledger() ~ " where is_accepted"
        ~ " and " ~ not_pruned_condition('file_path') ~ since
    ).columns[0].values() | list -%}
    {%- if moment is not none -%}
        {#- a pruned file that can hold a request this run reads again: the retention is too short -#}
        {%- set pruned = pruned_files_relation() -%}
        {%- if pruned is not none -%}
            {%- set needed = run_query(
                "select file_path from " ~ request_files_ledger() ~ " where is_accepted"
                ~ " and file_path in (select file_path from " ~ pruned ~ ")" ~ since ~ " limit 3"
            ).columns[0].values() | list -%}
            {%- if needed | length > 0 -%}
                {{ exceptions.raise_compiler_error(
                    "This run reads requests again from " ~ moment ~ " on, but pruned raw file(s) "
                    ~ needed | join(', ') ~ " hold such requests: the raw retention is shorter than"
                    ~ " late_arrival_days plus a day. Prune with a longer --older-than."
                ) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return((recorded + pending) | unique | sort | list) }}
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
