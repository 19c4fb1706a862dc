{#-
    Use the custom schema names as they are (`staging`, `intermediate`, `marts`,
    `reference`) instead of prefixing them with the target schema, so BI tools
    find `marts.rpt_summary` on every target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
