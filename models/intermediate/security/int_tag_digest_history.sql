-- One row per repository, tag and run of the same digest (grain: repository, tag,
-- valid_from, digest): which manifest digest the tag pointed to, and when, from what
-- the registry answered. Every successful manifest GET or HEAD by tag that carries the
-- registry's `Docker-Content-Digest` is an observation; consecutive observations of
-- the same digest form one run. `valid_to` is when the tag was first seen on another
-- digest (exclusive), null for the tag's current digest. The raw-data contract has no
-- push events (only GET and HEAD requests), so a tag's history starts at its first
-- observed request.
with

stg_registry__requests as (
    select
        occurred_at,
        repository,
        namespace,
        tag,
        response_digest
    from {{ ref('stg_registry__requests') }}
    where
        object_type = 'manifest'
        and reference_kind = 'tag'
        and is_successful
        and response_digest is not null
),

publishers as (
    select
        namespace,
        publisher_name
    from {{ ref('publishers') }}
),

observations_ordered as (
    select
        repository,
        namespace,
        tag,
        response_digest as digest,
        occurred_at,
        lag(response_digest) over (
            partition by repository, tag
            order by occurred_at, response_digest
        ) as previous_digest
    from stg_registry__requests
),

runs_started as (
    select
        repository,
        namespace,
        tag,
        digest,
        occurred_at as valid_from
    from observations_ordered
    where previous_digest is null or previous_digest <> digest
),

runs_bounded as (
    select
        runs_started.repository,
        runs_started.namespace,
        runs_started.tag,
        runs_started.digest,
        runs_started.valid_from,
        lead(runs_started.valid_from) over (
            partition by runs_started.repository, runs_started.tag
            order by runs_started.valid_from, runs_started.digest
        ) as valid_to
    from runs_started
),

history as (
    select
        runs_bounded.repository,
        runs_bounded.namespace,
        {{ namespace_owner('publishers.publisher_name', 'runs_bounded.namespace') }} as owner,
        runs_bounded.tag,
        runs_bounded.digest,
        runs_bounded.valid_from,
        runs_bounded.valid_to
    from runs_bounded
    left join publishers
        on runs_bounded.namespace = publishers.namespace
)

select
    repository,
    namespace,
    owner,
    tag,
    digest,
    valid_from,
    valid_to,
    valid_to is null as is_current
from history
