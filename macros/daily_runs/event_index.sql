{#-
    The event-id index (ops_request_event_index): a 64-bit hash of every raw request row's
    event id, with the file and row it came from, written once when the file is taken in.
    A daily run finds the old copies of its new events through it (ops_request_redeliveries)
    and opens only the raw files that hold a candidate copy, instead of reading the event
    ids of every raw file. A hash match is only a candidate: the copies are confirmed on the
    true event id, read from those files, so a collision costs a file read, never a wrong
    result.
-#}

{#-
    event_id_hash(column): the SQL expression of the index's hash of `column` (unsigned
    64-bit on DuckDB), keeping its top var `event_id_hash_bits` bits (64 unless a test
    forces collisions with fewer).
-#}
{% macro event_id_hash(column) -%}
    {{ return(adapter.dispatch('event_id_hash', 'registry_insights')(column)) }}
{%- endmacro %}

{% macro default__event_id_hash(column) -%}
    {%- set bits = var('event_id_hash_bits', 64) | int -%}
    {%- if bits >= 64 -%}
        xxhash64({{ column }})
    {%- else -%}
        shiftrightunsigned(xxhash64({{ column }}), {{ 64 - bits }})
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__event_id_hash(column) -%}
    {%- set bits = var('event_id_hash_bits', 64) | int -%}
    {%- if bits >= 64 -%}
        hash({{ column }})
    {%- else -%}
        (hash({{ column }}) >> {{ 64 - bits }})
    {%- endif -%}
{%- endmacro %}


{#-
    check_event_index_hash(index_relation, files): fails when the stored index was written
    with another hash function than this run's (DuckDB's hash() may change with a new
    DuckDB version; an index written by another would miss old copies): it hashes again
    the event id of one indexed row of `files` (raw files still there) and compares.
    Reads one row of one raw file.
-#}
{% macro check_event_index_hash(index_relation, files) -%}
    {%- if not execute or files | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set sample = run_query(
        "select source_file, file_row_number, event_id_hash from " ~ index_relation
        ~ " where " ~ request_files_filter('source_file', files) ~ " limit 1"
    ).rows -%}
    {%- if sample | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set row = sample[0] -%}
    {%- set rehashed = run_query(
        "select " ~ event_id_hash('event_id') ~ " from " ~ ref('base_registry__requests')
        ~ " where " ~ request_files_filter('source_file', [row[0]])
        ~ " and file_row_number = " ~ row[1]
    ).columns[0].values() | list -%}
    {%- if rehashed | length != 1 or (rehashed[0] | string) != (row[2] | string) -%}
        {{ exceptions.raise_compiler_error(
            "The event index " ~ index_relation ~ " was written with another event-id hash than"
            ~ " this run's (row " ~ row[1] ~ " of " ~ row[0] ~ ": stored " ~ row[2] ~ ", now "
            ~ (rehashed | join(', ')) ~ "), as after a DuckDB upgrade that changed hash():"
            ~ " drop that table and run again: the run writes it again from the raw files still"
            ~ " there (docs/operations.md, Redelivered events on a later day)."
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}


{#-
    redelivery_candidate_files(index_relation, files): the raw files among `files` (the
    files taken in) that hold a row whose event-id hash is also the hash of another row of
    them and of a row of this run's pending files: the files that can hold a copy of an
    event the run brings (pending files included). Read from the index at compile time;
    [] when nothing is pending. With `files` none, every indexed file: the index holds
    the files taken in (pruned ones deleted by its pre-hook), and a 100M-request index
    is read in 0.9 s without the list of its 156 files against 2.6 to 4.2 s with it.
    The index is scanned once: its rows sharing a hash with a pending row (the run's
    rows and their old copies, a few more than the run's rows) are kept apart, then
    counted (two scans of a 100M-row index took 1.5 s cold, one takes 0.5 s).
-#}
{% macro redelivery_candidate_files(index_relation, files=none) -%}
    {%- set pending = pending_request_files() -%}
    {%- if not execute or pending | length == 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = run_query(
        "with sharing_a_new_hash as ("
        ~ " select indexed.source_file, indexed.event_id_hash from " ~ index_relation ~ " as indexed"
        ~ " where " ~ _indexed_files_filter('indexed.source_file', files)
        ~ " and indexed.event_id_hash in (" ~ _pending_event_hashes(index_relation, pending) ~ "))"
        ~ " select distinct source_file from sharing_a_new_hash where event_id_hash in ("
        ~ " select event_id_hash from sharing_a_new_hash group by event_id_hash having count(*) > 1)"
        ~ " order by 1"
    ).columns[0].values() | list -%}
    {{ return(found) }}
{%- endmacro %}


{#-
    repeated_event_hashes(index_relation, files): SQL selecting the event-id hashes of
    this run's pending files that more than one indexed row of `files` has (the hashes of
    the events that may have another copy; every repeated event's among them); with
    `files` none, of every indexed file.
-#}
{% macro repeated_event_hashes(index_relation, files=none) -%}
    select indexed.event_id_hash
    from {{ index_relation }} as indexed
    where {{ _indexed_files_filter('indexed.source_file', files) }}
        and indexed.event_id_hash in ({{ _pending_event_hashes(index_relation, pending_request_files()) }})
    group by indexed.event_id_hash
    having count(*) > 1
{%- endmacro %}


{#-
    every_repeated_event_hash(index_relation): SQL selecting, once each, the event-id
    hashes that more than one row of the whole index has (the events of a full build that
    may have another copy). Dispatched: DuckDB sorts the hashes and keeps those equal to
    the previous one (100M rows: 4.3 s against 10.2 s for a hash aggregate of 100M
    groups, which also spills); elsewhere a grouped count, since a window ordered
    without partitions runs on one Spark task.
-#}
{% macro every_repeated_event_hash(index_relation) -%}
    {{ return(adapter.dispatch('every_repeated_event_hash', 'registry_insights')(index_relation)) }}
{%- endmacro %}

{% macro default__every_repeated_event_hash(index_relation) -%}
    select event_id_hash
    from {{ index_relation }}
    group by event_id_hash
    having count(*) > 1
{%- endmacro %}

{% macro duckdb__every_repeated_event_hash(index_relation) -%}
    select distinct event_id_hash
    from (
        select
            event_id_hash,
            lag(event_id_hash) over (order by event_id_hash) as previous_hash
        from {{ index_relation }}
    ) as sorted_hashes
    where event_id_hash = previous_hash
{%- endmacro %}


{#- Private: SQL selecting the event-id hashes of the rows of `pending` (this run's files). -#}
{% macro _pending_event_hashes(index_relation, pending) -%}
    select new_rows.event_id_hash from {{ index_relation }} as new_rows
    where {{ request_files_filter('new_rows.source_file', pending) }}
{%- endmacro %}


{#- Private: request_files_filter on `files`, or true for every file (`files` none). -#}
{% macro _indexed_files_filter(column, files) -%}
    {{ 'true' if files is none else request_files_filter(column, files) }}
{%- endmacro %}


{#-
    drop_pruned_files_from_event_index(): the pre-hook of ops_request_event_index's daily
    runs: deletes the index rows of raw files pruned since (registry-insights prune-raw,
    pruned_files_relation), so that the index shrinks with the raw folder. They would never
    be looked up anyway: only files taken in are. Renders nothing otherwise.
-#}
{% macro drop_pruned_files_from_event_index() -%}
    {%- if execute and is_incremental() -%}
        {%- set pruned = pruned_files_relation() -%}
        {%- if pruned is not none -%}
            delete from {{ this }} where source_file in (select file_path from {{ pruned }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
