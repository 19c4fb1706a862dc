{{ config(materialized='view') }}
-- One row per raw request row that breaks the raw-data contract, with the first
-- rule it breaks. Nothing is dropped silently: valid + quarantined + redelivered
-- copies = raw rows (tested). A view: base_registry__requests holds the rows.
with

base_requests as (
    select * from {{ ref('base_registry__requests') }}
    where quarantine_reason is not null
)

select
    event_id,
    occurred_at,
    http_method,
    object_type,
    repository,
    reference,
    response_digest,
    status_code,
    user_agent,
    quarantine_reason,
    source_file
from base_requests
