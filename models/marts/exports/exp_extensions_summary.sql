-- The `ext-summary` (core) export: one row per period and extension, from the
-- extension's first period with an event on, including quiet periods. Installs,
-- uninstalls and updates count the period's events; the totals count every install or
-- uninstall up to the end of the period (all time).
with

int_extension_events_by_period as (
    select
        date_granularity,
        date_reference,
        extension,
        namespace,
        owner,
        event_type
    from {{ ref('int_extension_events_by_period') }}
),

period_counts as (
    select
        int_extension_events_by_period.date_granularity,
        int_extension_events_by_period.date_reference,
        int_extension_events_by_period.extension,
        {{ count_extension_events('install', 'int_extension_events_by_period') }} as installs,
        {{ count_extension_events('uninstall', 'int_extension_events_by_period') }} as uninstalls,
        {{ count_extension_events('update', 'int_extension_events_by_period') }} as updates
    from int_extension_events_by_period
    group by
        int_extension_events_by_period.date_granularity,
        int_extension_events_by_period.date_reference,
        int_extension_events_by_period.extension
),

periods as (
    select distinct
        date_granularity,
        date_reference
    from int_extension_events_by_period
),

extension_starts as (
    select
        date_granularity,
        extension,
        namespace,
        owner,
        min(date_reference) as first_date_reference
    from int_extension_events_by_period
    group by
        date_granularity,
        extension,
        namespace,
        owner
),

-- Every period from the extension's first one on, so that quiet periods still show totals.
extension_periods as (
    select
        periods.date_granularity,
        periods.date_reference,
        extension_starts.extension,
        extension_starts.namespace,
        extension_starts.owner
    from periods
    inner join extension_starts
        on
            periods.date_granularity = extension_starts.date_granularity
            and periods.date_reference >= extension_starts.first_date_reference
),

counted as (
    select
        extension_periods.date_granularity,
        extension_periods.date_reference,
        extension_periods.extension,
        extension_periods.namespace,
        extension_periods.owner,
        coalesce(period_counts.installs, 0) as installs,
        coalesce(period_counts.uninstalls, 0) as uninstalls,
        coalesce(period_counts.updates, 0) as updates
    from extension_periods
    left join period_counts
        on
            extension_periods.date_granularity = period_counts.date_granularity
            and extension_periods.date_reference = period_counts.date_reference
            and extension_periods.extension = period_counts.extension
),

totals_accumulated as (
    select
        counted.*,
        sum(counted.installs) over (
            partition by counted.date_granularity, counted.extension
            order by counted.date_reference
            rows between unbounded preceding and current row
        ) as total_installs,
        sum(counted.uninstalls) over (
            partition by counted.date_granularity, counted.extension
            order by counted.date_reference
            rows between unbounded preceding and current row
        ) as total_uninstalls
    from counted
)

select
    date_granularity,
    cast(date_reference as date) as date_reference,
    extension,
    namespace,
    owner,
    cast(installs as bigint) as installs,
    cast(total_installs as bigint) as total_installs,
    cast(uninstalls as bigint) as uninstalls,
    cast(total_uninstalls as bigint) as total_uninstalls,
    cast(updates as bigint) as updates
from totals_accumulated
