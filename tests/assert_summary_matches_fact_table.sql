-- The Summary report's repository level counts every action of the fact table in
-- each complete period exactly once. Returns the periods where totals differ.
with

fct_pull_actions as (
    select * from {{ ref('fct_pull_actions') }}
),

weekly_facts as (
    select
        'weekly' as date_granularity,
        action_week_start_date as date_reference,
        count(*) as fact_events
    from fct_pull_actions
    where {{ dbt.dateadd('day', 7, 'action_week_start_date') }} <= {{ report_as_of_date() }}
    group by action_week_start_date
),

monthly_facts as (
    select
        'monthly' as date_granularity,
        action_month_start_date as date_reference,
        count(*) as fact_events
    from fct_pull_actions
    where {{ dbt.dateadd('month', 1, 'action_month_start_date') }} <= {{ report_as_of_date() }}
    group by action_month_start_date
),

facts as (
    select * from weekly_facts
    union all
    select * from monthly_facts
),

reported as (
    select
        date_granularity,
        date_reference,
        sum(event_count) as reported_events
    from {{ ref('rpt_summary') }}
    where level = 'repository'
    group by date_granularity, date_reference
)

select
    facts.fact_events,
    reported.reported_events,
    coalesce(facts.date_granularity, reported.date_granularity) as date_granularity,
    coalesce(facts.date_reference, reported.date_reference) as date_reference
from facts
full outer join reported
    on
        facts.date_granularity = reported.date_granularity
        and facts.date_reference = reported.date_reference
where facts.fact_events is distinct from reported.reported_events
