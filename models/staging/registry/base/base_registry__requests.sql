{{ config(materialized='view') }}
-- depends_on: {{ ref('ops_request_files_pending') }}
-- One row per raw request row taken in, typed and normalised, with the contract check
-- (`quarantine_reason`) and the file and row it came from. The staging models on top
-- split it into valid requests and quarantined rows.
-- A view over the raw Parquet files taken in (the ledger's and this run's, see
-- taken_in_request_files): the raw files stay the only copy of the raw rows. A reader
-- that filters `source_file` on a list of literals (request_files_filter) makes DuckDB
-- open only those files, which is how daily runs read only what they need.
-- Which files those are is read when compiling, from ops_request_files_pending and from
-- the ledger ops_request_files_ledger, the ledger without ref() since it is written last
-- (both reads listed in var layer_exceptions).
{%- set history_rebuild = is_history_rebuild() %}
with

source as (
    {{ read_raw_table(source('registry', 'raw_registry_requests'), files=taken_in_request_files()) }}
),

-- When each file was taken in: a row is `future_timestamp` when it is later than that, so
-- the check gives the same answer on every read of this view (this run's files are
-- taken in at the run's start; a full refresh takes every file in again). A history
-- rebuild has no ledger to join: every row gets the run's start, with no join of every
-- raw row to an empty ledger (100M requests: 1.2 s of CPU on each read of this view).
source_dated as (
    {%- if history_rebuild %}
        select
            source.*,
            {{ run_started_timestamp() }} as taken_in_at
        from source
    {%- else %}
        select
            source.*,
            coalesce(files_taken_in.taken_in_at, {{ run_started_timestamp() }}) as taken_in_at
        from source
        left join {{ request_files_ledger() }} as files_taken_in
            on
                source.source_file = files_taken_in.file_path
                and files_taken_in.is_accepted
    {%- endif %}
),

normalised as (
    select
        event_id,
        occurred_at,
        upper(http_method) as http_method,
        lower(object_type) as object_type,
        repository,
        reference,
        response_digest,
        media_type,
        status_code,
        response_bytes,
        client_ip as client_ip_text,
        -- one spelling per address (macro normalise_ip); null when the text is no IP address
        {{ normalise_ip('client_ip') }} as client_ip,
        user_agent,
        account_id,
        source_file,
        file_row_number,
        taken_in_at,
        {{ request_reference_check('reference') }} as reference_check
    from source_dated
),

checked as (
    select
        *,
        -- the contract (macros/request_contract.sql)
        {{ request_quarantine_reason('client_ip', 'reference_check') }} as quarantine_reason
    from normalised
)

select
    event_id,
    occurred_at,
    http_method,
    object_type,
    repository,
    reference,
    response_digest,
    media_type,
    status_code,
    response_bytes,
    client_ip,
    user_agent,
    account_id,
    quarantine_reason,
    client_ip_text,
    taken_in_at,
    source_file,
    file_row_number,
    case when reference_check in ('tag', 'digest') then reference_check end as reference_kind
from checked
