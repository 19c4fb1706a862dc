-- The Vulnerabilities by tag report: one row per date granularity, complete period,
-- repository and tag seen by then, with the digest the tag pointed to at the period's
-- end and the counts of that digest's findings by severity, from its latest scan
-- (null counts when the digest has not been scanned). Compares vulnerability counts
-- across tags over time.
with

fct_pull_actions as (
    select distinct
        action_week_start_date,
        action_month_start_date
    from {{ ref('fct_pull_actions') }}
),

int_tag_digest_history as (
    select
        repository,
        namespace,
        owner,
        tag,
        digest,
        valid_from,
        valid_to
    from {{ ref('int_tag_digest_history') }}
),

int_image_scans_latest as (
    select
        repository,
        manifest_digest,
        scanned_at,
        vulnerabilities,
        critical_vulnerabilities,
        high_vulnerabilities,
        medium_vulnerabilities,
        low_vulnerabilities,
        negligible_vulnerabilities,
        unknown_vulnerabilities,
        fixable_vulnerabilities,
        fixable_critical_vulnerabilities,
        fixable_high_vulnerabilities
    from {{ ref('int_image_scans_latest') }}
),

periods_complete as (
    {{ report_periods('fct_pull_actions') }}
),

periods as (
    select distinct
        date_granularity,
        cast(date_reference as date) as date_reference,
        case
            when date_granularity = 'weekly'
                then cast({{ dbt.dateadd('day', 7, 'date_reference') }} as {{ dbt.type_timestamp() }})
            else cast({{ dbt.dateadd('month', 1, 'date_reference') }} as {{ dbt.type_timestamp() }})
        end as period_end_at
    from periods_complete
),

tags_at_period_end as (
    select
        periods.date_granularity,
        periods.date_reference,
        int_tag_digest_history.owner,
        int_tag_digest_history.namespace,
        int_tag_digest_history.repository,
        int_tag_digest_history.tag,
        int_tag_digest_history.digest,
        row_number() over (
            partition by
                periods.date_granularity,
                periods.date_reference,
                int_tag_digest_history.repository,
                int_tag_digest_history.tag
            order by int_tag_digest_history.valid_from desc, int_tag_digest_history.digest desc
        ) as run_rank
    from periods
    inner join int_tag_digest_history
        on
            periods.period_end_at > int_tag_digest_history.valid_from
            and (
                int_tag_digest_history.valid_to is null
                or periods.period_end_at <= int_tag_digest_history.valid_to
            )
),

tags_counted as (
    select
        tags_at_period_end.date_granularity,
        tags_at_period_end.date_reference,
        tags_at_period_end.owner,
        tags_at_period_end.namespace,
        tags_at_period_end.repository,
        tags_at_period_end.tag,
        tags_at_period_end.digest,
        int_image_scans_latest.scanned_at,
        int_image_scans_latest.vulnerabilities,
        int_image_scans_latest.critical_vulnerabilities,
        int_image_scans_latest.high_vulnerabilities,
        int_image_scans_latest.medium_vulnerabilities,
        int_image_scans_latest.low_vulnerabilities,
        int_image_scans_latest.negligible_vulnerabilities,
        int_image_scans_latest.unknown_vulnerabilities,
        int_image_scans_latest.fixable_vulnerabilities,
        int_image_scans_latest.fixable_critical_vulnerabilities,
        int_image_scans_latest.fixable_high_vulnerabilities,
        int_image_scans_latest.manifest_digest is not null as is_scanned
    from tags_at_period_end
    left join int_image_scans_latest
        on
            tags_at_period_end.repository = int_image_scans_latest.repository
            and tags_at_period_end.digest = int_image_scans_latest.manifest_digest
    where tags_at_period_end.run_rank = 1
)

select
    date_granularity,
    date_reference,
    owner,
    namespace,
    repository,
    tag,
    digest,
    is_scanned,
    scanned_at,
    vulnerabilities,
    critical_vulnerabilities,
    high_vulnerabilities,
    medium_vulnerabilities,
    low_vulnerabilities,
    negligible_vulnerabilities,
    unknown_vulnerabilities,
    fixable_vulnerabilities,
    fixable_critical_vulnerabilities,
    fixable_high_vulnerabilities
from tags_counted
