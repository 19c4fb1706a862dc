-- One row per period (weekly, monthly; complete periods only), user and image: who
-- pulled what, reduced to distinct pullers before any pairing so co-usage stays cheap.
-- A user is an account, or for an anonymous pull its client IP, by their pseudonyms.
-- is_dvp_image says, once for co-usage, which images are a Docker Verified Publisher's.
with

fct_pull_actions as (
    select
        action_week_start_date,
        action_month_start_date,
        repository,
        namespace,
        publisher_id,
        publisher_name,
        publisher_program,
        coalesce(publisher_program = 'DVP', false) as is_dvp_image,
        company_domain,
        case
            when account_id_hash is not null then 'account:' || account_id_hash
            else 'ip:' || client_ip_hash
        end as user_key
    from {{ ref('fct_pull_actions') }}
),

pulls_in_complete_periods as (
    {{ report_periods('fct_pull_actions') }}
)

select distinct
    date_granularity,
    cast(date_reference as date) as date_reference,
    user_key,
    repository,
    namespace,
    publisher_id,
    publisher_name,
    publisher_program,
    is_dvp_image,
    company_domain
from pulls_in_complete_periods
