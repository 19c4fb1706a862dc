-- In the Summary report, every repository's actions split exactly into its tag
-- level and digest level rows (each action counts under the reference it named).
-- Returns the periods and repositories where they do not.
with

rpt_summary as (
    select * from {{ ref('rpt_summary') }}
),

by_level as (
    select
        date_granularity,
        date_reference,
        repository,
        sum(case when level = 'repository' then event_count else 0 end) as repository_events,
        sum(case when level <> 'repository' then event_count else 0 end) as reference_events,
        sum(case when level = 'repository' then data_downloads else 0 end) as repository_downloads,
        sum(case when level <> 'repository' then data_downloads else 0 end) as reference_downloads
    from rpt_summary
    group by date_granularity, date_reference, repository
)

select * from by_level
where
    repository_events <> reference_events
    or repository_downloads <> reference_downloads
