{{ config(materialized='view') }}
-- One row per extension event of the raw files taken in (base_registry__extension_events),
-- redelivered copies removed (the earliest copy is kept, ties by file and row). A view:
-- the raw files stay the only copy of the account ids and client IPs (docs/privacy.md).
with

events as (
    select
        event_id,
        occurred_at,
        extension,
        namespace,
        event_type,
        account_id,
        client_ip,
        row_number() over (
            partition by event_id order by occurred_at, source_file, file_row_number
        ) as delivery_rank
    from {{ ref('base_registry__extension_events') }}
    where event_id is not null and occurred_at is not null
)

select
    event_id,
    occurred_at,
    extension,
    namespace,
    event_type,
    account_id,
    client_ip
from events
where delivery_rank = 1
