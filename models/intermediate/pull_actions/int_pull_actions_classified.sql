{{ config(materialized='ephemeral') }}
-- One row per pull action: the successful manifest requests of each client key (the var
-- pull_action_client_key, over the normalised client IP), classified by the
-- classify_pull_actions macro; the client IP and account id stored as their pseudonyms. The rules, the
-- window and the proof: docs block pull_action_classification (macros/classify_pull_actions.md).
--
-- Ephemeral: compiled into the query of fct_pull_actions, so each action is written once,
-- at full width, in the fact table, which also holds the resume points of daily runs.
--
-- Incremental runs of the fact table (README, "Daily incremental runs"): with B the
-- earliest request the run brings and W the window, actions starting before B - W are
-- final and kept; the rest are replaced. Each client's requests are classified again from
-- its first stored action start in [B - W, B), a start that no new request can change, or
-- else from B: greedy classification resumed at a true start gives what it gives on all
-- history. The stored starts are read from the fact table (its action_id and action_at
-- only), without ref(): the fact table is built from this model.
{%- set client_key = var('pull_action_client_key') %}
{%- set builds_incrementally = pull_actions_build_is_incremental() %}
{%- set bounds = pull_actions_replaced_from(builds_incrementally) %}
{%- set resumes = builds_incrementally and bounds is not none %}
with

stg_registry__requests as (
    select * from {{ ref('stg_registry__requests') }}
    -- a resumed run opens only the raw files that can hold a request it classifies again
    where {{ replaced_requests_filter(builds_incrementally, bounds) }}
),

manifest_requests as (  -- noqa: ST03 (read by the macro below when not resumed)
    select
        event_id,
        occurred_at,
        http_method,
        repository,
        reference_kind,
        tag,
        media_type,
        client_ip,
        user_agent,
        account_id,
        case
            when reference_kind = 'digest' then requested_digest
            else response_digest
        end as resolved_digest
    from stg_registry__requests
    where object_type = 'manifest' and is_successful
),

{% if resumes %}
final_starts as (
    select action_id from {{ relation_without_ref('fct_pull_actions') }}
    where action_at >= {{ bounds['replaced_from'] }} and action_at < {{ bounds['batch_start'] }}
),

requests_marked as (
    select
        manifest_requests.*,
        case when final_starts.action_id is null then 0 else 1 end as is_final_start
    from manifest_requests
    left join final_starts
        on manifest_requests.event_id = final_starts.action_id
),

requests_located as (
    select
        *,
        max(is_final_start) over (
            partition by {{ client_key | join(', ') }}
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as is_from_final_start,
        max(is_final_start) over (partition by {{ client_key | join(', ') }}) as has_final_start
    from requests_marked
),

requests_resumed as (  -- noqa: ST03 (read by the macro below)
    select * from requests_located
    where is_from_final_start = 1 or (has_final_start = 0 and occurred_at >= {{ bounds['batch_start'] }})
),
{% endif %}

actions_classified as (
    {{ classify_pull_actions(
        'requests_resumed' if resumes else 'manifest_requests',
        client_key=client_key,
        passthrough_columns=['tag', 'media_type']
    ) }}
),

-- The client IP and the account id never leave this query: each distinct value is
-- replaced by its pseudonym (macro pseudonym: two sha256 per value, not per row). The
-- values are those of the raw rows this query reads (the same files and instants), a
-- superset of the actions': one read of two raw columns, each address text normalised
-- once, as staging normalises it. Taken from the actions instead, they made DuckDB keep
-- every action in a buffer read three times (100M requests: 62 s of CPU, and the fact
-- table's query 282 s against 231 s). The joins below are written actions left, values
-- right; the fact table's hooks keep them so (macro keep_join_build_sides).
clients_seen as (
    select distinct
        client_ip_text,
        account_id
    from {{ ref('base_registry__requests') }}
    where {{ replaced_requests_filter(builds_incrementally, bounds) }}
),

-- a text that is no address normalises to null, whose pseudonym is null: no filter on the
-- normalised value (macro distinct_value_pseudonyms has one), which DuckDB would push
-- into the raw scan, normalising every row
client_ip_pseudonyms as (
    select
        client_ip,
        {{ pseudonym('client_ip') }} as client_ip_hash
    from (
        select distinct {{ normalise_ip('client_ip_text') }} as client_ip
        from clients_seen
        where client_ip_text is not null
    ) as client_ips_seen
),

account_pseudonyms as (
    {{ distinct_value_pseudonyms('clients_seen', 'account_id', 'account_id_hash') }}
),

actions_pseudonymised as (
    select
        actions_classified.*,
        client_ip_pseudonyms.client_ip_hash,
        account_pseudonyms.account_id_hash
    from actions_classified
    left join client_ip_pseudonyms
        on actions_classified.client_ip = client_ip_pseudonyms.client_ip
    left join account_pseudonyms
        on actions_classified.account_id = account_pseudonyms.account_id
)

select
    action_id,
    action,
    action_at,
    repository,
    -- derived after classification, so the window passes carry fewer columns
    {{ dbt.split_part('repository', "'/'", 1) }} as namespace,
    substring(repository, length({{ dbt.split_part('repository', "'/'", 1) }}) + 2) as repository_name,
    tag,
    digest,
    platform_digest,
    media_type,
    http_method,
    reference_kind,
    request_count,
    client_ip_hash,
    user_agent,
    account_id_hash
from actions_pseudonymised
