-- One row per pull action, with its period keys, its publisher and owner, what is
-- known of the client (country, cloud provider, tool, inferred use case, company
-- domain), the data-download and version-check flags and pseudonymous client keys.
-- No IP address and no account id: only their pseudonyms (HMAC-SHA-256, docs/privacy.md).
{{ config(
    materialized=pull_actions_materialization(),
    incremental_strategy='replace_since',
    replace_time_column='action_at',
    on_schema_change='fail',
    pre_hook="{{ keep_join_build_sides() }}",
    post_hook="{{ restore_join_build_sides() }}",
) }}
-- The classification (int_pull_actions_classified) and the enrichment are ephemeral
-- models compiled into this query: each action is written once, here. Incremental runs
-- replace the actions the classification replaced (it resumes from this table): it
-- classifies only requests at or after the run's replaced-from instant, so every action
-- it yields starts there or later, and none when the run brings nothing new. No filter
-- here, and no second read of that instant (0.3 s a day at 100M requests). The strategy
-- replace_since reads it (pull_actions_replaced_from), from
-- depends_on: {{ ref('stg_registry__requests') }} and {{ ref('ops_request_files_pending') }}
with

int_pull_actions_enriched as (
    select * from {{ ref('int_pull_actions_enriched') }}
)

-- the columns in the contract's order, calculations among them
-- noqa: disable=ST06
select
    action_id,
    action,
    action_at,
    cast(action_at as date) as action_date,
    action_week_start_date,
    action_month_start_date,
    namespace,
    repository,
    repository_name,
    reference_kind,
    tag,
    digest,
    platform_digest,
    media_type,
    http_method,
    cast(request_count as integer) as request_count,
    action in ('pull_by_tag', 'pull_by_digest') as is_data_download,
    action = 'version_check' as is_version_check,
    user_agent,
    user_agent_tool,
    user_agent_version,
    ip_country,
    cloud_service_provider,
    ip_type,
    ip_domain,
    inferred_use_case,
    company_domain,
    account_id_hash is not null as is_authenticated,
    client_ip_hash,
    account_id_hash,
    publisher_id,
    publisher_name,
    publisher_program,
    owner
from int_pull_actions_enriched
-- noqa: enable=ST06
