-- One row per country network of the offline IP data, as an encoded address range.
with

source as (
    {{ read_reference_table(source('reference', 'ip_country_ranges')) }}
),

normalised as (
    select
        ip_family,
        lower(range_start_hex) as range_start_hex,
        lower(range_end_hex) as range_end_hex,
        upper(country_code) as country_code
    from source
)

select * from normalised
