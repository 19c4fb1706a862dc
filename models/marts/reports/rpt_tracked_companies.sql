-- The Tracked companies report: for the company domains each publisher tracks
-- (seed tracked_companies), one row per period, owner, company domain, country, cloud
-- provider, client tool, inferred use case and repository, complete periods only.
with

fct_pull_actions as (
    select
        action_week_start_date,
        action_month_start_date,
        namespace,
        repository,
        company_domain,
        ip_country,
        cloud_service_provider,
        user_agent_tool,
        inferred_use_case,
        is_data_download,
        is_version_check,
        is_authenticated,
        account_id_hash,
        owner
    from {{ ref('fct_pull_actions') }}
    where company_domain is not null
),

tracked_companies as (
    select
        namespace,
        lower(domain) as domain
    from {{ ref('tracked_companies') }}
),

tracked_actions as (
    select fct_pull_actions.*
    from fct_pull_actions
    inner join tracked_companies
        on
            fct_pull_actions.namespace = tracked_companies.namespace
            and fct_pull_actions.company_domain = tracked_companies.domain
),

actions_in_complete_periods as (
    {{ report_periods('tracked_actions') }}
)

{{ summarise_by_period(
    'actions_in_complete_periods',
    [
        'owner', 'company_domain', 'ip_country', 'cloud_service_provider', 'user_agent_tool',
        'inferred_use_case', 'repository',
    ],
    pull_action_measures(['data_downloads', 'version_checks', 'pulls', 'unique_authenticated_users']),
) }}
