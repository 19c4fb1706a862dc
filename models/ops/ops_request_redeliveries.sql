{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}
-- depends_on: {{ ref('ops_request_files_pending') }}
-- One row per redelivered copy of a valid request that is not kept: of the valid copies
-- of an event (same event_id), the first by (occurred_at, status_code, http_method,
-- object_type, repository, reference, source_file, file_row_number) is kept by
-- stg_registry__requests, every other copy is listed here. Narrow on purpose: only the
-- few repeated events are ranked, on their order keys, and the wide rows stay in
-- base_registry__requests, read once by the staging view. Stored (the one table of the
-- staging of requests) because the kept copy of an event must be decided once for daily
-- runs; stg_registry__requests reads it (listed in var layer_exceptions.staging_reads).
-- An incremental run ranks again every copy of the events its files bring that have more
-- than one valid copy in base_registry__requests (new or old), and replaces their rows.
with

-- events with more than one raw copy, valid or not: counting reads the event ids only
repeated_events as (
    select event_id
    from {{ ref('base_registry__requests') }}
    {%- if is_incremental() %}
        where event_id in (
            select event_id from {{ ref('base_registry__requests') }}
            where {{ request_files_filter('source_file', pending_request_files()) }}
        )
    {%- endif %}
    group by event_id
    having count(*) > 1
),

copies_ranked as (
    select
        base_requests.event_id,
        base_requests.source_file,
        base_requests.file_row_number,
        row_number() over (
            partition by base_requests.event_id
            order by
                base_requests.occurred_at, base_requests.status_code, base_requests.http_method,
                base_requests.object_type, base_requests.repository, base_requests.reference,
                base_requests.source_file, base_requests.file_row_number
        ) as delivery_rank
    from {{ ref('base_registry__requests') }} as base_requests
    inner join repeated_events
        on base_requests.event_id = repeated_events.event_id
    where base_requests.quarantine_reason is null
)

select
    event_id,
    source_file,
    file_row_number,
    delivery_rank
from copies_ranked
where delivery_rank > 1
