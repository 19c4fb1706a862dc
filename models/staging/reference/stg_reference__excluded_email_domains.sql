-- One row per excluded email domain (or suffix) and category.
with

source as (
    {{ read_reference_table(source('reference', 'excluded_email_domains')) }}
),

normalised as (
    select distinct
        is_suffix,
        lower(trim(domain)) as domain,  -- noqa: RF04
        lower(category) as category
    from source
    where domain is not null
)

select * from normalised
