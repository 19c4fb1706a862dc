-- One row per ASN network of the offline IP data, as an encoded address range.
with

source as (
    {{ read_reference_table(source('reference', 'ip_asn_ranges')) }}
),

normalised as (
    select
        ip_family,
        asn,
        lower(range_start_hex) as range_start_hex,
        lower(range_end_hex) as range_end_hex,
        trim(asn_organisation) as asn_organisation
    from source
)

select * from normalised
