{{ config(materialized='view') }}
-- depends_on: {{ ref('ops_extension_files_pending') }}
-- One row per raw extension event row taken in, typed and normalised (extension and event
-- type lower-cased, the client IP normalised by macro normalise_ip; a text that is no IP
-- address is kept, trimmed), with the file and row it came from. The only reader of the
-- raw extension events: stg_registry__extension_events removes the redelivered copies,
-- and the client enrichment reads the addresses of a daily run's own files here (a
-- filter on `source_file` makes DuckDB open only those files), not the whole history.
-- A view over the raw files taken in (the ledger's that were not pruned and this run's,
-- see taken_in_extension_files), read when compiling from ops_extension_files_pending
-- and from the ledger ops_extension_files_ledger, the ledger without ref() since it is
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
        source_file,
        file_row_number
    from source
)

select * from normalised
