-- One row per period, company domain, DVP image and other image that the company
-- pulled in the same period (by any of its users). Only company domains: personal,
-- disposable and university domains never get here.
with

int_image_pullers_deduplicated as (
    select * from {{ ref('int_image_pullers_deduplicated') }}
    where company_domain is not null
),

company_images as (
    select distinct
        date_granularity,
        date_reference,
        company_domain,
        repository,
        is_dvp_image
    from int_image_pullers_deduplicated
)

select
    dvp_images.date_granularity,
    dvp_images.date_reference,
    dvp_images.company_domain,
    dvp_images.repository as dvpp_image,
    other_images.repository as paired_image
from company_images as dvp_images
inner join company_images as other_images
    on
        dvp_images.date_granularity = other_images.date_granularity
        and dvp_images.date_reference = other_images.date_reference
        and dvp_images.company_domain = other_images.company_domain
        and dvp_images.repository <> other_images.repository
where dvp_images.is_dvp_image
