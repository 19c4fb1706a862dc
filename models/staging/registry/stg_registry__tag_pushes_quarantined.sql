{{ config(materialized='view') }}
-- One row per raw tag push row that breaks the raw-data contract, with the first rule
-- it breaks.
with

base_tag_pushes as (
    select * from {{ ref('base_registry__tag_pushes') }}
    where quarantine_reason is not null
)

select
    event_id,
    pushed_at,
    repository,
    tag,
    manifest_digest,
    quarantine_reason
from base_tag_pushes
