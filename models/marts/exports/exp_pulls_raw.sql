-- The `raw` pull export: one row per period and pull action, with the raw data points
-- of the published export, named as in the fact table (the catalog of published
-- datasets gives their CSV headers). ip_domain is the network's organisation domain (the
-- company's own where the IP type is business, else its provider's); no IP address, no
-- account.
with

fct_pull_actions as (
    select
        *,
        case when reference_kind = 'tag' then tag else digest end as reference
    from {{ ref('fct_pull_actions') }}
),

actions_in_complete_periods as (
    {{ report_periods('fct_pull_actions') }}
)

select
    date_granularity,
    cast(date_reference as date) as date_reference,
    action_id,
    action,
    action_date,
    action_at,
    ip_country,
    digest,
    http_method,
    cloud_service_provider,
    namespace,
    reference,
    repository_name,
    tag,
    ip_type,
    user_agent_tool,
    user_agent_version,
    ip_domain,
    owner
from actions_in_complete_periods
