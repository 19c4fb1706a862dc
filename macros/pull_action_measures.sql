{#-
    pull_action_measures(names)

    The aggregates the pull reports and exports count over pull actions (columns of
    fct_pull_actions), each written once, as an ordered mapping name -> SQL aggregate
    for summarise_by_period, in the order of `names`. Unique users are counted from
    pseudonymous keys only: accounts for authenticated pulls, hashed client IPs otherwise.
-#}
{% macro pull_action_measures(names) -%}
    {%- set aggregates = {
        'data_downloads': 'sum(case when is_data_download then 1 else 0 end)',
        'version_checks': 'sum(case when is_version_check then 1 else 0 end)',
        'pulls': 'count(*)',
        'event_count': 'count(*)',
        'pulls_by_tag': "sum(case when action = 'pull_by_tag' then 1 else 0 end)",
        'pulls_by_digest': "sum(case when action = 'pull_by_digest' then 1 else 0 end)",
        'unique_ip_addresses': 'count(distinct client_ip_hash)',
        'unique_authenticated_users': 'count(distinct case when is_authenticated then account_id_hash end)',
        'unique_unauthenticated_users': 'count(distinct case when not is_authenticated then client_ip_hash end)',
    } -%}
    {%- set chosen = {} -%}
    {%- for name in names -%}
        {%- if name not in aggregates -%}
            {{ exceptions.raise_compiler_error('pull_action_measures: no measure ' ~ name) }}
        {%- endif -%}
        {%- do chosen.update({name: aggregates[name]}) -%}
    {%- endfor -%}
    {{ return(chosen) }}
{%- endmacro %}
