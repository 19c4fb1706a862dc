{{ config(materialized='view') }}
-- depends_on: {{ ref('ops_extension_files_pending') }}
-- One row per extension event of the raw files taken in, redelivered copies removed (the
-- earliest copy is kept, ties by file and row), the client IP normalised (macro
-- normalise_ip; a text that is no IP address is kept, trimmed). A view: the raw files
-- stay the only copy of the account ids and client IPs (docs/privacy.md).
-- It reads the files taken in (the ledger's that were not pruned and this run's, see
-- taken_in_extension_files), read when compiling from ops_extension_files_pending and
-- from the ledger ops_extension_files_ledger, the ledger without ref() since it is
-- written last (both reads listed in var layer_exceptions).
with

source as (
    {{ read_raw_table(source('registry', 'raw_extension_events'), files=taken_in_extension_files()) }}
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
        row_number() over (
            partition by event_id order by occurred_at, source_file, file_row_number
        ) as delivery_rank
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
