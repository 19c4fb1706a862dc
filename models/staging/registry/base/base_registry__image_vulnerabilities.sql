{{ config(materialized='view') }}
-- One row per raw finding row, typed, with its severity normalised through the seed
-- vulnerability_severities and the contract check (`quarantine_reason`, null when
-- valid). stg_registry__image_vulnerabilities keeps the valid rows (one per finding),
-- stg_registry__image_vulnerabilities_quarantined the others.
with

source as (
    {{ read_raw_table(source('registry', 'raw_image_vulnerabilities')) }}
),

vulnerability_severities as (
    select
        severity_spelling,
        severity
    from {{ ref('vulnerability_severities') }}
),

normalised as (
    select
        source.scan_id,
        source.vulnerability_id,
        source.severity as scanner_severity,
        vulnerability_severities.severity,
        source.package_name,
        source.installed_version,
        source.fixed_version,
        source.cvss_score,
        source.layer_digest,
        source.title,
        source.primary_url,
        lower(source.package_type) as package_type,
        lower(source.status) as status
    from source
    left join vulnerability_severities
        on lower(trim(source.severity)) = vulnerability_severities.severity_spelling
),

checked as (
    select
        *,
        case
            when scan_id is null then 'missing_scan_id'
            when vulnerability_id is null or trim(vulnerability_id) = '' then 'missing_vulnerability_id'
            when package_name is null or trim(package_name) = '' then 'missing_package_name'
            when scanner_severity is null then 'missing_severity'
            when severity is null then 'unknown_severity'
            when cvss_score < 0 or cvss_score > 10 then 'invalid_cvss_score'
        end as quarantine_reason
    from normalised
)

select
    scan_id,
    vulnerability_id,
    scanner_severity,
    severity,
    package_name,
    package_type,
    installed_version,
    status,
    cvss_score,
    layer_digest,
    title,
    primary_url,
    quarantine_reason,
    -- an empty fixed version means no fix, as null does
    case when trim(fixed_version) = '' then null else fixed_version end as fixed_version
from checked
