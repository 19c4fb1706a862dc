{#-
    Raw retention (`registry-insights prune-raw`): the raw request and extension-event files
    removed after the warehouse took them in are listed in a manifest in the raw folder,
    <raw_path>/_retention/pruned_files.csv (one row per file: table_name, file_path as the
    ledger names it, partition_date, row_count, size_bytes, pruned_at). Daily runs read
    it so that a pruned file is neither new (it is no longer listed) nor missing (the
    files taken in leave it out); a rebuild of history refuses to run over it.
-#}

{#- The manifest's path (it may not exist). -#}
{% macro pruned_files_manifest() -%}
    {{ return(raw_data_path() ~ '/_retention/pruned_files.csv') }}
{%- endmacro %}


{#- SQL selecting the manifest's rows of table `table_name` (of every table with none): table_name, file_path, partition_date; or none when no file was pruned. -#}
{% macro pruned_files_relation(table_name='raw_registry_requests') -%}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set manifest = pruned_files_manifest() | replace("'", "''") -%}
    {%- set found = run_query("select count(*) from glob('" ~ manifest ~ "')").columns[0].values()[0] -%}
    {%- if found == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(
        "(select table_name, file_path, partition_date from read_csv('" ~ manifest ~ "', header = true,"
        ~ " columns = {'table_name': 'varchar', 'file_path': 'varchar', 'partition_date': 'date',"
        ~ " 'row_count': 'bigint', 'size_bytes': 'bigint', 'pruned_at': 'timestamp'})"
        ~ (" where table_name = '" ~ table_name ~ "'" if table_name else "") ~ ")"
    ) }}
{%- endmacro %}


{#-
    not_pruned_condition(column, table_name): a SQL condition true when the file path in
    `column` (a file of raw table `table_name`) was not pruned (true when nothing was).
-#}
{% macro not_pruned_condition(column, table_name='raw_registry_requests') -%}
    {%- set pruned = pruned_files_relation(table_name) -%}
    {%- if pruned is none -%}
        true
    {%- else -%}
        {{ column }} not in (select file_path from {{ pruned }})
    {%- endif -%}
{%- endmacro %}


{#-
    pruned_range(table_name): {files, extension_files, first_day, last_day} of the pruned
    files of raw table `table_name` (of every table with none: request and extension-event
    files, extension_files of them), or none.
-#}
{% macro pruned_range(table_name=none) -%}
    {%- set pruned = pruned_files_relation(table_name) -%}
    {%- if pruned is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set row = run_query(
        "select count(*), cast(min(partition_date) as varchar), cast(max(partition_date) as varchar),"
        ~ " sum(case when table_name = 'raw_extension_events' then 1 else 0 end) from " ~ pruned
    ).rows[0] -%}
    {%- if row[0] == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'files': row[0], 'extension_files': row[3], 'first_day': row[1], 'last_day': row[2]}) }}
{%- endmacro %}


{#-
    refuse_history_rebuild_over_pruned_raw(table_name): fails when the history of raw table
    `table_name` (of every raw table with none) would be rebuilt from the
    raw files (`--full-refresh`, or a warehouse without a ledger of request files or of
    extension-event files) while some of them were
    pruned, naming the pruned range, unless var `rebuild_over_remaining_raw` is true: then
    it says, once per model, that history before the pruned range's end is lost. Called
    by `is_history_rebuild`, `is_extension_history_rebuild` and, for `--full-refresh`, by
    the project's on-run-start hook
    (so `dbt build --full-refresh` refuses before building anything).
-#}
{% macro refuse_history_rebuild_over_pruned_raw(table_name=none) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set pruned = pruned_range(table_name) -%}
    {%- if pruned is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set what = pruned['files'] ~ " raw file(s) (" ~ pruned['extension_files'] ~ " of them extension-event files)"
        ~ " of " ~ pruned['first_day'] ~ " to " ~ pruned['last_day']
        ~ " were pruned (" ~ pruned_files_manifest() ~ ")" -%}
    {%- if var('rebuild_over_remaining_raw', false) -%}
        {{ log("WARNING: rebuilding history over the raw files that remain: " ~ what
            ~ ", so every period up to " ~ pruned['last_day'] ~ " is rebuilt without them"
            ~ " (var rebuild_over_remaining_raw is true).", info=true) }}
        {{ return('') }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "Refusing to rebuild history: " ~ what ~ ", and the warehouse is their only copy now."
        ~ " A full refresh (or a new warehouse) would lose every period up to " ~ pruned['last_day']
        ~ ". Run the daily runs instead, or rebuild over the files that remain with"
        ~ " --vars '{rebuild_over_remaining_raw: true}' (docs/operations.md, Retention)."
    ) }}
{%- endmacro %}


{#- The on-run-start hook: refuses `--full-refresh` over pruned raw files (see above). -#}
{% macro check_full_refresh_over_pruned_raw() -%}
    {%- if execute and flags.FULL_REFRESH and target.type == 'duckdb' -%}
        {%- do refuse_history_rebuild_over_pruned_raw() -%}
    {%- endif -%}
    select 1
{%- endmacro %}
