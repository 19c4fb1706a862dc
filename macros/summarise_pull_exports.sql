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
)

{{ summarise_by_period(
    'actions_in_complete_periods',
    group_columns + ['owner'],
    pull_action_measures(['unique_ip_addresses', 'pulls_by_tag', 'pulls_by_digest', 'version_checks']),
) }}
{%- endmacro %}
