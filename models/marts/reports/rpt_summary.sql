-- The Summary report: one row per period (weekly Monday to Sunday, monthly), level
-- (repository, tag, digest), repository and reference, for complete periods only.
-- Tag and digest levels split each repository's actions by the reference the client
-- named: a tag start counts under its tag, a digest start under its digest.
with

fct_pull_actions as (
    select
        action_week_start_date,
        action_month_start_date,
        namespace,
        repository,
        owner,
        reference_kind,
        tag,
        digest,
        is_data_download,
        is_version_check
    from {{ ref('fct_pull_actions') }}
),

actions_in_complete_periods as (
    {{ report_periods('fct_pull_actions') }}
),

actions_by_level as (
    select
        actions_in_complete_periods.*,
        'repository' as level,
        actions_in_complete_periods.repository as reference
    from actions_in_complete_periods
    union all
    select
        actions_in_complete_periods.*,
        'tag' as level,
        actions_in_complete_periods.tag as reference
    from actions_in_complete_periods
    where actions_in_complete_periods.reference_kind = 'tag'
    union all
    select
        actions_in_complete_periods.*,
        'digest' as level,
        actions_in_complete_periods.digest as reference
    from actions_in_complete_periods
    where actions_in_complete_periods.reference_kind = 'digest'
)

{{ summarise_by_period(
    'actions_by_level',
    ['owner', 'namespace', 'repository', 'level', 'reference'],
    pull_action_measures(['data_downloads', 'version_checks', 'event_count']),
) }}
