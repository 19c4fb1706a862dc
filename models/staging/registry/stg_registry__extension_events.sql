{{ config(materialized='view') }}
-- One row per extension event, redelivered copies removed, the client IP normalised
-- (macro normalise_ip; a text that is no IP address is kept, trimmed). A view: the raw
-- files stay the only copy of the account ids and client IPs (docs/privacy.md).
with

source as (
    {{ read_raw_table(source('registry', 'raw_extension_events')) }}
),

normalised as (
    select
        event_id,
        occurred_at,
        lower(extension) as extension,
        {{ dbt.split_part('lower(extension)', "'/'", 1) }} as namespace,
        lower(event_type) as event_type,
        account_id,
        coalesce({{ normalise_ip('client_ip') }}, trim(client_ip)) as client_ip,
        row_number() over (partition by event_id order by occurred_at) as delivery_rank
    from source
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
from normalised
where delivery_rank = 1
