{{ config(materialized='view') }}
-- One row per raw finding row that breaks the raw-data contract, with the first rule
-- it breaks.
with

base_image_vulnerabilities as (
    select * from {{ ref('base_registry__image_vulnerabilities') }}
    where quarantine_reason is not null
)

select
    scan_id,
    vulnerability_id,
    scanner_severity,
    package_name,
    installed_version,
    quarantine_reason
from base_image_vulnerabilities
