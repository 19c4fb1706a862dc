{#-
    Settings that come from a dbt var or, when the var is not given, from an
    environment variable (dbt does not render env_var() inside dbt_project.yml vars).
    Keep raw_data_path() in step with the source's external_location expression in
    models/staging/registry/_registry__sources.yml.
-#}

{#- Folder of the raw-data contract: <raw_path>/<table>/date=YYYY-MM-DD/*.parquet -#}
{% macro raw_data_path() -%}
    {{ return(var('raw_path', env_var('REGISTRY_INSIGHTS_RAW_PATH', 'data/demo/raw'))) }}
{%- endmacro %}

{#-
    Reports show only periods that ended before this date: var report_as_of_date, else the
    environment variable REGISTRY_INSIGHTS_REPORT_AS_OF_DATE, else today (UTC). The
    variable is read only when executing, so that changing it does not make dbt parse the
    project again (a changed --vars does).
-#}
{% macro report_as_of_date() -%}
    {%- set as_of = var('report_as_of_date', none) -%}
    {%- if execute and not as_of -%}
        {%- set as_of = env_var('REGISTRY_INSIGHTS_REPORT_AS_OF_DATE', '') -%}
    {%- endif -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}
