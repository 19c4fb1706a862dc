{#-
    The instant from which an incremental run of int_tag_digest_history recomputes the
    tag runs, as a SQL timestamp literal, or none when the model is not incremental or
    nothing new can change it. It is the earliest of
    - B, the batch start of the requests (pull_actions_replaced_from): every request
      before B is unchanged;
    - the earliest push (stg_registry__tag_pushes) the stored history does not explain:
      no stored run of that tag and digest covers its instant (valid_from <= pushed_at <
      valid_to, or still open). An explained push changes no run (it only repeats the
      digest inside a run of it), so a push file of any age, landing late, is taken in,
      and the runs equal a full refresh's.
-#}
{% macro tag_history_since() -%}
    {#- first: while parsing, it makes what it reads edges of the calling model -#}
    {%- set bounds = pull_actions_replaced_from() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set earliest = run_query(
        "select min(moment) from ("
        ~ (" select " ~ bounds['batch_start'] ~ " as moment union all" if bounds is not none else "")
        ~ " select min(pushes.pushed_at) as moment"
        ~ " from " ~ ref('stg_registry__tag_pushes') ~ " as pushes"
        ~ " where not exists (select 1 from " ~ this ~ " as runs"
        ~ " where runs.repository = pushes.repository and runs.tag = pushes.tag"
        ~ " and runs.digest = pushes.manifest_digest and runs.valid_from <= pushes.pushed_at"
        ~ " and (runs.valid_to is null or pushes.pushed_at < runs.valid_to))"
        ~ ") as bounds"
    ).columns[0].values()[0] -%}
    {%- if earliest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(timestamp_literal(earliest)) }}
{%- endmacro %}
