-- One row per pull action: the successful manifest requests of each client,
-- classified by the classify_pull_actions macro (see macros/classify_pull_actions.sql).
with

stg_registry__requests as (
    select * from {{ ref('stg_registry__requests') }}
),

manifest_requests as (  -- noqa: ST03 (read by the macro below)
    select
        event_id,
        occurred_at,
        http_method,
        repository,
        namespace,
        repository_name,
        reference_kind,
        tag,
        media_type,
        client_ip,
        user_agent,
        account_id,
        case
            when reference_kind = 'digest' then requested_digest
            else response_digest
        end as resolved_digest
    from stg_registry__requests
    where object_type = 'manifest' and is_successful
),

actions_classified as (
    {{ classify_pull_actions(
        'manifest_requests',
        passthrough_columns=['namespace', 'repository_name', 'tag', 'media_type']
    ) }}
)

select
    action_id,
    action,
    action_at,
    repository,
    namespace,
    repository_name,
    tag,
    digest,
    platform_digest,
    media_type,
    http_method,
    reference_kind,
    request_count,
    client_ip,
    user_agent,
    account_id
from actions_classified
