-- The Vulnerable pulls report: one row per date granularity, complete period and
-- scanned repository with data downloads, counting the data downloads of images whose
-- latest scan has critical or high findings, of which fixable (a fixed version exists
-- for at least one of them), the unique users behind them (pseudonymous keys, unique
-- counts only), and the share of the repository's downloads of scanned images that
-- were already on images without such findings. A pull's image is the digest it
-- resolved to when that digest was scanned, else its platform manifest.
with

fct_pull_actions as (
    select
        action_week_start_date,
        action_month_start_date,
        owner,
        namespace,
        repository,
        digest,
        platform_digest,
        is_authenticated,
        account_id_hash,
        client_ip_hash
    from {{ ref('fct_pull_actions') }}
    where is_data_download
),

int_image_scans_latest as (
    select
        repository,
        manifest_digest,
        has_critical_or_high,
        has_fixable_critical_or_high
    from {{ ref('int_image_scans_latest') }}
),

scanned_repositories as (
    select distinct repository
    from int_image_scans_latest
),

downloads_assessed as (
    select
        fct_pull_actions.action_week_start_date,
        fct_pull_actions.action_month_start_date,
        fct_pull_actions.owner,
        fct_pull_actions.namespace,
        fct_pull_actions.repository,
        fct_pull_actions.is_authenticated,
        fct_pull_actions.account_id_hash,
        fct_pull_actions.client_ip_hash,
        coalesce(digest_scans.manifest_digest, platform_scans.manifest_digest) is not null as is_scanned,
        coalesce(digest_scans.has_critical_or_high, platform_scans.has_critical_or_high, false)
            as is_vulnerable,
        coalesce(
            digest_scans.has_fixable_critical_or_high, platform_scans.has_fixable_critical_or_high, false
        ) as is_fixable
    from fct_pull_actions
    inner join scanned_repositories
        on fct_pull_actions.repository = scanned_repositories.repository
    left join int_image_scans_latest as digest_scans
        on
            fct_pull_actions.repository = digest_scans.repository
            and fct_pull_actions.digest = digest_scans.manifest_digest
    left join int_image_scans_latest as platform_scans
        on
            fct_pull_actions.repository = platform_scans.repository
            and fct_pull_actions.platform_digest = platform_scans.manifest_digest
),

downloads_in_complete_periods as (
    {{ report_periods('downloads_assessed') }}
),

downloads_counted as (
    select
        date_granularity,
        cast(date_reference as date) as date_reference,
        owner,
        namespace,
        repository,
        count(*) as data_downloads,
        sum(case when is_scanned then 1 else 0 end) as scanned_data_downloads,
        sum(case when is_vulnerable then 1 else 0 end) as vulnerable_data_downloads,
        sum(case when is_vulnerable and is_fixable then 1 else 0 end) as fixable_vulnerable_data_downloads,
        sum(case when is_scanned and not is_vulnerable then 1 else 0 end) as clean_data_downloads,
        count(distinct case when is_vulnerable and is_authenticated then account_id_hash end)
            as vulnerable_unique_authenticated_users,
        count(distinct case when is_vulnerable and not is_authenticated then client_ip_hash end)
            as vulnerable_unique_unauthenticated_users
    from downloads_in_complete_periods
    group by
        date_granularity,
        date_reference,
        owner,
        namespace,
        repository
)

select
    date_granularity,
    date_reference,
    owner,
    namespace,
    repository,
    cast(data_downloads as bigint) as data_downloads,
    cast(scanned_data_downloads as bigint) as scanned_data_downloads,
    cast(vulnerable_data_downloads as bigint) as vulnerable_data_downloads,
    cast(fixable_vulnerable_data_downloads as bigint) as fixable_vulnerable_data_downloads,
    cast(clean_data_downloads as bigint) as clean_data_downloads,
    cast(vulnerable_unique_authenticated_users as bigint) as vulnerable_unique_authenticated_users,
    cast(vulnerable_unique_unauthenticated_users as bigint) as vulnerable_unique_unauthenticated_users,
    cast(
        case
            when scanned_data_downloads > 0
                then round(cast(clean_data_downloads as double) / cast(scanned_data_downloads as double), 4)
        end as decimal(7, 4)
    ) as clean_download_share
from downloads_counted
