{{ config(severity='warn') }}
-- Warns with the raw request files rejected because they arrived more than
-- var late_arrival_days after their day partition: their rows are in no model, so
-- they are reported here (and counted in ops_request_files_ledger), never dropped
-- silently. Reprocess them with a full refresh.
select
    file_path,
    partition_date,
    batch_date,
    row_count
from {{ ref('ops_request_files_ledger') }}
where not is_accepted
