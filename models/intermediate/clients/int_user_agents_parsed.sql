-- One row per distinct user agent of the requests taken in (null is one row too):
-- the tool, its version and the base use case, by the first rule of the user_agent_rules
-- seed (ascending rule_order) whose pattern matches the whole user agent.
{#
    regex_full_match takes the pattern as a SQL expression: here the rules' pattern
    column (DuckDB takes a per-row pattern).
    regex_extract needs a constant group number: one CASE branch per possible group, up
    to max_version_group (the seed's accepted version_group values stop there too). The
    groups are read from the anchored pattern, so they are those of the full match.
#}
{% set max_version_group = 9 %}
{% set anchored_pattern = dbt.concat(["'^(?:'", 'pattern', "')$'"]) %}

{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='append',
) }}
-- Incremental runs parse only the user agents they have not seen (each is parsed alone).
with

-- the user agents of every request row taken in (valid or not): a superset of the pull
-- actions' (an action carries its start request's), read without the contract's checks
-- as int_client_ips_enriched reads the addresses; an incremental run reads only the
-- files it takes in, as that model does
requests as (
    select user_agent from {{ ref('base_registry__requests') }}
    where {{ files_taken_in_by_this_run('source_file') }}
),

user_agent_rules as (
    select
        rule_order,
        pattern,
        version_group,
        user_agent_tool,
        base_use_case
    from {{ ref('user_agent_rules') }}
),

user_agents_distinct as (
    select distinct user_agent
    from requests
    {%- if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as parsed
        where {{ null_safe_equal('parsed.user_agent', 'requests.user_agent') }}
    )
    {%- endif %}
),

rules_matched as (
    select
        user_agents_distinct.user_agent,
        user_agent_rules.rule_order,
        user_agent_rules.pattern,
        user_agent_rules.version_group,
        user_agent_rules.user_agent_tool,
        user_agent_rules.base_use_case
    from user_agents_distinct
    inner join user_agent_rules
        on {{ regex_full_match('user_agents_distinct.user_agent', 'user_agent_rules.pattern') }}
),

rules_ranked as (
    select
        user_agent,
        rule_order,
        pattern,
        version_group,
        user_agent_tool,
        base_use_case,
        row_number() over (partition by user_agent order by rule_order) as rule_rank
    from rules_matched
),

first_rules as (
    select
        user_agent,
        rule_order,
        user_agent_tool,
        base_use_case,
        case version_group
            {% for group in range(1, max_version_group + 1) %}
                when {{ group }} then {{ regex_extract('user_agent', anchored_pattern, group) }}
            {% endfor %}
        end as user_agent_version
    from rules_ranked
    where rule_rank = 1
),

user_agents_parsed as (
    -- the null user agent, and any user agent no rule matches, are unknown
    select
        user_agents_distinct.user_agent,
        first_rules.user_agent_version,
        first_rules.rule_order as matched_rule_order,
        coalesce(first_rules.user_agent_tool, 'unknown') as user_agent_tool,
        coalesce(first_rules.base_use_case, 'Unknown') as base_use_case
    from user_agents_distinct
    left join first_rules
        on user_agents_distinct.user_agent = first_rules.user_agent
)

select
    user_agent,
    user_agent_tool,
    user_agent_version,
    base_use_case,
    matched_rule_order
from user_agents_parsed
