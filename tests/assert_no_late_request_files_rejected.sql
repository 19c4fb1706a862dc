{{ config(severity='warn') }}
-- Warns with the raw request files rejected because they arrived more than
-- var late_arrival_days after their day partition: their rows are in no model, so
-- they are reported here (and counted in stg_registry__request_files), never dropped
-- silently. Reprocess them with a full refresh.
select
    file_path,
    partition_date,
    batch_date,
    row_count
from {{ ref('stg_registry__request_files') }}
where not is_accepted
