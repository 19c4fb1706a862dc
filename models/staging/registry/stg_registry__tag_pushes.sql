-- One row per valid manifest push by tag (grain: event_id): evidence that the tag
-- points to the digest from `pushed_at` on. A redelivered event (its id written twice)
-- keeps one row (the earliest, then the first in the order of its columns);
-- contract-breaking rows are in stg_registry__tag_pushes_quarantined.
with

base_tag_pushes as (
    select * from {{ ref('base_registry__tag_pushes') }}
    where quarantine_reason is null
),

pushes_ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by
                pushed_at,
                repository,
                tag,
                manifest_digest,
                coalesce(media_type, '')
        ) as delivery_rank
    from base_tag_pushes
)

select
    event_id,
    pushed_at,
    repository,
    {{ dbt.split_part('repository', "'/'", 1) }} as namespace,
    tag,
    manifest_digest,
    media_type
from pushes_ranked
where delivery_rank = 1
