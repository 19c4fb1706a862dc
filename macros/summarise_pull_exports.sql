{#-
    summarise_pull_exports(group_columns)

    The body of every pull summary export: the fact table's actions in complete periods
    (report_periods), grouped by period, owner and `group_columns` (a list drawn from
    namespace, repository_name, reference, ip_country), counting distinct hashed client
    IPs, pulls by tag, pulls by digest and version checks. `repository_name` is the name
    within the namespace; `reference` the tag or digest the start request named.
-#}
{% macro summarise_pull_exports(group_columns) -%}
with

fct_pull_actions as (
    select
        action_week_start_date,
        action_month_start_date,
        namespace,
        repository_name,
        case when reference_kind = 'tag' then tag else digest end as reference,
        ip_country,
        action,
        is_version_check,
        client_ip_hash,
        owner
    from {{ ref('fct_pull_actions') }}
),

actions_in_complete_periods as (
    {{ report_periods('fct_pull_actions') }}
),

summarised as (
    select
        date_granularity,
        cast(date_reference as date) as date_reference,
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        owner,
        count(distinct client_ip_hash) as unique_ip_addresses,
        sum(case when action = 'pull_by_tag' then 1 else 0 end) as pulls_by_tag,
        sum(case when action = 'pull_by_digest' then 1 else 0 end) as pulls_by_digest,
        sum(case when is_version_check then 1 else 0 end) as version_checks
    from actions_in_complete_periods
    group by
        date_granularity,
        date_reference,
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        owner
)

select
    date_granularity,
    date_reference,
    {%- for column in group_columns %}
    {{ column }},
    {%- endfor %}
    owner,
    cast(unique_ip_addresses as bigint) as unique_ip_addresses,
    cast(pulls_by_tag as bigint) as pulls_by_tag,
    cast(pulls_by_digest as bigint) as pulls_by_digest,
    cast(version_checks as bigint) as version_checks
from summarised
{%- endmacro %}
