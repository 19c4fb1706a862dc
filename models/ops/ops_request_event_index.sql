{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='file_key',
    pre_hook=[
        "{{ upgrade_event_index_file_key() }}",
        "{{ drop_pruned_files_from_event_index() }}",
    ],
) }}
-- depends_on: {{ ref('ops_request_files_pending') }}
-- One row per raw request row with an event id (grain: file_key, file_row_number): a
-- 64-bit hash of its event id (macro event_id_hash) and where the row is: its file's key
-- (macro raw_file_key, a hash of the path: an integer the same on all of a file's rows,
-- cheap to write and to filter on) and its row number. Written once per file, when the
-- file is taken in (a rerun after a failed run replaces the rows of its pending files,
-- the same ones), never rewritten: a daily run finds the old copies of its events here
-- (ops_request_redeliveries) and opens only the raw files holding a candidate.
-- The rows of a file pruned since (prune-raw) are deleted first (a pre-hook; the other
-- gives an index written with paths, before the file key, its keys once).
-- Every row, valid or not: the hash needs the event id alone (one column of the raw
-- files), whereas validity needs the whole row; the ranking keeps only the valid copies.
with

requests as (
    select
        event_id,
        source_file,
        file_row_number
    from {{ ref('base_registry__requests') }}
    where event_id is not null and {{ files_taken_in_by_this_run('source_file') }}
),

hashed as (
    select
        {{ event_id_hash('event_id') }} as event_id_hash,
        {{ raw_file_key('source_file') }} as file_key,
        file_row_number
    from requests
)

select * from hashed
