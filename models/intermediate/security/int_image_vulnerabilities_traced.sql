-- One row per repository, vulnerability and package found in a scanned tag of the
-- repository (grain: repository, vulnerability_id, package_name): the first tag in the
-- repository's history whose image carries it ("introduced in") and the first later
-- tag whose scanned image no longer does ("fixed in"; null while every later scanned
-- tag still carries it).
-- The repository's history is the sequence of its tag versions (a tag on one digest,
-- int_tag_digest_history) whose digest has been scanned, ordered by when the digest
-- was first seen (its first scan, or its first answer for a tag, whichever came first:
-- a scan on push dates the push), then by when the tag was first seen on it, then by
-- tag and digest. A finding is matched across versions by vulnerability and package,
-- not installed version: the version that fixes it changes the installed version.
with

int_tag_digest_history as (
    select
        repository,
        tag,
        digest,
        valid_from
    from {{ ref('int_tag_digest_history') }}
),

int_image_scans_latest as (
    select
        repository,
        manifest_digest,
        first_scanned_at
    from {{ ref('int_image_scans_latest') }}
),

int_image_vulnerabilities_latest as (
    select distinct
        repository,
        manifest_digest,
        vulnerability_id,
        package_name
    from {{ ref('int_image_vulnerabilities_latest') }}
),

digests_first_tagged as (
    select
        repository,
        digest,
        min(valid_from) as first_tagged_at
    from int_tag_digest_history
    group by repository, digest
),

tag_versions_dated as (
    select
        int_tag_digest_history.repository,
        int_tag_digest_history.tag,
        int_tag_digest_history.digest,
        int_tag_digest_history.valid_from,
        case
            when int_image_scans_latest.first_scanned_at < digests_first_tagged.first_tagged_at
                then int_image_scans_latest.first_scanned_at
            else digests_first_tagged.first_tagged_at
        end as digest_first_seen_at
    from int_tag_digest_history
    inner join int_image_scans_latest
        on
            int_tag_digest_history.repository = int_image_scans_latest.repository
            and int_tag_digest_history.digest = int_image_scans_latest.manifest_digest
    inner join digests_first_tagged
        on
            int_tag_digest_history.repository = digests_first_tagged.repository
            and int_tag_digest_history.digest = digests_first_tagged.digest
),

tag_versions_numbered as (
    select
        repository,
        tag,
        digest,
        row_number() over (
            partition by repository
            order by digest_first_seen_at, valid_from, tag, digest
        ) as version_number
    from tag_versions_dated
),

findings_by_version as (
    select
        tag_versions_numbered.repository,
        tag_versions_numbered.version_number,
        int_image_vulnerabilities_latest.vulnerability_id,
        int_image_vulnerabilities_latest.package_name
    from tag_versions_numbered
    inner join int_image_vulnerabilities_latest
        on
            tag_versions_numbered.repository = int_image_vulnerabilities_latest.repository
            and tag_versions_numbered.digest = int_image_vulnerabilities_latest.manifest_digest
),

findings_introduced as (
    select
        repository,
        vulnerability_id,
        package_name,
        min(version_number) as introduced_version_number
    from findings_by_version
    group by repository, vulnerability_id, package_name
),

later_versions_without_finding as (
    select
        findings_introduced.repository,
        findings_introduced.vulnerability_id,
        findings_introduced.package_name,
        min(tag_versions_numbered.version_number) as fixed_version_number
    from findings_introduced
    inner join tag_versions_numbered
        on
            findings_introduced.repository = tag_versions_numbered.repository
            and findings_introduced.introduced_version_number < tag_versions_numbered.version_number
    left join findings_by_version
        on
            findings_introduced.repository = findings_by_version.repository
            and findings_introduced.vulnerability_id = findings_by_version.vulnerability_id
            and findings_introduced.package_name = findings_by_version.package_name
            and tag_versions_numbered.version_number = findings_by_version.version_number
    where findings_by_version.version_number is null
    group by
        findings_introduced.repository,
        findings_introduced.vulnerability_id,
        findings_introduced.package_name
),

traced as (
    select
        findings_introduced.repository,
        findings_introduced.vulnerability_id,
        findings_introduced.package_name,
        introduced.tag as introduced_in_tag,
        introduced.digest as introduced_in_digest,
        fixed.tag as fixed_in_tag,
        fixed.digest as fixed_in_digest
    from findings_introduced
    inner join tag_versions_numbered as introduced
        on
            findings_introduced.repository = introduced.repository
            and findings_introduced.introduced_version_number = introduced.version_number
    left join later_versions_without_finding
        on
            findings_introduced.repository = later_versions_without_finding.repository
            and findings_introduced.vulnerability_id = later_versions_without_finding.vulnerability_id
            and findings_introduced.package_name = later_versions_without_finding.package_name
    left join tag_versions_numbered as fixed
        on
            later_versions_without_finding.repository = fixed.repository
            and later_versions_without_finding.fixed_version_number = fixed.version_number
)

select * from traced
