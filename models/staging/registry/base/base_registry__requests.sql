{#- Contract patterns, as SQL string literals for regex_full_match. -#}
{%- set digest_pattern = "'sha256:[0-9a-f]{64}'" -%}
{%- set tag_pattern = "'[A-Za-z0-9_][A-Za-z0-9._-]{0,127}'" -%}
{%- set name_component = '[a-z0-9]+(([.]|_|__|-+)[a-z0-9]+)*' -%}
{%- set repository_pattern = "'" ~ name_component ~ '(/' ~ name_component ~ ")+'" -%}
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
with

source as (
    {{ read_raw_table(source('registry', 'raw_registry_requests'), files=taken_in_request_files()) }}
),

-- When each file was taken in: a row is `future_timestamp` when it is later than that, so
-- the check gives the same answer on every read of this view (this run's files are
-- taken in at the run's start; a full refresh takes every file in again).
files_taken_in as (
    {%- if is_history_rebuild() %}
        select
            cast(null as {{ dbt.type_string() }}) as file_path,
            cast(null as {{ dbt.type_timestamp() }}) as taken_in_at
        where 1 = 0
    {%- else %}
        select
            file_path,
            taken_in_at
        from {{ request_files_ledger() }}
        where is_accepted
    {%- endif %}
),

source_dated as (
    select
        source.*,
        coalesce(files_taken_in.taken_in_at, {{ run_started_timestamp() }}) as taken_in_at
    from source
    left join files_taken_in
        on source.source_file = files_taken_in.file_path
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
        case
            when {{ regex_full_match('reference', digest_pattern) }} then 'digest'
            when reference like '%:%' then 'malformed_digest'
            when {{ regex_full_match('reference', tag_pattern) }} then 'tag'
            else 'malformed_tag'
        end as reference_check
    from source_dated
),

checked as (
    select
        *,
        case
            when event_id is null then 'missing_event_id'
            when occurred_at is null then 'missing_occurred_at'
            when http_method is null then 'missing_http_method'
            when object_type is null then 'missing_object_type'
            when repository is null then 'missing_repository'
            when reference is null then 'missing_reference'
            when status_code is null then 'missing_status_code'
            when client_ip_text is null then 'missing_client_ip'
            when http_method not in ('GET', 'HEAD') then 'unknown_http_method'
            when object_type not in ('manifest', 'blob') then 'unknown_object_type'
            when not {{ regex_full_match('repository', repository_pattern) }}
                then 'malformed_repository'
            when reference_check = 'malformed_digest' then 'malformed_digest'
            when reference_check = 'malformed_tag' then 'malformed_tag'
            when object_type = 'blob' and reference_check <> 'digest' then 'blob_not_by_digest'
            when response_digest is not null
                and not {{ regex_full_match('response_digest', digest_pattern) }}
                then 'malformed_response_digest'
            when status_code < 100 or status_code > 599 then 'invalid_status_code'
            when response_bytes < 0 then 'negative_response_bytes'
            when client_ip is null then 'malformed_client_ip'
            when occurred_at > taken_in_at then 'future_timestamp'
        end as quarantine_reason
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
    source_file,
    file_row_number,
    case when reference_check in ('tag', 'digest') then reference_check end as reference_kind
from checked
