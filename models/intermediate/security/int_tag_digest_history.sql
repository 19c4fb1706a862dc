{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='replace_open_since',
    replace_open_column='valid_to',
) }}
-- One row per repository, tag and run of the same digest (grain: repository, tag,
-- valid_from, digest): which manifest digest the tag pointed to, and when, from what
-- the registry answered. Every successful manifest GET or HEAD by tag that carries the
-- registry's `Docker-Content-Digest` is an observation; consecutive observations of
-- the same digest form one run. `valid_to` is when the tag was first seen on another
-- digest (exclusive), null for the tag's current digest. The raw-data contract has no
-- push events (only GET and HEAD requests), so a tag's history starts at its first
-- observed request.
-- Incremental, so that its history outlives the raw files (raw retention): every
-- observation before B, the earliest valid request the run brings, is unchanged (see
-- pull_actions_replaced_from), so every run that ended before B is final. A run reads
-- the observations at or after B again (from the files that can hold them) and resumes
-- each tag from the stored run it was on at B; strategy `replace_open_since` replaces
-- the runs that had not ended before B (valid_to null or at or after B).
{%- set bounds = pull_actions_replaced_from() %}
{#- the observations read: all of them, or in an incremental run those at or after B -#}
{%- if not is_incremental() %}
    {%- set observations_read = 'true' %}
{%- elif bounds is none %}
    {%- set observations_read = '1 = 0' %}
{%- else %}
    {%- set observations_read = 'occurred_at >= ' ~ bounds['batch_start'] ~ ' and '
        ~ request_files_filter('source_file', request_files_since(bounds['batch_start'])) %}
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
        and {{ observations_read }}
),

-- the run each tag was on at B (it started before B and had not ended by then): its
-- digest is the previous observation of the first one at or after B
{%- if is_incremental() and bounds is not none %}

runs_resumed as (
    select
        repository,
        namespace,
        tag,
        digest,
        valid_from as occurred_at
    from {{ this }}
    where
        valid_from < {{ bounds['batch_start'] }}
        and (valid_to is null or valid_to >= {{ bounds['batch_start'] }})
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
    {%- if is_incremental() and bounds is not none %}
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
