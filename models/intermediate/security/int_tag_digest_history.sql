{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='replace_open_since',
    replace_open_column='valid_to',
) }}
-- One row per repository, tag and run of the same digest (grain: repository, tag,
-- valid_from, digest): which manifest digest the tag pointed to, and when, from what
-- the registry answered. Two kinds of observation of a tag on a digest: every
-- successful manifest GET or HEAD by tag that carries the registry's
-- `Docker-Content-Digest`, and every push of a manifest by that tag (raw_tag_pushes,
-- where collected: the tag points to the pushed digest from the push on, even if no
-- request ever asks for the tag). Consecutive observations of the same digest, in the
-- order of time then digest (a tie between two digests at one instant), form one run.
-- `valid_to` is when the tag was first seen on another digest (exclusive), null for the
-- tag's current digest.
-- Incremental, so that its history outlives the raw files (raw retention): a run
-- recomputes from S (tag_history_since), the earliest of B, the earliest valid request
-- the run brings (every request before B is unchanged, see pull_actions_replaced_from),
-- and the earliest push no stored run explains (a push inside a stored run of its digest
-- changes nothing), so every run that ended before S is final. A run reads the
-- observations at or after S again (the requests from the files that can hold them,
-- the pushes) and resumes each tag from the stored run it was on at S; strategy
-- `replace_open_since` replaces the runs that had not ended before S (valid_to null or
-- at or after S).
{%- set since = tag_history_since() %}
{#- the observations read: all of them, or in an incremental run those at or after S -#}
{%- if not is_incremental() %}
    {%- set requests_read = 'true' %}
    {%- set pushes_read = 'true' %}
{%- elif since is none %}
    {%- set requests_read = '1 = 0' %}
    {%- set pushes_read = '1 = 0' %}
{%- else %}
    {%- set requests_read = 'occurred_at >= ' ~ since ~ ' and '
        ~ request_files_filter('source_file', request_files_since(since)) %}
    {%- set pushes_read = 'pushed_at >= ' ~ since %}
{%- endif %}
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
        and {{ requests_read }}
),

stg_registry__tag_pushes as (
    select
        pushed_at,
        repository,
        namespace,
        tag,
        manifest_digest
    from {{ ref('stg_registry__tag_pushes') }}
    where {{ pushes_read }}
),

-- the run each tag was on at S (it started before S and had not ended by then): its
-- digest is the previous observation of the first one at or after S
{%- if is_incremental() and since is not none %}

runs_resumed as (
    select
        repository,
        namespace,
        tag,
        digest,
        valid_from as occurred_at
    from {{ this }}
    where
        valid_from < {{ since }}
        and (valid_to is null or valid_to >= {{ since }})
),
{%- endif %}

observations as (
    select
        repository,
        namespace,
        tag,
        response_digest as digest,
        occurred_at
    from stg_registry__requests
    union all
    select
        repository,
        namespace,
        tag,
        manifest_digest as digest,
        pushed_at as occurred_at
    from stg_registry__tag_pushes
    {%- if is_incremental() and since is not none %}
        union all
        select
            repository,
            namespace,
            tag,
            digest,
            occurred_at
        from runs_resumed
    {%- endif %}
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
        digest,
        occurred_at,
        lag(digest) over (
            partition by repository, tag
            order by occurred_at, digest
        ) as previous_digest
    from observations
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
