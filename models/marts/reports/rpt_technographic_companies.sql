-- The Technographic companies report: one row per period, company domain, DVP image
-- and paired image that the company pulled (by any of its users), for pairings that
-- pass the technographic user threshold. Only company domains: personal, disposable
-- and university domains never appear.
with

int_company_image_pairs as (
    select * from {{ ref('int_company_image_pairs') }}
),

qualified_pairings as (
    select
        date_granularity,
        date_reference,
        publisher_name,
        dvpp_image,
        paired_image
    from {{ ref('int_image_pairings_summarised') }}
    where meets_user_threshold
)

select
    qualified_pairings.date_granularity,
    qualified_pairings.date_reference,
    qualified_pairings.publisher_name,
    int_company_image_pairs.company_domain,
    qualified_pairings.dvpp_image,
    qualified_pairings.paired_image
from qualified_pairings
inner join int_company_image_pairs
    on
        qualified_pairings.date_granularity = int_company_image_pairs.date_granularity
        and qualified_pairings.date_reference = int_company_image_pairs.date_reference
        and qualified_pairings.dvpp_image = int_company_image_pairs.dvpp_image
        and qualified_pairings.paired_image = int_company_image_pairs.paired_image
