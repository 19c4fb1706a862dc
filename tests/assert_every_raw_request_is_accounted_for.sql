-- Nothing is dropped silently: every row of every raw request file taken in is either
-- a valid request in staging, a quarantined row, or a redelivered copy of a valid
-- event, and the files taken in (and not pruned since) hold exactly the rows staging read.
-- Returns a row (and fails) when the counts do not add up. (On an engine without the
-- file ledger, see supports_raw_file_ledger, the raw rows are those staging read.)
{%- set ledger = supports_raw_file_ledger() %}
with

request_files as (
    {%- if ledger %}
        select sum(row_count) as raw_rows
        from {{ ref('ops_request_files_ledger') }}
        where is_accepted and {{ not_pruned_condition('file_path') }}
    {%- else %}
        select count(*) as raw_rows
        from {{ ref('base_registry__requests') }}
    {%- endif %}
),

base_requests as (
    select count(*) as taken_rows
    from {{ ref('base_registry__requests') }}
),

valid_requests as (
    select count(*) as valid_rows from {{ ref('stg_registry__requests') }}
),

quarantined_requests as (
    select count(*) as quarantined_rows from {{ ref('stg_registry__requests_quarantined') }}
),

redelivered_requests as (
    {%- if ledger %}
        -- valid rows that are not the kept copy of their event, whose event is kept
        select count(*) as redelivered_rows
        from {{ ref('base_registry__requests') }} as copies
        inner join {{ ref('stg_registry__requests') }} as kept
            on copies.event_id = kept.event_id
        where
            copies.quarantine_reason is null
            and (copies.source_file <> kept.source_file or copies.file_row_number <> kept.file_row_number)
    {%- else %}
        -- without row identities: valid rows beyond one per event
        select count(*) - count(distinct event_id) as redelivered_rows
        from {{ ref('base_registry__requests') }}
        where quarantine_reason is null
    {%- endif %}
)

select
    request_files.raw_rows,
    base_requests.taken_rows,
    valid_requests.valid_rows,
    quarantined_requests.quarantined_rows,
    redelivered_requests.redelivered_rows
from request_files
cross join base_requests
cross join valid_requests
cross join quarantined_requests
cross join redelivered_requests
where
    coalesce(request_files.raw_rows, 0) <> base_requests.taken_rows
    or base_requests.taken_rows
    <> valid_requests.valid_rows
    + quarantined_requests.quarantined_rows
    + redelivered_requests.redelivered_rows
