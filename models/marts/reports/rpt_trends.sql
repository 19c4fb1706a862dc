-- The Trends report: one row per period (weekly, monthly), repository, country,
-- cloud provider, client tool and tag, for complete periods only. Unique users are
-- counted from pseudonymous keys: accounts for authenticated pulls, hashed client
-- IPs for anonymous ones.
with

fct_pull_actions as (
    select
        action_week_start_date,
        action_month_start_date,
        owner,
        repository,
        namespace,
        ip_country,
        cloud_service_provider,
        user_agent_tool,
        tag,
        is_data_download,
        is_version_check,
        is_authenticated,
        account_id_hash,
        client_ip_hash
    from {{ ref('fct_pull_actions') }}
),

actions_in_complete_periods as (
    {{ report_periods('fct_pull_actions') }}
)

{{ summarise_by_period(
    'actions_in_complete_periods',
    ['owner', 'repository', 'namespace', 'ip_country', 'cloud_service_provider', 'user_agent_tool', 'tag'],
    pull_action_measures([
        'data_downloads', 'version_checks', 'pulls',
        'unique_authenticated_users', 'unique_unauthenticated_users',
    ]),
) }}
