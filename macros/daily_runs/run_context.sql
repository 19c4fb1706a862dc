{#-
    What a run is: the day it processes, the instant it takes its files in, and whether it
    rebuilds history (first run, `--full-refresh`) or takes in only what is new.

    A raw request file is taken in once. ops_request_files_pending lists the files of the
    contract that the ledger ops_request_files_ledger does not hold yet (the run's
    "pending" files); the ledger records them only at the end of a run, after the fact
    table, so a run that fails takes the same files in again when rerun, and every
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


{#-
    True when this run rebuilds history: `--full-refresh`, or no ledger yet (a new
    warehouse, or one whose ledger has another name: an upgrade rebuilds history once).
    Fails then when raw files were pruned (refuse_history_rebuild_over_pruned_raw).
-#}
{% macro is_history_rebuild() -%}
    {%- set ledger = request_files_ledger() -%}
    {%- set rebuild = flags.FULL_REFRESH or ledger is none -%}
    {%- if rebuild -%}
        {#- history cannot be rebuilt over pruned raw request files (unless asked for) -#}
        {%- do refuse_history_rebuild_over_pruned_raw('raw_registry_requests') -%}
    {%- endif -%}
    {{ return(rebuild) }}
{%- endmacro %}


{#-
    The ledger of request files taken in (ops_request_files_ledger), or none while it does
    not exist. Read without ref(): the ledger is written last in a run, after the models
    that read it (listed in var layer_exceptions.reads_without_ref).
-#}
{% macro request_files_ledger() -%}
    {{ return(relation_without_ref('ops_request_files_ledger')) }}
{%- endmacro %}
