-- One row per valid scan (grain: scan_id): the whole scan history, every scan of
-- every digest. A scan id written twice keeps one row (the earliest, then the first
-- in the order of its columns); contract-breaking rows are in
-- stg_registry__image_scans_quarantined.
with

base_image_scans as (
    select * from {{ ref('base_registry__image_scans') }}
    where quarantine_reason is null
),

scans_ranked as (
    select
        *,
        row_number() over (
            partition by scan_id
            order by
                scanned_at,
                repository,
                manifest_digest,
                scanner,
                coalesce(scanner_version, ''),
                coalesce(platform, ''),
                source_format
        ) as delivery_rank
    from base_image_scans
)

select
    scan_id,
    scanned_at,
    scanner,
    scanner_version,
    repository,
    {{ dbt.split_part('repository', "'/'", 1) }} as namespace,
    manifest_digest,
    platform,
    source_format
from scans_ranked
where delivery_rank = 1
