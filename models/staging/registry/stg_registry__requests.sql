{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}
-- depends_on: {{ ref('base_registry__request_files') }}
-- One row per valid registry request: contract-breaking rows are in
-- stg_registry__requests_quarantined, redelivered copies are dropped here. Of the
-- copies of an event the first by (occurred_at, status_code, http_method, object_type,
-- repository, reference, source_file, file_row_number) is kept, whichever run brought
-- it: an incremental run ranks the valid rows of the files it takes in together with
-- the kept copies of the same events, and replaces an event's row when a new copy wins.
{%- set copy_columns = [
    'event_id', 'occurred_at', 'http_method', 'object_type', 'repository', 'reference',
    'response_digest', 'media_type', 'status_code', 'response_bytes', 'client_ip',
    'user_agent', 'account_id', 'source_file', 'file_row_number', 'reference_kind',
] %}
with

base_requests as (
    select * from {{ ref('base_registry__requests') }}
    where quarantine_reason is null
    {%- if is_incremental() %}
        and source_file in (
            {{ accepted_request_files_query() }}
        )
    {%- endif %}
),

{% if is_incremental() %}
kept_copies as (
    select {{ copy_columns | join(', ') }}
    from {{ this }}
    where
        event_id in (select event_id from base_requests)
        and source_file not in ({{ accepted_request_files_query() }})
),
{% endif %}

candidates as (
    select
        {{ copy_columns | join(', ') }},
        false as is_kept_copy
    from base_requests
    {%- if is_incremental() %}
    union all
    select
        kept_copies.*,
        true as is_kept_copy
    from kept_copies
    {%- endif %}
),

-- Most events arrive once: only the copies of repeated events are ranked, so the
-- window sorts a few rows instead of every request.
repeated_events as (
    select event_id
    from candidates
    group by event_id
    having count(*) > 1
),

single_copies as (
    select candidates.*
    from candidates
    left join repeated_events
        on candidates.event_id = repeated_events.event_id
    where repeated_events.event_id is null
),

repeated_copies_ranked as (
    select
        candidates.*,
        row_number() over (
            partition by candidates.event_id
            order by
                candidates.occurred_at, candidates.status_code, candidates.http_method,
                candidates.object_type, candidates.repository, candidates.reference,
                candidates.source_file, candidates.file_row_number
        ) as delivery_rank
    from candidates
    inner join repeated_events
        on candidates.event_id = repeated_events.event_id
),

first_deliveries as (
    select {{ copy_columns | join(', ') }} from single_copies
    where not is_kept_copy
    union all
    select {{ copy_columns | join(', ') }} from repeated_copies_ranked
    where delivery_rank = 1 and not is_kept_copy
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
