{#-
    classify_pull_actions(requests, window_seconds, client_key, passthrough_columns)

    Turns successful manifest requests into pull actions (version_check,
    pull_by_tag, pull_by_digest), exactly as the greedy left-to-right rule of the
    classification spec, with window functions only (no recursion, no UDF).

    Input `requests` (a relation or CTE name) has one row per successful manifest
    request with at least: event_id, occurred_at, http_method ('GET' / 'HEAD'),
    reference_kind ('tag' / 'digest'), resolved_digest (the digest asked for, or
    for a tag the digest the registry answered with; may be null), the client-key
    columns and the passthrough columns. Output: one row per action, with the
    passthrough columns of its start request and
        action_id        the start request's event_id
        action           version_check | pull_by_tag | pull_by_digest
        action_at        the start request's occurred_at
        http_method      the start request's method
        reference_kind   the start request's reference kind
        digest           the start's resolved digest (d0)
        platform_digest  the absorbed GET whose digest differs from d0, if any
        request_count    1 + absorbed requests (1 to 3)

    How it stays set-based. Only a GET by digest can ever be absorbed; every
    other request (an "anchor") starts an action. Within a client key:
      1. the position of a GET by digest that lies one, two or three requests
         after an anchor is decided by the anchor and its lags alone
         (first follower / second follower / start);
      2. a GET by digest that cannot pair with the GET by digest just before it
         is a start;
      3. the remaining ones lie in a run of GETs by digest that each could be
         absorbed by the previous one as a GET start's single follower; greedy
         pairing along such a run alternates start / follower, so the parity of
         the distance to the last request known to be a start decides.
    Step 1 needs lags up to 3, step 3 a running max; a final pass looks ahead at
    the followers of each start. See the README for the proof sketch.
-#}
{% macro classify_pull_actions(
    requests,
    window_seconds=none,
    client_key=none,
    passthrough_columns=none
) %}
    {{ return(adapter.dispatch('classify_pull_actions', 'registry_insights')(
        requests,
        window_seconds if window_seconds is not none else var('pull_action_window_seconds'),
        client_key if client_key is not none else var('pull_action_client_key'),
        passthrough_columns if passthrough_columns is not none else []
    )) }}
{% endmacro %}


{% macro default__classify_pull_actions(requests, window_seconds, client_key, passthrough_columns) %}
{%- set window_us = (window_seconds | float * 1000000) | round | int -%}
{%- set over_key -%}
    over (partition by {{ client_key | join(', ') }} order by occurred_at, event_id)
{%- endset -%}
{%- set carried = (client_key + passthrough_columns) | unique | list -%}
{%- set lagged = ['http_method', 'is_get_by_digest', 'resolved_digest', 'occurred_at_us'] -%}

select
{%- for column in carried %}
    {{ column }},
{%- endfor %}
    event_id as action_id,
    case
        when http_method = 'HEAD' and reference_kind = 'tag'
            and coalesce(next_1_position, 'none') <> 'first_follower'
            then 'version_check'
        when reference_kind = 'tag' then 'pull_by_tag'
        else 'pull_by_digest'
    end as action,
    occurred_at as action_at,
    http_method,
    reference_kind,
    resolved_digest as digest,
    case
        when http_method = 'GET' and next_1_position = 'first_follower' then next_1_digest
        when next_2_position = 'second_follower' then next_2_digest
    end as platform_digest,
    1
    + case when next_1_position = 'first_follower' then 1 else 0 end
    + case when next_2_position = 'second_follower' then 1 else 0 end as request_count
from (
    -- step 4: look ahead at the (at most two) followers of every request
    select
        positioned.*,
        lead(request_position, 1) {{ over_key }} as next_1_position,
        lead(request_position, 2) {{ over_key }} as next_2_position,
        lead(resolved_digest, 1) {{ over_key }} as next_1_digest,
        lead(resolved_digest, 2) {{ over_key }} as next_2_digest
    from (
        -- step 3: runs of GETs by digest alternate start / follower from the last known start
        select
            ruled.*,
            coalesce(
                ruled.position_by_rule,
                case
                    when mod(
                        ruled.request_seq
                        - max(case when ruled.position_by_rule = 'start' then ruled.request_seq end)
                        over (
                            partition by {{ client_key | join(', ') }}
                            order by occurred_at, event_id
                            rows between unbounded preceding and current row
                        ),
                        2
                    ) = 1
                        then 'first_follower'
                    else 'start'
                end
            ) as request_position
        from (
            -- step 2: positions decided by the nearest anchor, or by a failed pairing
            select
                lagged.*,
                case
                    when not lagged.is_get_by_digest then 'start'
                    when lagged.prev_1_http_method is null then 'start'
                    when {{ _classify_is_anchor('lagged.prev_1_') }}
                        then case
                            when {{ _classify_absorbs_first('lagged.prev_1_', 'lagged.', window_us) }} then 'first_follower'
                            else 'start'
                        end
                    when {{ _classify_is_anchor('lagged.prev_2_') }}
                        and {{ _classify_absorbs_first('lagged.prev_2_', 'lagged.prev_1_', window_us) }}
                        then case
                            when {{ _classify_absorbs_second('lagged.prev_2_', 'lagged.', window_us) }} then 'second_follower'
                            else 'start'
                        end
                    when {{ _classify_is_anchor('lagged.prev_3_') }}
                        and {{ _classify_absorbs_first('lagged.prev_3_', 'lagged.prev_2_', window_us) }}
                        and {{ _classify_absorbs_second('lagged.prev_3_', 'lagged.prev_1_', window_us) }}
                        then 'start'
                    when not {{ _classify_absorbs_first('lagged.prev_1_', 'lagged.', window_us) }} then 'start'
                end as position_by_rule
            from (
                -- step 1: sequence every request and look back at the three before it
                select
                    sequenced.*,
                    row_number() {{ over_key }} as request_seq
                    {%- for offset in [1, 2, 3] %}
                    {%- for column in lagged %},
                    lag({{ column }}, {{ offset }}) {{ over_key }} as prev_{{ offset }}_{{ column }}
                    {%- endfor %}
                    {%- endfor %}
                from (
                    select
                    {%- for column in carried %}
                        {{ column }},
                    {%- endfor %}
                        event_id,
                        occurred_at,
                        http_method,
                        reference_kind,
                        resolved_digest,
                        (http_method = 'GET' and reference_kind = 'digest') as is_get_by_digest,
                        {{ epoch_microseconds('occurred_at') }} as occurred_at_us
                    from {{ requests }}
                ) as sequenced
            ) as lagged
        ) as ruled
    ) as positioned
) as classified
where request_position = 'start'
{% endmacro %}


{#- first follower: `cur` may follow the start `start` directly -#}
{%- macro _classify_absorbs_first(start, cur, window_us) -%}
    coalesce(
        {{ cur }}is_get_by_digest
        and {{ cur }}occurred_at_us - {{ start }}occurred_at_us <= {{ window_us }}
        and (
            ({{ start }}http_method = 'HEAD'
                and {{ cur }}resolved_digest is not distinct from {{ start }}resolved_digest
                and {{ start }}resolved_digest is not null)
            or ({{ start }}http_method = 'GET'
                and {{ cur }}resolved_digest is distinct from {{ start }}resolved_digest)
        ),
        false
    )
{%- endmacro -%}

{#- second follower: `cur` may follow a HEAD start `start` after its first follower -#}
{%- macro _classify_absorbs_second(start, cur, window_us) -%}
    coalesce(
        {{ start }}http_method = 'HEAD'
        and {{ cur }}is_get_by_digest
        and {{ cur }}occurred_at_us - {{ start }}occurred_at_us <= {{ window_us }}
        and {{ cur }}resolved_digest is distinct from {{ start }}resolved_digest,
        false
    )
{%- endmacro -%}

{%- macro _classify_is_anchor(prefix) -%}
    coalesce({{ prefix }}http_method is not null and not {{ prefix }}is_get_by_digest, false)
{%- endmacro -%}
