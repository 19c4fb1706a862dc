-- One row per pull action, with its period keys, its publisher and pseudonymous
-- client keys. No IP address and no account id: they are replaced by salted hashes.
with

int_pull_actions_classified as (
    select * from {{ ref('int_pull_actions_classified') }}
),

publishers as (
    select * from {{ ref('publishers') }}
),

actions_described as (
    select
        int_pull_actions_classified.action_id,
        int_pull_actions_classified.action,
        int_pull_actions_classified.action_at,
        cast(int_pull_actions_classified.action_at as date) as action_date,
        cast({{ dbt.date_trunc('week', 'int_pull_actions_classified.action_at') }} as date)
            as action_week_start_date,
        cast({{ dbt.date_trunc('month', 'int_pull_actions_classified.action_at') }} as date)
            as action_month_start_date,
        int_pull_actions_classified.namespace,
        int_pull_actions_classified.repository,
        int_pull_actions_classified.repository_name,
        int_pull_actions_classified.reference_kind,
        int_pull_actions_classified.tag,
        int_pull_actions_classified.digest,
        int_pull_actions_classified.platform_digest,
        int_pull_actions_classified.media_type,
        int_pull_actions_classified.http_method,
        cast(int_pull_actions_classified.request_count as integer) as request_count,
        int_pull_actions_classified.action in ('pull_by_tag', 'pull_by_digest') as is_data_download,
        int_pull_actions_classified.action = 'version_check' as is_version_check,
        int_pull_actions_classified.user_agent,
        int_pull_actions_classified.account_id is not null as is_authenticated,
        {{ salted_hash('int_pull_actions_classified.client_ip') }} as client_ip_hash,
        {{ salted_hash('int_pull_actions_classified.account_id') }} as account_id_hash,
        publishers.publisher_id,
        publishers.publisher_name,
        publishers.program as publisher_program
    from int_pull_actions_classified
    left join publishers
        on int_pull_actions_classified.namespace = publishers.namespace
)

select * from actions_described
