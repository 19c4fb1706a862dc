-- One row per extension event and complete period it falls in (its week and its month,
-- each once complete: report_periods), with what the extension exports group and count.
with

int_extension_events_enriched as (
    select * from {{ ref('int_extension_events_enriched') }}
),

events_in_complete_periods as (
    {{ report_periods('int_extension_events_enriched', 'event_week_start_date', 'event_month_start_date') }}
)

select
    date_granularity,
    cast(date_reference as date) as date_reference,
    event_id,
    extension,
    namespace,
    owner,
    ip_country,
    event_type,
    user_hash
from events_in_complete_periods
