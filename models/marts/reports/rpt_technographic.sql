-- The Technographic report: one row per period, DVP image and paired image that at
-- least `technographic_min_users` (default 10) distinct users pulled both of.
-- Percentages are 0 to 100, rounded to two decimals.
with

int_image_pairings_summarised as (
    select * from {{ ref('int_image_pairings_summarised') }}
    where meets_user_threshold
)

select
    date_granularity,
    date_reference,
    publisher_id,
    publisher_name,
    dvpp_image,
    paired_image,
    cast(users as bigint) as users,
    cast(total_pullers as bigint) as total_pullers,
    cast(round(100.0 * users / total_pullers, 2) as decimal(5, 2)) as pct_users,
    cast(domains as bigint) as domains,
    cast(total_domains as bigint) as total_domains,
    cast(
        case when total_domains > 0 then round(100.0 * domains / total_domains, 2) else 0 end
        as decimal(5, 2)
    ) as pct_domains
from int_image_pairings_summarised
