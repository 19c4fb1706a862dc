-- One row per finding of the latest scan of each image (grain: repository,
-- manifest_digest, vulnerability_id, package_name, installed_version): what an image
-- is known to carry today. Older scans' findings are superseded.
with

int_image_scans_latest as (
    select
        repository,
        namespace,
        owner,
        manifest_digest,
        scan_id,
        scanned_at,
        scanner
    from {{ ref('int_image_scans_latest') }}
),

stg_registry__image_vulnerabilities as (
    select
        scan_id,
        vulnerability_id,
        severity,
        package_name,
        package_type,
        installed_version,
        fixed_version,
        is_fixable,
        status,
        cvss_score,
        title,
        primary_url
    from {{ ref('stg_registry__image_vulnerabilities') }}
),

findings_of_latest_scans as (
    select
        int_image_scans_latest.repository,
        int_image_scans_latest.namespace,
        int_image_scans_latest.owner,
        int_image_scans_latest.manifest_digest,
        int_image_scans_latest.scan_id,
        int_image_scans_latest.scanned_at,
        int_image_scans_latest.scanner,
        stg_registry__image_vulnerabilities.vulnerability_id,
        stg_registry__image_vulnerabilities.severity,
        stg_registry__image_vulnerabilities.package_name,
        stg_registry__image_vulnerabilities.package_type,
        stg_registry__image_vulnerabilities.installed_version,
        stg_registry__image_vulnerabilities.fixed_version,
        stg_registry__image_vulnerabilities.is_fixable,
        stg_registry__image_vulnerabilities.status,
        stg_registry__image_vulnerabilities.cvss_score,
        stg_registry__image_vulnerabilities.title,
        stg_registry__image_vulnerabilities.primary_url,
        case stg_registry__image_vulnerabilities.severity
            when 'critical' then 1
            when 'high' then 2
            when 'medium' then 3
            when 'low' then 4
            when 'negligible' then 5
            else 6
        end as severity_rank
    from int_image_scans_latest
    inner join stg_registry__image_vulnerabilities
        on int_image_scans_latest.scan_id = stg_registry__image_vulnerabilities.scan_id
)

select * from findings_of_latest_scans
