-- One row per scanned image (grain: repository, manifest_digest): its latest scan,
-- which supersedes the older ones (reports change as vulnerability databases update),
-- with the counts of that scan's findings by severity. The scan history stays in
-- stg_registry__image_scans. Ties on the scan time go to the greatest scan id.
with

stg_registry__image_scans as (
    select
        scan_id,
        scanned_at,
        scanner,
        scanner_version,
        repository,
        namespace,
        manifest_digest,
        platform,
        source_format
    from {{ ref('stg_registry__image_scans') }}
),

stg_registry__image_vulnerabilities as (
    select
        scan_id,
        severity,
        is_fixable
    from {{ ref('stg_registry__image_vulnerabilities') }}
),

publishers as (
    select
        namespace,
        publisher_name
    from {{ ref('publishers') }}
),

scans_ranked as (
    select
        *,
        count(*) over (partition by repository, manifest_digest) as scans_of_digest,
        min(scanned_at) over (partition by repository, manifest_digest) as first_scanned_at,
        row_number() over (
            partition by repository, manifest_digest
            order by scanned_at desc, scan_id desc
        ) as recency_rank
    from stg_registry__image_scans
),

latest_scans as (
    select *
    from scans_ranked
    where recency_rank = 1
),

latest_findings as (
    select
        stg_registry__image_vulnerabilities.scan_id,
        stg_registry__image_vulnerabilities.severity,
        stg_registry__image_vulnerabilities.is_fixable
    from stg_registry__image_vulnerabilities
    inner join latest_scans
        on stg_registry__image_vulnerabilities.scan_id = latest_scans.scan_id
),

findings_counted as (
    select
        scan_id,
        count(*) as vulnerabilities,
        sum(case when severity = 'critical' then 1 else 0 end) as critical_vulnerabilities,
        sum(case when severity = 'high' then 1 else 0 end) as high_vulnerabilities,
        sum(case when severity = 'medium' then 1 else 0 end) as medium_vulnerabilities,
        sum(case when severity = 'low' then 1 else 0 end) as low_vulnerabilities,
        sum(case when severity = 'negligible' then 1 else 0 end) as negligible_vulnerabilities,
        sum(case when severity = 'unknown' then 1 else 0 end) as unknown_vulnerabilities,
        sum(case when is_fixable then 1 else 0 end) as fixable_vulnerabilities,
        sum(case when is_fixable and severity = 'critical' then 1 else 0 end)
            as fixable_critical_vulnerabilities,
        sum(case when is_fixable and severity = 'high' then 1 else 0 end)
            as fixable_high_vulnerabilities
    from latest_findings
    group by scan_id
),

scans_summarised as (
    select
        latest_scans.repository,
        latest_scans.namespace,
        {{ namespace_owner('publishers.publisher_name', 'latest_scans.namespace') }} as owner,
        latest_scans.manifest_digest,
        latest_scans.scan_id,
        latest_scans.scanned_at,
        latest_scans.first_scanned_at,
        latest_scans.scanner,
        latest_scans.scanner_version,
        latest_scans.platform,
        latest_scans.source_format,
        cast(latest_scans.scans_of_digest as bigint) as scans_of_digest,
        cast(coalesce(findings_counted.vulnerabilities, 0) as bigint) as vulnerabilities,
        cast(coalesce(findings_counted.critical_vulnerabilities, 0) as bigint) as critical_vulnerabilities,
        cast(coalesce(findings_counted.high_vulnerabilities, 0) as bigint) as high_vulnerabilities,
        cast(coalesce(findings_counted.medium_vulnerabilities, 0) as bigint) as medium_vulnerabilities,
        cast(coalesce(findings_counted.low_vulnerabilities, 0) as bigint) as low_vulnerabilities,
        cast(coalesce(findings_counted.negligible_vulnerabilities, 0) as bigint) as negligible_vulnerabilities,
        cast(coalesce(findings_counted.unknown_vulnerabilities, 0) as bigint) as unknown_vulnerabilities,
        cast(coalesce(findings_counted.fixable_vulnerabilities, 0) as bigint) as fixable_vulnerabilities,
        cast(coalesce(findings_counted.fixable_critical_vulnerabilities, 0) as bigint)
            as fixable_critical_vulnerabilities,
        cast(coalesce(findings_counted.fixable_high_vulnerabilities, 0) as bigint)
            as fixable_high_vulnerabilities
    from latest_scans
    left join findings_counted
        on latest_scans.scan_id = findings_counted.scan_id
    left join publishers
        on latest_scans.namespace = publishers.namespace
)

select
    *,
    critical_vulnerabilities + high_vulnerabilities > 0 as has_critical_or_high,
    fixable_critical_vulnerabilities + fixable_high_vulnerabilities > 0 as has_fixable_critical_or_high
from scans_summarised
