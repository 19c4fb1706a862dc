-- Nothing is dropped silently: every raw request row is either a valid request in
-- staging, a quarantined row, or a redelivered copy of a valid event.
-- Returns a row (and fails) when the three do not add up to the raw count.
with

base_requests as (
    select
        count(*) as raw_rows,
        sum(case when quarantine_reason is null and delivery_rank > 1 then 1 else 0 end)
            as redelivered_rows
    from {{ ref('base_registry__requests') }}
),

valid_requests as (
    select count(*) as valid_rows from {{ ref('stg_registry__requests') }}
),

quarantined_requests as (
    select count(*) as quarantined_rows from {{ ref('stg_registry__requests_quarantined') }}
)

select
    base_requests.raw_rows,
    valid_requests.valid_rows,
    quarantined_requests.quarantined_rows,
    base_requests.redelivered_rows
from base_requests
cross join valid_requests
cross join quarantined_requests
where
    base_requests.raw_rows
    <> valid_requests.valid_rows
    + quarantined_requests.quarantined_rows
    + coalesce(base_requests.redelivered_rows, 0)
