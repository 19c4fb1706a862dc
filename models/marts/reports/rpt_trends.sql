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
),

trends as (
    select
        date_granularity,
        cast(date_reference as date) as date_reference,
        owner,
        repository,
        namespace,
        ip_country,
        cloud_service_provider,
        user_agent_tool,
        tag,
        sum(case when is_data_download then 1 else 0 end) as data_downloads,
        sum(case when is_version_check then 1 else 0 end) as version_checks,
        count(*) as pulls,
        count(distinct case when is_authenticated then account_id_hash end)
            as unique_authenticated_users,
        count(distinct case when not is_authenticated then client_ip_hash end)
            as unique_unauthenticated_users
    from actions_in_complete_periods
    group by
        date_granularity,
        date_reference,
        owner,
        repository,
        namespace,
        ip_country,
        cloud_service_provider,
        user_agent_tool,
        tag
)

select
    date_granularity,
    date_reference,
    owner,
    repository,
    namespace,
    ip_country,
    cloud_service_provider,
    user_agent_tool,
    tag,
    cast(data_downloads as bigint) as data_downloads,
    cast(version_checks as bigint) as version_checks,
    cast(pulls as bigint) as pulls,
    cast(unique_authenticated_users as bigint) as unique_authenticated_users,
    cast(unique_unauthenticated_users as bigint) as unique_unauthenticated_users
from trends
