{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}
-- depends_on: {{ ref('ops_request_files_pending') }}
-- One row per redelivered copy of a valid request that is not kept: of the valid copies
-- of an event (same event_id), the first by (occurred_at, status_code, http_method,
-- object_type, repository, reference, source_file, file_row_number) is kept by
-- stg_registry__requests, every other copy is listed here. Narrow on purpose: only the
-- few repeated events are ranked, on their order keys, and the wide rows stay in
-- base_registry__requests, read once by the staging view. Stored (the one table of the
-- staging of requests) because the kept copy of an event must be decided once for daily
-- runs; stg_registry__requests reads it (listed in var layer_exceptions.staging_reads).
-- The repeated events are found through the event-id index (ops_request_event_index):
-- the rows whose hash more than one row has are the candidate copies, confirmed on the
-- true event_id (a hash collision only adds a candidate that is ranked alone).
-- An incremental run ranks again every copy of the events its files bring that have more
-- than one valid copy in the files taken in (new or old), and replaces their rows; it
-- reads only its own files and the old files the index names as holding a candidate copy
-- (never a pruned file: those are not taken in, as before the index).
{%- set index = ref('ops_request_event_index') %}
{%- if is_incremental() %}
    {%- set taken_in = taken_in_request_files() %}
    {%- set pending = pending_request_files() %}
    {%- if execute and load_relation(index) is none %}
        {#- compiled without a run (dbt compile, docs) on a warehouse built before the
            index: a run builds the index first; meanwhile every file taken in -#}
        {%- set read_files = taken_in %}
    {%- else %}
        {%- do check_event_index_keys(taken_in) %}
        {%- do check_event_index_hash(index, taken_in | reject('in', pending) | list) %}
        {#- the candidates among the files taken in (a file that left the raw folder after
            a failed run may still have index rows) -#}
        {%- set candidates = redelivery_candidate_files(index, taken_in) %}
        {%- set read_files = (pending + candidates) | unique | sort | list %}
    {%- endif %}
    {%- set files_read = request_files_filter('base_requests.source_file', read_files) %}
{%- else %}
    {%- set files_read = 'true' %}
{%- endif %}
with

-- hashes of events with more than one raw copy, valid or not (of the run's events only,
-- in a daily run): counting reads the index only
repeated_hashes as (
    {%- if is_incremental() %}
        {{ repeated_event_hashes(index, read_files) }}
    {%- else %}
        {{ every_repeated_event_hash(index) }}
    {%- endif %}
),

candidate_copies as (
    select
        event_index.file_key,
        event_index.file_row_number
    from {{ index }} as event_index
    inner join repeated_hashes
        on event_index.event_id_hash = repeated_hashes.event_id_hash
    {%- if is_incremental() %}
        where {{ raw_file_keys_filter('event_index.file_key', read_files) }}
    {%- endif %}
),

-- the candidate copies with the columns their ranking and contract checks read
candidate_rows as (
    select
        base_requests.event_id,
        base_requests.occurred_at,
        base_requests.http_method,
        base_requests.object_type,
        base_requests.repository,
        base_requests.reference,
        base_requests.response_digest,
        base_requests.status_code,
        base_requests.response_bytes,
        base_requests.client_ip_text,
        base_requests.taken_in_at,
        base_requests.source_file,
        base_requests.file_row_number
    from {{ ref('base_registry__requests') }} as base_requests
    inner join candidate_copies
        on
            {{ raw_file_key('base_requests.source_file') }} = candidate_copies.file_key
            and base_requests.file_row_number = candidate_copies.file_row_number
    where {{ files_read }}
),

-- The contract's checks (macros/request_contract.sql) on these few rows only. Ranking the
-- valid copies first gives them the ranks they have among themselves, and the checks
-- stay above the join: a filter on them would be pushed below it, onto every raw row
-- (half of this model's time when the view's quarantine_reason was filtered on).
copies_ranked as (
    select
        event_id,
        source_file,
        file_row_number,
        quarantine_reason,
        row_number() over (
            partition by event_id
            order by
                quarantine_reason is not null,
                occurred_at, status_code, http_method, object_type, repository, reference,
                source_file, file_row_number
        ) as delivery_rank
    from (
        select
            *,
            {{ request_quarantine_reason(
                normalise_ip('client_ip_text'), request_reference_check('reference')
            ) }} as quarantine_reason
        from candidate_rows
    ) as candidates_checked
)

select
    event_id,
    source_file,
    file_row_number,
    delivery_rank
from copies_ranked
where quarantine_reason is null and delivery_rank > 1
