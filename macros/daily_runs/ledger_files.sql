{#-
    ledger_file_paths(ledger, rebuild): a select of the `file_path` of every file a ledger
    of raw files holds (ops_request_files_ledger, ops_extension_files_ledger), or of none
    when the run rebuilds history (then every listed file is pending). What the pending
    models leave out of the listing.
-#}
{% macro ledger_file_paths(ledger, rebuild) -%}
    {%- if rebuild -%}
        select cast(null as {{ dbt.type_string() }}) as file_path
        where 1 = 0
    {%- else -%}
        select file_path from {{ ledger }}
    {%- endif -%}
{%- endmacro %}
