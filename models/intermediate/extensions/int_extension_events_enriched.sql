-- One row per extension event, with its period keys, the owner of the extension's
-- namespace, the client's country and a pseudonymous user key (the salted hash of the
-- account, or of the client IP for an anonymous event). The account id and the IP
-- address stop here.
with

stg_registry__extension_events as (
    select
        event_id,
        occurred_at,
        extension,
        namespace,
        event_type,
        account_id,
        client_ip
    from {{ ref('stg_registry__extension_events') }}
),

int_client_ips_enriched as (
    select
        client_ip,
        ip_country
    from {{ ref('int_client_ips_enriched') }}
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
        case
            when stg_registry__extension_events.account_id is not null
                then {{ salted_hash('stg_registry__extension_events.account_id') }}
            else {{ salted_hash('stg_registry__extension_events.client_ip') }}
        end as user_hash
    from stg_registry__extension_events
    left join int_client_ips_enriched
        on stg_registry__extension_events.client_ip = int_client_ips_enriched.client_ip
    left join publishers
        on stg_registry__extension_events.namespace = publishers.namespace
)

select * from events_enriched
