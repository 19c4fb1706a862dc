-- One row per valid finding of a scan (grain: scan_id, vulnerability_id, package_name,
-- installed_version). A report that lists the same finding more than once (Trivy
-- repeats a package found in several targets) keeps one row: the highest CVSS score,
-- then the first in the order of its columns. Severity is normalised; versions stay text.
with

base_image_vulnerabilities as (
    select * from {{ ref('base_registry__image_vulnerabilities') }}
    where quarantine_reason is null
),

findings_ranked as (
    select
        *,
        row_number() over (
            partition by scan_id, vulnerability_id, package_name, installed_version
            order by
                coalesce(cvss_score, -1) desc,
                case when fixed_version is null then 1 else 0 end,
                coalesce(fixed_version, ''),
                coalesce(package_type, ''),
                scanner_severity,
                coalesce(status, ''),
                coalesce(layer_digest, ''),
                coalesce(title, ''),
                coalesce(primary_url, '')
        ) as finding_rank
    from base_image_vulnerabilities
)

select
    scan_id,
    vulnerability_id,
    severity,
    scanner_severity,
    package_name,
    package_type,
    installed_version,
    fixed_version,
    status,
    cvss_score,
    layer_digest,
    title,
    primary_url,
    fixed_version is not null as is_fixable
from findings_ranked
where finding_rank = 1
