{{ config(materialized='table') }}
-- One row per raw extension-event file this run takes in: the files of the contract's
-- layout that the ledger (ops_extension_files_ledger) does not hold yet, up to var
-- process_date when given. Every one is accepted, however late (an event changes no
-- other); when history is rebuilt (first run, --full-refresh, no ledger) every file is
-- pending.
-- The ledger is read without ref(): it is written at the end of the run (listed in var
-- layer_exceptions.reads_without_ref).
{%- set ledger = extension_files_ledger() %}
{%- set rebuild = is_extension_history_rebuild() %}
{%- set up_to_process_date = (
    "listed_files.partition_date <= cast('" ~ process_date() ~ "' as date)" if process_date() else 'true'
) %}
with

listed_files as (
    select
        file_path,
        partition_date
    from {{ ref('stg_registry__raw_extension_files') }}
),

ledger as (
    {{ ledger_file_paths(ledger, rebuild) }}
),

pending_files as (
    select
        listed_files.file_path,
        listed_files.partition_date
    from listed_files
    left join ledger
        on listed_files.file_path = ledger.file_path
    where ledger.file_path is null and {{ up_to_process_date }}
)

select * from pending_files
