{#-
    Which raw extension-event files a run reads. Like the request files (request_files.sql,
    run_context.sql), an extension file is taken in once: ops_extension_files_pending lists
    the files of the contract that the ledger ops_extension_files_ledger does not hold yet,
    up to var process_date; the ledger records them at the end of the run, after
    int_extension_events_enriched, which keeps every event it has taken in (incremental),
    so the raw files can be pruned (registry-insights prune-raw) without losing history.
    Every extension file is accepted, however late: an event changes no other event, so a
    late file is taken in exactly as a full refresh would.
-#}

{#-
    The ledger of extension-event files taken in (ops_extension_files_ledger), or none
    while it does not exist. Read without ref(): it is written last in a run, after the
    models that read it (listed in var layer_exceptions.reads_without_ref).
-#}
{% macro extension_files_ledger() -%}
    {{ return(relation_without_ref('ops_extension_files_ledger')) }}
{%- endmacro %}


{#-
    True when this run rebuilds the history of extension events: `--full-refresh`, or no
    ledger of extension files yet (a new warehouse, or one built before the ledger: that
    upgrade takes every file in once, and int_extension_events_enriched keeps what it
    holds). Fails then when extension files were pruned
    (refuse_history_rebuild_over_pruned_raw); pruned request files do not stop it, so a
    warehouse that pruned request files before this ledger existed upgrades.
-#}
{% macro is_extension_history_rebuild() -%}
    {%- set rebuild = flags.FULL_REFRESH or extension_files_ledger() is none -%}
    {%- if rebuild -%}
        {%- do refuse_history_rebuild_over_pruned_raw('raw_extension_events') -%}
    {%- endif -%}
    {{ return(rebuild) }}
{%- endmacro %}


{#-
    The paths of this run's extension files (ops_extension_files_pending), or [] before
    that table exists. Read at compile time through ref(), so that every model calling
    this macro runs after the pending files.
-#}
{% macro pending_extension_files() -%}
    {%- set pending = ref('ops_extension_files_pending') -%}
    {%- if not execute or load_relation(pending) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(run_query("select file_path from " ~ pending ~ " order by file_path").columns[0].values() | list) }}
{%- endmacro %}


{#-
    The paths of every extension file taken in, this run's included: the ledger's files
    that were not pruned and the run's pending files (only the latter when history is
    rebuilt). base_registry__extension_events reads exactly these files.
-#}
{% macro taken_in_extension_files() -%}
    {%- set pending = pending_extension_files() -%}
    {%- if not execute or is_extension_history_rebuild() -%}
        {{ return(pending) }}
    {%- endif -%}
    {%- set recorded = run_query(
        "select file_path from " ~ extension_files_ledger()
        ~ " where " ~ not_pruned_condition('file_path', 'raw_extension_events')
    ).columns[0].values() | list -%}
    {{ return((recorded + pending) | unique | sort | list) }}
{%- endmacro %}

