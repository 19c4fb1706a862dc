{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='file_path',
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('fct_pull_actions') }}
-- depends_on: {{ ref('int_tag_digest_history') }}
-- One row per raw request file the warehouse has taken in: accepted, or rejected
-- because it arrived more than var late_arrival_days after its day (counted here and
-- reported by a warning test, never dropped silently). Written last in a run, after
-- the fact table and the tag history (the depends_on above), so a run that fails takes the same files in
-- again when rerun.
{%- set pending = pending_request_files(accepted_only=false) %}
{%- set rejected = pending | length - pending_request_files() | length %}
{%- if rejected > 0 %}
    {{ log("Rejected " ~ rejected ~ " raw request file(s) that arrived after the late_arrival_days limit: see ops_request_files_ledger.", info=true) }}
{%- endif %}
with

ops_request_files_pending as (
    select * from {{ ref('ops_request_files_pending') }}
),

row_counts as (
    {{ raw_file_row_counts(pending) }}
),

-- the latest request of each file read, so that a daily run opens only the files that
-- can hold requests it classifies again (request_files_since)
latest_requests as (
    select
        source_file as file_path,
        max(occurred_at) as max_occurred_at
    from {{ ref('base_registry__requests') }}
    where {{ request_files_filter('source_file', pending_request_files()) }}
    group by source_file
)

select
    ops_request_files_pending.file_path,
    ops_request_files_pending.partition_date,
    ops_request_files_pending.batch_date,
    ops_request_files_pending.closes_batch_date,
    ops_request_files_pending.is_accepted,
    coalesce(row_counts.row_count, 0) as row_count,
    latest_requests.max_occurred_at,
    {{ run_started_timestamp() }} as taken_in_at
from ops_request_files_pending
left join row_counts
    on ops_request_files_pending.file_path = row_counts.file_path
left join latest_requests
    on ops_request_files_pending.file_path = latest_requests.file_path
