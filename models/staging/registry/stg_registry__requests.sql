-- One row per valid registry request: contract-breaking rows are in
-- stg_registry__requests_quarantined, redelivered copies are dropped here.
with

base_requests as (
    select * from {{ ref('base_registry__requests') }}
    where quarantine_reason is null
),

first_deliveries as (
    select * from base_requests
    where delivery_rank = 1
),

described as (
    select
        event_id,
        occurred_at,
        http_method,
        object_type,
        repository,
        {{ dbt.split_part('repository', "'/'", 1) }} as namespace,
        substring(repository, length({{ dbt.split_part('repository', "'/'", 1) }}) + 2) as repository_name,
        reference,
        reference_kind,
        case when reference_kind = 'tag' then reference end as tag,
        case when reference_kind = 'digest' then reference end as requested_digest,
        response_digest,
        media_type,
        status_code,
        status_code between 200 and 299 as is_successful,
        response_bytes,
        client_ip,
        user_agent,
        account_id
    from first_deliveries
)

select * from described
