-- One row per distinct client IP address of the requests taken in and the extension
-- events (by its pseudonym), enriched from the offline reference data: country, ASN organisation, cloud provider,
-- IP type and the organisation's domain.
--
-- An address finds its range without a range join (macro ip_range_lookup: the greatest
-- range start at or below it, by an ASOF join on DuckDB, by a sort of addresses and range
-- starts and a running max elsewhere). `ip_hex between range_start_hex and range_end_hex`
-- joins fall back to nested loops or, with the family equality added, make DuckDB hash on
-- two values (measured with 100k addresses and 787k ranges on 2 cores: the sort 0.5 s,
-- between 0.8 s, between + family 439 s).
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='append',
) }}
-- Incremental runs enrich only the addresses they have not seen (each is looked up alone).
-- Keyed by the pseudonym of the normalised address (macro pseudonym): the address itself is
-- read from the raw files (staging views) while this query runs and never stored.
with

-- the clients of every request row taken in (valid or not, any object and status): a
-- superset of the pull actions' clients, read without the contract's checks, which need
-- every column of a row (10M requests: 0.6 s against 3.4 s through stg_registry__requests,
-- docs/benchmark.md); an incremental run reads only the files it takes in (the addresses
-- of older files were enriched when those were taken in), so this model waits neither
-- for the redeliveries nor for the run's replaced-from instant. The addresses as written,
-- each distinct text normalised once (normalise_ip, which staging runs on every row):
-- 10M requests, 1.7 s against 2.3 s for the model
request_ip_texts as (
    select distinct client_ip_text from {{ ref('base_registry__requests') }}
    where {{ files_taken_in_by_this_run('source_file') }}
),

requests as (
    select {{ normalise_ip('client_ip_text') }} as client_ip
    from request_ip_texts
),

-- the clients of every extension event row taken in (redelivered copies included, a
-- superset), normalised as staging normalises them; an incremental run reads only the
-- extension files it takes in, not the whole history (100M requests: the daily run's
-- enrichment 1.6 s against 0.7 s)
extension_events as (
    select distinct client_ip from {{ ref('base_registry__extension_events') }}
    where {{ files_taken_in_by_this_run('source_file', 'raw_extension_events') }}
),

country_ranges as (
    select
        range_start_hex,
        range_end_hex,
        ip_family,
        country_code
    from {{ ref('stg_reference__ip_country_ranges') }}
),

asn_ranges as (
    select
        range_start_hex,
        range_end_hex,
        ip_family,
        asn,
        asn_organisation
    from {{ ref('stg_reference__ip_asn_ranges') }}
),

cloud_providers as (
    select
        priority,
        pattern,
        pattern_type,
        cloud_service_provider,
        ip_type,
        organisation_domain
    from {{ ref('cloud_providers_by_asn_organisation') }}
),

-- A text that is no address normalises to null, whose pseudonym is null: such a row is
-- dropped at the end, not here. A filter on the normalised value here is pushed down
-- through the distinct into the raw scan, which then normalises every row, not each
-- distinct text (100M requests: this query 5.8 s against 2.1 s); at the end it applies
-- to client_ips_encoded, which is read twice, and so stays there on DuckDB.
client_ips_seen as (
    select client_ip from requests
    union
    select client_ip from extension_events
),

client_ips_pseudonymised as (
    select
        client_ip,
        {{ pseudonym('client_ip') }} as client_ip_hash
    from client_ips_seen
),

client_ips as (
    select
        client_ips_pseudonymised.client_ip,
        client_ips_pseudonymised.client_ip_hash
    from client_ips_pseudonymised
    {%- if is_incremental() %}
    left join {{ this }} as enriched
        on client_ips_pseudonymised.client_ip_hash = enriched.client_ip_hash
    where enriched.client_ip_hash is null
    {%- endif %}
),

client_ips_encoded as (
    select
        client_ip_hash,
        {{ ip_to_hex('client_ip') }} as ip_hex
    from client_ips
),

-- Several texts can name one address (`1.2.3.4`, `::ffff:1.2.3.4`): look each up once.
addresses as (
    select distinct
        ip_hex,
        case when ip_hex like '00000000000000000000ffff%' then 4 else 6 end as ip_family
    from client_ips_encoded
    where ip_hex is not null
),

addresses_with_country as (
    {{ ip_range_lookup('addresses', 'country_ranges', ['country_code']) }}
),

addresses_with_asn as (
    {{ ip_range_lookup('addresses', 'asn_ranges', ['asn', 'asn_organisation']) }}
),

-- The seed's patterns are matched against the organisations actually seen, not all of them.
organisations as (
    select distinct asn_organisation
    from addresses_with_asn
    where asn_organisation is not null
),

organisation_matches as (
    select
        organisations.asn_organisation,
        cloud_providers.cloud_service_provider,
        cloud_providers.ip_type,
        cloud_providers.organisation_domain,
        row_number() over (
            partition by organisations.asn_organisation
            order by cloud_providers.priority
        ) as match_rank
    from organisations
    cross join cloud_providers
    where
        case
            when cloud_providers.pattern_type = 'substring'
                then {{ dbt.position('cloud_providers.pattern', 'lower(organisations.asn_organisation)') }} > 0
            when cloud_providers.pattern_type = 'regex'
                then {{ regex_search('lower(organisations.asn_organisation)', 'cloud_providers.pattern') }}
            else false
        end
),

organisation_providers as (
    select
        asn_organisation,
        cloud_service_provider,
        ip_type,
        organisation_domain
    from organisation_matches
    where match_rank = 1
),

client_ips_enriched as (
    select
        client_ips_encoded.client_ip_hash,
        addresses_with_country.country_code as ip_country,
        addresses_with_asn.asn,
        addresses_with_asn.asn_organisation,
        organisation_providers.ip_type,
        organisation_providers.organisation_domain as ip_domain,
        coalesce(organisation_providers.cloud_service_provider, 'no csp') as cloud_service_provider
    from client_ips_encoded
    left join addresses_with_country
        on client_ips_encoded.ip_hex = addresses_with_country.ip_hex
    left join addresses_with_asn
        on client_ips_encoded.ip_hex = addresses_with_asn.ip_hex
    left join organisation_providers
        on addresses_with_asn.asn_organisation = organisation_providers.asn_organisation
    where client_ips_encoded.client_ip_hash is not null
)

select * from client_ips_enriched
