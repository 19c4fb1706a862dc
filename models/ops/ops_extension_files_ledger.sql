{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='file_path',
) }}
-- depends_on: {{ ref('int_extension_events_enriched') }}
-- One row per raw extension-event file the warehouse has taken in: its events are in
-- int_extension_events_enriched, which keeps them once the file is pruned. Written last
-- in a run, after that model (the depends_on above), so a run that fails takes the same
-- files in again when rerun.
{%- set pending = pending_extension_files() %}
with

ops_extension_files_pending as (
    select
        file_path,
        partition_date
    from {{ ref('ops_extension_files_pending') }}
),

row_counts as (
    {{ raw_file_row_counts(pending) }}
)

select
    ops_extension_files_pending.file_path,
    ops_extension_files_pending.partition_date,
    coalesce(row_counts.row_count, 0) as row_count,
    {{ run_started_timestamp() }} as taken_in_at
from ops_extension_files_pending
left join row_counts
    on ops_extension_files_pending.file_path = row_counts.file_path
