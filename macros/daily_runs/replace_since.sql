{#-
    The incremental strategy `replace_since` of the pull-action models and the instant it
    replaces from (README, "Daily incremental runs": why replacing from B - W is exact).
-#}

{#-
    The instant from which an incremental run recomputes pull actions, as a dict of SQL
    timestamp literals {batch_start, replaced_from}, or none when the model is not
    incremental or the run brings no new valid request.
    B (batch_start) is the earliest valid request the run's files bring into staging;
    every request before B is unchanged, so every action whose start is before B - W
    (W the classification window) is final: it can absorb nothing at or after B. Actions
    starting at or after B - W (replaced_from) are replaced.
    `incremental` says whether the calling model's run is incremental: is_incremental()
    when not given (the classification, an ephemeral model compiled into the fact table,
    passes pull_actions_build_is_incremental()).
    Computed here, at compile time and only in an incremental model, rather than by a
    model: a model would read staging on every build (a whole extra pass on a first
    build), or would have to know whether the models reading it are incremental.
-#}
{% macro pull_actions_replaced_from(incremental=none) -%}
    {%- if not execute -%}
        {#- parsing: what is read below becomes an edge of every model calling this macro -#}
        {%- do ref('stg_registry__requests') -%}
        {%- do pending_request_files() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not (is_incremental() if incremental is none else incremental) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set earliest = run_query(
        "select min(occurred_at) from " ~ ref('stg_registry__requests')
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
    replaced_requests_filter(incremental, bounds): a SQL condition on `stg_registry__requests`
    selecting the requests a run classifies again: in an incremental run those at or
    after the replaced-from instant (none when nothing is new), read only from the raw
    files that can hold them (request_files_since); all of them otherwise. `incremental`
    as in pull_actions_replaced_from; `bounds` its result, which the caller (the
    classification) has already (each computation reads the run's new files through
    staging: 0.3 s a day at 100M requests).
-#}
{% macro replaced_requests_filter(incremental, bounds) -%}
    {%- if not incremental -%}
        true
    {%- elif bounds is none -%}
        1 = 0
    {%- else -%}
        occurred_at >= {{ bounds['replaced_from'] }}
        and {{ request_files_filter('source_file', request_files_since(bounds['replaced_from'])) }}
    {%- endif -%}
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
    Incremental strategy `replace_open_since`: delete every row of the target whose
    `replace_open_column` (model config; an end instant, null while open) is null or at
    or after the run's start instant S (tag_history_since: the requests' batch start B,
    or an earlier push not yet taken in), then insert the new rows, in one transaction:
    the rows that ended before S are final. Used by int_tag_digest_history, whose runs
    end when the tag is seen on another digest.
-#}
{% macro get_incremental_replace_open_since_sql(arg_dict) -%}
    {%- set since = tag_history_since() -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set open_column = config.require('replace_open_column') -%}
    {%- if since is not none %}
    delete from {{ arg_dict['target_relation'] }}
    where {{ open_column }} is null or {{ open_column }} >= {{ since }};
    {%- endif %}
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#-
    The materialization of the fact table `fct_pull_actions` on this engine: incremental
    where the `replace_since` strategy exists (DuckDB), a table rebuilt each run elsewhere.
-#}
{% macro pull_actions_materialization() -%}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{%- endmacro %}


{#-
    Whether this run builds the fact table `fct_pull_actions` incrementally (it exists as
    a table, is materialized incrementally on this engine and the run is not a full
    refresh): is_incremental() of the fact table, for the classification, an ephemeral
    model compiled into the fact table's query, where is_incremental() speaks of itself.
-#}
{% macro pull_actions_build_is_incremental() -%}
    {%- set fact = relation_without_ref('fct_pull_actions') -%}
    {{ return(
        fact is not none and fact.is_table
        and pull_actions_materialization() == 'incremental' and not should_full_refresh()
    ) }}
{%- endmacro %}
