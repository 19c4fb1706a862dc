{{ config(materialized='view') }}
-- One row per Parquet file of the raw extension-event table in the contract's layout
-- (`date=YYYY-MM-DD/<file>.parquet`), listed, not read: what a daily run compares with
-- the ledger to find its new files (ops_extension_files_pending). A file outside the
-- layout fails the build. Empty on engines that do not list files
-- (supports_raw_file_ledger).
with

listed_files as (
    {{ raw_files_listing(source('registry', 'raw_extension_events')) }}
)

select
    file_path,
    partition_date
from listed_files
