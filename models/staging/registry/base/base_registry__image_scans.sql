{#- Contract patterns, as SQL string literals for regex_full_match. -#}
{%- set digest_pattern = "'sha256:[0-9a-f]{64}'" -%}
{%- set name_component = '[a-z0-9]+(([.]|_|__|-+)[a-z0-9]+)*' -%}
{%- set repository_pattern = "'" ~ name_component ~ '(/' ~ name_component ~ ")+'" -%}
{{ config(materialized='view') }}
-- One row per raw scan row, typed and normalised, with the contract check
-- (`quarantine_reason`, null when valid). stg_registry__image_scans keeps the valid
-- rows, stg_registry__image_scans_quarantined the others.
with

source as (
    {{ read_raw_table(source('registry', 'raw_image_scans')) }}
),

normalised as (
    select
        scan_id,
        scanned_at,
        scanner,
        scanner_version,
        lower(repository) as repository,
        lower(manifest_digest) as manifest_digest,
        lower(platform) as platform,
        lower(source_format) as source_format
    from source
),

checked as (
    select
        *,
        case
            when scan_id is null then 'missing_scan_id'
            when scanned_at is null then 'missing_scanned_at'
            when scanner is null then 'missing_scanner'
            when repository is null then 'missing_repository'
            when manifest_digest is null then 'missing_manifest_digest'
            when not {{ regex_full_match('repository', repository_pattern) }}
                then 'malformed_repository'
            when not {{ regex_full_match('manifest_digest', digest_pattern) }}
                then 'malformed_manifest_digest'
            when source_format is null
                or source_format not in ('trivy-json', 'grype-json', 'cyclonedx-json')
                then 'unknown_source_format'
        end as quarantine_reason
    from normalised
)

select
    scan_id,
    scanned_at,
    scanner,
    scanner_version,
    repository,
    manifest_digest,
    platform,
    source_format,
    quarantine_reason
from checked
