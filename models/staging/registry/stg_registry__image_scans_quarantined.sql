{{ config(materialized='view') }}
-- One row per raw scan row that breaks the raw-data contract, with the first rule it
-- breaks.
with

base_image_scans as (
    select * from {{ ref('base_registry__image_scans') }}
    where quarantine_reason is not null
)

select
    scan_id,
    scanned_at,
    scanner,
    repository,
    manifest_digest,
    source_format,
    quarantine_reason
from base_image_scans
