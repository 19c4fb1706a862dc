-- One row per period, image of a DVP publisher and other image pulled by at least
-- one of the same users: how many users pulled both and how many company domains
-- pulled both (by any of their users), out of how many pulled the DVP image, and
-- whether the pairing reaches the privacy threshold (var technographic_min_users,
-- default 10 distinct users).
with

int_image_pullers_deduplicated as (
    select * from {{ ref('int_image_pullers_deduplicated') }}
),

dvp_image_pullers as (
    select * from int_image_pullers_deduplicated
    where is_dvp_image
),

int_company_image_pairs as (
    select * from {{ ref('int_company_image_pairs') }}
),

dvp_image_totals as (
    select
        date_granularity,
        date_reference,
        repository as dvpp_image,
        count(distinct user_key) as total_pullers,
        count(distinct company_domain) as total_domains
    from dvp_image_pullers
    group by date_granularity, date_reference, repository
),

company_pairings as (
    select
        date_granularity,
        date_reference,
        dvpp_image,
        paired_image,
        count(distinct company_domain) as domains
    from int_company_image_pairs
    group by date_granularity, date_reference, dvpp_image, paired_image
),

pairs_co_pulled as (
    select
        dvp_image_pullers.date_granularity,
        dvp_image_pullers.date_reference,
        dvp_image_pullers.publisher_id,
        dvp_image_pullers.publisher_name,
        dvp_image_pullers.repository as dvpp_image,
        other_image_pullers.repository as paired_image,
        dvp_image_pullers.user_key
    from dvp_image_pullers
    inner join int_image_pullers_deduplicated as other_image_pullers
        on
            dvp_image_pullers.date_granularity = other_image_pullers.date_granularity
            and dvp_image_pullers.date_reference = other_image_pullers.date_reference
            and dvp_image_pullers.user_key = other_image_pullers.user_key
            and dvp_image_pullers.repository <> other_image_pullers.repository
),

pairings as (
    select
        date_granularity,
        date_reference,
        publisher_id,
        publisher_name,
        dvpp_image,
        paired_image,
        count(distinct user_key) as users
    from pairs_co_pulled
    group by
        date_granularity,
        date_reference,
        publisher_id,
        publisher_name,
        dvpp_image,
        paired_image
)

select
    pairings.date_granularity,
    pairings.date_reference,
    pairings.publisher_id,
    pairings.publisher_name,
    pairings.dvpp_image,
    pairings.paired_image,
    pairings.users,
    dvp_image_totals.total_pullers,
    coalesce(company_pairings.domains, 0) as domains,
    dvp_image_totals.total_domains,
    pairings.users >= {{ var('technographic_min_users', 10) }} as meets_user_threshold
from pairings
inner join dvp_image_totals
    on
        pairings.date_granularity = dvp_image_totals.date_granularity
        and pairings.date_reference = dvp_image_totals.date_reference
        and pairings.dvpp_image = dvp_image_totals.dvpp_image
left join company_pairings
    on
        pairings.date_granularity = company_pairings.date_granularity
        and pairings.date_reference = company_pairings.date_reference
        and pairings.dvpp_image = company_pairings.dvpp_image
        and pairings.paired_image = company_pairings.paired_image
