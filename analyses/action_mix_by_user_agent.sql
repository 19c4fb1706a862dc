-- Which clients produce which actions? Share of version checks and pulls per raw
-- user agent, over all time: a quick way to spot CI jobs that only check versions.
with

fct_pull_actions as (
    select * from {{ ref('fct_pull_actions') }}
),

by_user_agent as (
    select
        coalesce(user_agent, '(none)') as user_agent,
        count(*) as actions,
        sum(case when is_version_check then 1 else 0 end) as version_checks,
        sum(case when is_data_download then 1 else 0 end) as data_downloads
    from fct_pull_actions
    group by coalesce(user_agent, '(none)')
)

select
    user_agent,
    actions,
    version_checks,
    data_downloads,
    round(100.0 * version_checks / actions, 1) as version_check_pct
from by_user_agent
order by actions desc
limit 50
