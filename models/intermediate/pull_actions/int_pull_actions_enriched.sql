-- One row per pull action, with what its start request tells about the client:
-- country, cloud provider and IP type (from the IP), tool and version (from the
-- User-Agent), the inferred use case, the puller's company domain, and the owner
-- reports name for the namespace (macro namespace_owner).
-- Ephemeral, like the classification it reads: both are compiled into the query of the
-- fact table, where each enriched action is written once.
{{ config(materialized='ephemeral') }}
with

int_pull_actions_classified as (
    select * from {{ ref('int_pull_actions_classified') }}
),

int_client_ips_enriched as (
    select
        client_ip_hash,
        ip_country,
        cloud_service_provider,
        ip_type,
        ip_domain
    from {{ ref('int_client_ips_enriched') }}
),

int_user_agents_parsed as (
    select
        user_agent_tool,
        user_agent_version,
        base_use_case,
        coalesce(user_agent, '') as user_agent_key
    from {{ ref('int_user_agents_parsed') }}
),

publishers as (
    select
        namespace,
        publisher_id,
        publisher_name,
        program as publisher_program
    from {{ ref('publishers') }}
),

int_accounts_pseudonymised as (
    select
        account_id_hash,
        email_domain
    from {{ ref('int_accounts_pseudonymised') }}
),

int_email_domains_classified as (
    select
        email_domain,
        excluded_category
    from {{ ref('int_email_domains_classified') }}
),

actions_joined as (
    select
        int_pull_actions_classified.*,
        int_client_ips_enriched.ip_country,
        int_client_ips_enriched.ip_type,
        int_client_ips_enriched.ip_domain,
        int_user_agents_parsed.user_agent_version,
        int_accounts_pseudonymised.email_domain,
        int_email_domains_classified.excluded_category,
        publishers.publisher_id,
        publishers.publisher_name,
        publishers.publisher_program,
        {{ namespace_owner('publishers.publisher_name', 'int_pull_actions_classified.namespace') }} as owner,
        coalesce(int_client_ips_enriched.cloud_service_provider, 'no csp') as cloud_service_provider,
        coalesce(int_user_agents_parsed.user_agent_tool, 'unknown') as user_agent_tool,
        coalesce(int_user_agents_parsed.base_use_case, 'Unknown') as base_use_case
    from int_pull_actions_classified
    left join int_client_ips_enriched
        on int_pull_actions_classified.client_ip_hash = int_client_ips_enriched.client_ip_hash
    left join int_user_agents_parsed
        on coalesce(int_pull_actions_classified.user_agent, '') = int_user_agents_parsed.user_agent_key
    left join publishers
        on int_pull_actions_classified.namespace = publishers.namespace
    left join int_accounts_pseudonymised
        on int_pull_actions_classified.account_id_hash = int_accounts_pseudonymised.account_id_hash
    left join int_email_domains_classified
        on int_accounts_pseudonymised.email_domain = int_email_domains_classified.email_domain
),

use_case_inferred as (
    select
        actions_joined.*,
        cast({{ dbt.date_trunc('week', 'actions_joined.action_at') }} as date) as action_week_start_date,
        cast({{ dbt.date_trunc('month', 'actions_joined.action_at') }} as date) as action_month_start_date,
        {{ infer_use_case('actions_joined.base_use_case', 'actions_joined.cloud_service_provider') }}
            as inferred_use_case,
        case
            when actions_joined.account_id_hash is not null
                then case
                        when actions_joined.email_domain is not null
                            and actions_joined.excluded_category is null
                            then actions_joined.email_domain
                    end
            when actions_joined.ip_type = 'business' then actions_joined.ip_domain
        end as company_domain
    from actions_joined
)

select * from use_case_inferred
