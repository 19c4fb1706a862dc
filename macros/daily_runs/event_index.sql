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
    {{ top_bits('xxhash64(' ~ column ~ ')', var('event_id_hash_bits', 64)) }}
{%- endmacro %}

{% macro duckdb__event_id_hash(column) -%}
    {{ top_bits('hash(' ~ column ~ ')', var('event_id_hash_bits', 64)) }}
{%- endmacro %}


{#-
    top_bits(expression, bits): the SQL of the top `bits` bits of the 64-bit unsigned
    `expression` (the expression itself for 64), for the tests that force collisions.
-#}
{% macro top_bits(expression, bits) -%}
    {{ return(adapter.dispatch('top_bits', 'registry_insights')(expression, bits | int)) }}
{%- endmacro %}

{% macro default__top_bits(expression, bits) -%}
    {%- if bits >= 64 -%}
        {{ expression }}
    {%- else -%}
        shiftrightunsigned({{ expression }}, {{ 64 - bits }})
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__top_bits(expression, bits) -%}
    {%- if bits >= 64 -%}
        {{ expression }}
    {%- else -%}
        ({{ expression }} >> {{ 64 - bits }})
    {%- endif -%}
{%- endmacro %}


{#-
    raw_file_key(column): the SQL expression of the index's key of a raw file path
    `column`: a 64-bit hash of the path, stored in place of the path. An integer that is
    the same on every row of a file costs next to nothing to write and to scan (100M
    rows: the index written in 4.8 s against 10.3 s with the path), and a filter on keys
    skips the row groups of other files. Two files taken in never share a key
    (check_event_index_keys fails a daily run that would make them). Keeps the top var
    `raw_file_key_bits` bits (64 but in the test of that check).
-#}
{% macro raw_file_key(column) -%}
    {{ return(adapter.dispatch('raw_file_key', 'registry_insights')(column)) }}
{%- endmacro %}

{% macro default__raw_file_key(column) -%}
    {{ top_bits('xxhash64(' ~ column ~ ')', var('raw_file_key_bits', 64)) }}
{%- endmacro %}

{% macro duckdb__raw_file_key(column) -%}
    {{ top_bits('hash(' ~ column ~ ')', var('raw_file_key_bits', 64)) }}
{%- endmacro %}


{#-
    raw_file_keys_filter(column, files): a SQL condition true when `column` (a file key)
    is the key of one of the file paths `files` (false for none): the keys are constant
    expressions, folded by the engine, so the index is filtered on integers.
-#}
{% macro raw_file_keys_filter(column, files) -%}
    {%- if files | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in (
        {%- for file in files -%}
            {{ raw_file_key(sql_string_list([file])) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}


{#-
    raw_file_keys(files): SQL selecting each path of `files` (file_path) with its key
    (file_key): how the keys the index holds are named back as paths.
-#}
{% macro raw_file_keys(files) -%}
    select file_path, {{ raw_file_key('file_path') }} as file_key
    from (values {% for file in files %}({{ sql_string_list([file]) }}){{ ', ' if not loop.last }}{% endfor %})
        as files (file_path)
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
        "select files.file_path, indexed.file_row_number, indexed.event_id_hash"
        ~ " from " ~ index_relation ~ " as indexed"
        ~ " inner join (" ~ raw_file_keys(files) ~ ") as files"
        ~ " on indexed.file_key = files.file_key limit 1"
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
    check_event_index_keys(files): fails when two of `files` (the request files taken in)
    have the same key (raw_file_key): the index would mix their rows. A 64-bit hash of a
    few thousand paths makes that a chance of about one in 10^12; checked all the same,
    on the paths alone, so a daily run never deletes or reads another file's rows.
-#}
{% macro check_event_index_keys(files) -%}
    {%- if not execute or files | length < 2 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set shared = run_query(
        "select min(file_path), max(file_path) from (" ~ raw_file_keys(files) ~ ") as files"
        ~ " group by file_key having count(*) > 1 limit 1"
    ).rows -%}
    {%- if shared | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "The raw files " ~ shared[0][0] ~ " and " ~ shared[0][1] ~ " have the same key in the"
            ~ " event index (macro raw_file_key): rename one of them (its folder stays the same)"
            ~ " and run again."
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}


{#-
    redelivery_candidate_files(index_relation, files): the raw files among `files` (the
    files taken in) that hold a row whose event-id hash is also the hash of another row of
    them and of a row of this run's pending files: the files that can hold a copy of an
    event the run brings (pending files included). Read from the index at compile time;
    [] when nothing is pending. The whole index is scanned once, without a filter on the
    files (a filter listing a 100M-request index's 156 files read it in 2.6 to 4.2 s,
    against 0.9 s without): its rows sharing a hash with a pending row (the run's rows and
    their old copies, a few more than the run's rows) are kept apart, then counted (two
    scans of a 100M-row index took 1.5 s cold, one 0.5 s); the keys found are named back
    as paths of `files`, so a file that left the raw folder after a failed run, whose
    rows the index may still hold, is never named.
-#}
{% macro redelivery_candidate_files(index_relation, files) -%}
    {%- set pending = pending_request_files() -%}
    {%- if not execute or pending | length == 0 or files | length == 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = run_query(
        "with sharing_a_new_hash as ("
        ~ " select indexed.file_key, indexed.event_id_hash from " ~ index_relation ~ " as indexed"
        ~ " where indexed.event_id_hash in (" ~ _pending_event_hashes(index_relation, pending) ~ "))"
        ~ " select files.file_path from (" ~ raw_file_keys(files) ~ ") as files"
        ~ " where files.file_key in (select file_key from sharing_a_new_hash where event_id_hash in ("
        ~ " select event_id_hash from sharing_a_new_hash group by event_id_hash having count(*) > 1))"
        ~ " order by 1"
    ).columns[0].values() | list -%}
    {{ return(found) }}
{%- endmacro %}


{#-
    repeated_event_hashes(index_relation, files): SQL selecting the event-id hashes of
    this run's pending files that more than one indexed row of `files` has (the hashes of
    the events that may have another copy; every repeated event's among them).
-#}
{% macro repeated_event_hashes(index_relation, files) -%}
    select indexed.event_id_hash
    from {{ index_relation }} as indexed
    where {{ raw_file_keys_filter('indexed.file_key', files) }}
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
    where {{ raw_file_keys_filter('new_rows.file_key', pending) }}
{%- endmacro %}


{#-
    upgrade_event_index_file_key(): the first pre-hook of ops_request_event_index's daily
    runs (DuckDB: the only engine with daily runs): an index written before the file key,
    with each row's `source_file` path, is written again once with the key of the path in
    its place (not altered in place: DuckDB refuses to commit a transaction that alters a
    table and then writes to it). Renders nothing otherwise.
-#}
{% macro upgrade_event_index_file_key() -%}
    {%- if execute and is_incremental() -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if 'source_file' in columns and 'file_key' not in columns -%}
            create or replace table {{ this }} as
            select event_id_hash, {{ raw_file_key('source_file') }} as file_key, file_row_number
            from {{ this }}
        {%- endif -%}
    {%- endif -%}
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
            delete from {{ this }}
            where file_key in (select {{ raw_file_key('file_path') }} from {{ pruned }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
