{#-
    classify_pull_actions(requests, window_seconds, client_key, passthrough_columns)

    Turns successful manifest requests into pull actions (version_check, pull_by_tag,
    pull_by_digest) exactly as the greedy rule of the classification, with window
    functions only. The rules, the window and the proof that these steps give the greedy
    result: docs block `pull_action_classification` in classify_pull_actions.md, beside
    this file. Arguments and output: _macros__classification.yml.

    One `with` chain, its steps in the order of the proof; the two window passes share one
    partition (the client key) and order (occurred_at, event_id):
        flagged          the input; is the request a GET by digest? its time in microseconds
        lagged           number each client's requests; look back at the one and two before [window]
        judged           the follower rules, as two verdicts per request
        runs_located     where each request's run starts; the verdicts of the next two [window]
        positioned       start, first or second follower: by rule, else by parity in the run
        followers_found  look ahead: does a start absorb the next request, and the one after?
        (final select)   the starts, one action each
    The step names are local to the macro: the input relation must not be named like one.
    Each rule is written once, in the private macros at the end of this file. Every engine
    runs default__: a DuckDB variant that numbered each client key once (so that both
    window passes sort integers) was faster in the hand query at 10M but slower inside the
    fact table's query (10M: 28.6 s against 20.0 s) and spilled 40 GB at 100M
    (docs/benchmark.md, 2026-12-06).
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
{%- set carried = (client_key + passthrough_columns) | unique | list -%}
{%- set client_window -%}
    partition by {{ client_key | join(', ') }} order by occurred_at, event_id
{%- endset -%}

with

-- the input, trimmed; only a GET by digest can ever be absorbed
flagged as (
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
),

-- step 1: sequence each client's requests and look back at the one and two before
lagged as (
    select
        *,
        {{ _looked_back() }}
    from flagged
    window client_order as ({{ client_window }})
),

-- step 1: the follower rules, as two verdicts per request (macro _follower_verdicts)
judged as (
    select
    {%- for column in carried %}
        lagged.{{ column }},
    {%- endfor %}
        lagged.event_id,
        lagged.occurred_at,
        lagged.http_method,
        lagged.reference_kind,
        lagged.resolved_digest,
        lagged.request_seq,
        {{ _follower_verdicts(window_us) }}
    from lagged
),

-- step 2: a run starts at each request that the one before cannot absorb as a first
-- follower (a start by rule); the last run start and the last request absorbable as a
-- second follower, each at or before the request; and, in the same pass, the verdicts
-- of the next two requests (read by step 4)
runs_located as (
    select
        *,
        {{ _runs_located() }}
    from judged
    window
        client_order as ({{ client_window }}),
        client_order_so_far as ({{ client_window }} rows between unbounded preceding and current row)
),

-- steps 2 and 3: a run start is a start; the run's third request may be the second
-- follower of the HEAD that starts the run; the others alternate start / first follower,
-- from the run start or, after a second follower, from the request after it
positioned as (
    select
        *,
        {{ _request_position() }}
    from runs_located
),

-- step 4: look ahead: a start absorbs the next request when that one is absorbable as
-- its first follower, and then the one after when that one is absorbable as its second
followers_found as (
    select
        *,
        {{ _followers_found() }}
    from positioned
)

-- step 5: select the starts, one action each
select
{%- for column in carried %}
    {{ column }},
{%- endfor %}
    event_id as action_id,
    {{ _action_columns('') }}
from followers_found
where request_position = 'start'
{% endmacro %}



{#-
    The rules of the steps, each written once (private: called by default__ above).
    Each returns the select-list entries of its step, over the step's own column names.
-#}

{#- step 1 (lagged): each request's rank in its client's order, and the one and two before -#}
{% macro _looked_back() -%}
        row_number() over client_order as request_seq,
        lag(http_method, 1) over client_order as prev_1_http_method,
        lag(resolved_digest, 1) over client_order as prev_1_resolved_digest,
        lag(occurred_at_us, 1) over client_order as prev_1_occurred_at_us,
        lag(http_method, 2) over client_order as prev_2_http_method,
        lag(resolved_digest, 2) over client_order as prev_2_resolved_digest,
        lag(occurred_at_us, 2) over client_order as prev_2_occurred_at_us
{%- endmacro %}


{#- step 1 (judged): the follower rules, as two verdicts (false, never null, where there
    is no request before): would the request before absorb this one as its first
    follower, were it a start? would the request two before absorb it as its second
    follower, were it a start whose first follower is the request between? -#}
{% macro _follower_verdicts(window_us) -%}
        coalesce(
            lagged.is_get_by_digest
            and lagged.occurred_at_us - lagged.prev_1_occurred_at_us <= {{ window_us }}
            and (
                (
                    lagged.prev_1_http_method = 'HEAD'
                    and lagged.prev_1_resolved_digest is not null
                    and lagged.resolved_digest is not distinct from lagged.prev_1_resolved_digest
                )
                or (
                    lagged.prev_1_http_method = 'GET'
                    and lagged.resolved_digest is distinct from lagged.prev_1_resolved_digest
                )
            ),
            false
        ) as is_absorbable_as_first,
        coalesce(
            lagged.is_get_by_digest
            and lagged.prev_2_http_method = 'HEAD'
            and lagged.occurred_at_us - lagged.prev_2_occurred_at_us <= {{ window_us }}
            and lagged.resolved_digest is distinct from lagged.prev_2_resolved_digest,
            false
        ) as is_absorbable_as_second
{%- endmacro %}


{#- step 2 (runs_located): the last run start and the last request absorbable as a second
    follower at or before each request; the verdicts and digests of the next two -#}
{% macro _runs_located() -%}
        max(case when not is_absorbable_as_first then request_seq end) over client_order_so_far as run_start_seq,
        max(case when is_absorbable_as_second then request_seq end) over client_order_so_far as last_second_seq,
        lead(is_absorbable_as_first, 1, false) over client_order as next_1_is_absorbable_as_first,
        lead(is_absorbable_as_second, 2, false) over client_order as next_2_is_absorbable_as_second,
        lead(resolved_digest, 1) over client_order as next_1_resolved_digest,
        lead(resolved_digest, 2) over client_order as next_2_resolved_digest
{%- endmacro %}


{#- steps 2 and 3 (positioned): start, first or second follower -#}
{% macro _request_position() -%}
        case
            when not is_absorbable_as_first then 'start'
            when request_seq = run_start_seq + 2 and last_second_seq = request_seq
                then 'second_follower'
            -- the distance to the run start, less one past a second follower, is odd
            when mod(
                request_seq - run_start_seq
                - case when last_second_seq = run_start_seq + 2 then 1 else 0 end,
                2
            ) = 1
                then 'first_follower'
            else 'start'
        end as request_position
{%- endmacro %}


{#- step 4 (followers_found): does a start absorb the next request, and the one after? -#}
{% macro _followers_found() -%}
        next_1_is_absorbable_as_first as has_first_follower,
        next_1_is_absorbable_as_first and next_2_is_absorbable_as_second as has_second_follower
{%- endmacro %}


{#- step 5: an action's columns from its start (`start` qualifies the columns: '' or
    'followers_found.') -#}
{% macro _action_columns(start) -%}
    case
        when {{ start }}http_method = 'HEAD' and {{ start }}reference_kind = 'tag'
            and not {{ start }}has_first_follower
            then 'version_check'
        when {{ start }}reference_kind = 'tag' then 'pull_by_tag'
        else 'pull_by_digest'
    end as action,
    {{ start }}occurred_at as action_at,
    {{ start }}http_method,
    {{ start }}reference_kind,
    {{ start }}resolved_digest as digest,
    case
        when {{ start }}http_method = 'GET' and {{ start }}has_first_follower
            then {{ start }}next_1_resolved_digest
        when {{ start }}has_second_follower then {{ start }}next_2_resolved_digest
    end as platform_digest,
    1
    + case when {{ start }}has_first_follower then 1 else 0 end
    + case when {{ start }}has_second_follower then 1 else 0 end as request_count
{%- endmacro %}
