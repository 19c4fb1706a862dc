{#- Contract patterns, as SQL string literals for regex_full_match. -#}
{%- set digest_pattern = "'sha256:[0-9a-f]{64}'" -%}
{%- set tag_pattern = "'[A-Za-z0-9_][A-Za-z0-9._-]{0,127}'" -%}
{%- set name_component = '[a-z0-9]+(([.]|_|__|-+)[a-z0-9]+)*' -%}
{%- set repository_pattern = "'" ~ name_component ~ '(/' ~ name_component ~ ")+'" -%}
{{ config(materialized='view') }}
-- One row per raw tag push row, typed and normalised, with the contract check
-- (`quarantine_reason`, null when valid). stg_registry__tag_pushes keeps the valid
-- rows, stg_registry__tag_pushes_quarantined the others.
with

source as (
    {{ read_raw_table(source('registry', 'raw_tag_pushes')) }}
),

normalised as (
    select
        event_id,
        pushed_at,
        tag,
        media_type,
        lower(repository) as repository,
        lower(manifest_digest) as manifest_digest
    from source
),

checked as (
    select
        *,
        case
            when event_id is null then 'missing_event_id'
            when pushed_at is null then 'missing_pushed_at'
            when repository is null then 'missing_repository'
            when tag is null then 'missing_tag'
            when manifest_digest is null then 'missing_manifest_digest'
            when not {{ regex_full_match('repository', repository_pattern) }}
                then 'malformed_repository'
            when not {{ regex_full_match('tag', tag_pattern) }}
                then 'malformed_tag'
            when not {{ regex_full_match('manifest_digest', digest_pattern) }}
                then 'malformed_manifest_digest'
        end as quarantine_reason
    from normalised
)

select
    event_id,
    pushed_at,
    repository,
    tag,
    manifest_digest,
    media_type,
    quarantine_reason
from checked
