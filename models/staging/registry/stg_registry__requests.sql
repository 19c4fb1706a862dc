{{ config(materialized='view') }}
-- One row per valid registry request: contract-breaking rows are in
-- stg_registry__requests_quarantined, and the redelivered copies that are not kept
-- (ops_request_redeliveries) are left out. A view over the raw rows of
-- base_registry__requests, so each raw row is written once: the filters read a few
-- columns and the anti-join probes a table of a few rows per thousand.
with

base_requests as (
    select * from {{ ref('base_registry__requests') }}
    where quarantine_reason is null
),

redeliveries as (
    select
        source_file,
        file_row_number
    from {{ ref('ops_request_redeliveries') }}
),

first_deliveries as (
    select base_requests.*
    from base_requests
    left join redeliveries
        on
            base_requests.source_file = redeliveries.source_file
            and base_requests.file_row_number = redeliveries.file_row_number
    where redeliveries.source_file is null
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
        account_id,
        source_file,
        file_row_number
    from first_deliveries
)

select * from described
