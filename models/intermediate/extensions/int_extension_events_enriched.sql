{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}
-- One row per extension event, with its period keys, the owner of the extension's
-- namespace, the client's country and a pseudonymous user key (the pseudonym of the
-- account, or of the client IP for an anonymous event; macro pseudonym). The account id
-- and the IP address never leave this query.
-- Incremental, so that every event taken in stays once its raw file is pruned
-- (registry-insights prune-raw): a run adds the events it has not kept yet and replaces
-- one kept from a later copy than a copy it reads now (the earliest copy wins, as in
-- staging), so daily runs equal a full refresh over the same files.
with

stg_registry__extension_events as (
    select
        events.event_id,
        events.occurred_at,
        events.extension,
        events.namespace,
        events.event_type,
        events.account_id,
        events.client_ip
    from {{ ref('stg_registry__extension_events') }} as events
    {%- if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as kept
            where kept.event_id = events.event_id and kept.occurred_at <= events.occurred_at
        )
    {%- endif %}
),

int_client_ips_enriched as (
    select
        client_ip_hash,
        ip_country
    from {{ ref('int_client_ips_enriched') }}
),

-- each distinct value hashed once (two sha256 per value, not per event)
client_ip_pseudonyms as (
    {{ distinct_value_pseudonyms('stg_registry__extension_events', 'client_ip', 'client_ip_hash') }}
),

account_pseudonyms as (
    {{ distinct_value_pseudonyms('stg_registry__extension_events', 'account_id', 'account_id_hash') }}
),

publishers as (
    select
        namespace,
        publisher_name
    from {{ ref('publishers') }}
),

events_enriched as (
    select
        stg_registry__extension_events.event_id,
        stg_registry__extension_events.occurred_at,
        cast({{ dbt.date_trunc('week', 'stg_registry__extension_events.occurred_at') }} as date)
            as event_week_start_date,
        cast({{ dbt.date_trunc('month', 'stg_registry__extension_events.occurred_at') }} as date)
            as event_month_start_date,
        stg_registry__extension_events.extension,
        stg_registry__extension_events.namespace,
        {{ namespace_owner('publishers.publisher_name', 'stg_registry__extension_events.namespace') }} as owner,
        stg_registry__extension_events.event_type,
        int_client_ips_enriched.ip_country,
        coalesce(account_pseudonyms.account_id_hash, client_ip_pseudonyms.client_ip_hash) as user_hash
    from stg_registry__extension_events
    left join client_ip_pseudonyms
        on stg_registry__extension_events.client_ip = client_ip_pseudonyms.client_ip
    left join account_pseudonyms
        on stg_registry__extension_events.account_id = account_pseudonyms.account_id
    left join int_client_ips_enriched
        on client_ip_pseudonyms.client_ip_hash = int_client_ips_enriched.client_ip_hash
    left join publishers
        on stg_registry__extension_events.namespace = publishers.namespace
)

select * from events_enriched
