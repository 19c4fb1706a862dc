{#-
    keep_join_build_sides() / restore_join_build_sides()

    A model's pre-hook and post-hook: while the model's query runs, every hash join
    builds its table on the side the SQL puts on the right, as written, instead of on the
    side the engine estimates smaller. For queries whose estimates are far off and whose
    joins are all written "many rows left join few rows". Engines without the choice
    render nothing (dbt skips an empty hook).
    DuckDB: the optimizer `build_side_probe_side` is disabled for the session, then
    re-enabled (DuckDB's guide "Join Operations" documents this pair). Used by
    fct_pull_actions: after the window passes DuckDB estimates the actions at a few
    percent of their number, under the pseudonyms' distinct values, and built its hash
    table on the actions (100M requests: 366 s against 231 s for the fact table's query).
-#}
{% macro keep_join_build_sides() %}
    {{ return(adapter.dispatch('keep_join_build_sides', 'registry_insights')()) }}
{% endmacro %}

{% macro default__keep_join_build_sides() %}{% endmacro %}

{% macro duckdb__keep_join_build_sides() -%}
    set disabled_optimizers = 'build_side_probe_side'
{%- endmacro %}


{% macro restore_join_build_sides() %}
    {{ return(adapter.dispatch('restore_join_build_sides', 'registry_insights')()) }}
{% endmacro %}

{% macro default__restore_join_build_sides() %}{% endmacro %}

{% macro duckdb__restore_join_build_sides() -%}
    reset disabled_optimizers
{%- endmacro %}
