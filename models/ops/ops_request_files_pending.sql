{{ config(materialized='table') }}
-- One row per raw request file this run takes in: the files of the contract's layout
-- that the ledger (ops_request_files_ledger) does not hold yet, up to var process_date
-- when given (then the run closes that day: closes_batch_date). A file is accepted
-- unless its day partition is more than var late_arrival_days before the batch date
-- (process_date, else the newest day partition); when history is rebuilt (first run,
-- --full-refresh, no ledger) every file is.
-- The ledger is read without ref(): it is written at the end of the run (listed in var
-- layer_exceptions.reads_without_ref).
{%- set ledger = request_files_ledger() %}
{%- set rebuild = is_history_rebuild() %}
{%- set batch_date = "cast('" ~ process_date() ~ "' as date)" if process_date() else 'newest.partition_date' %}
{%- set earliest_accepted = dbt.dateadd('day', -1 * var('late_arrival_days'), batch_date) %}
with

listed_files as (
    select
        file_path,
        partition_date
    from {{ ref('stg_registry__raw_request_files') }}
),

ledger as (
    {{ ledger_file_paths(ledger, rebuild) }}
),

newest as (
    select max(partition_date) as partition_date from listed_files
),

pending_files as (
    select
        listed_files.file_path,
        listed_files.partition_date,
        {{ batch_date }} as batch_date,
        {{ 'true' if process_date() else 'false' }} as closes_batch_date,
        {{ 'true' if rebuild else 'listed_files.partition_date >= ' ~ earliest_accepted }} as is_accepted
    from listed_files
    cross join newest
    left join ledger
        on listed_files.file_path = ledger.file_path
    where ledger.file_path is null and listed_files.partition_date <= {{ batch_date }}
)

select * from pending_files
