{#- sql_string_list(values): the values as a comma-separated list of SQL string literals (quotes doubled). -#}
{% macro sql_string_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{#- timestamp_literal(moment): a Python datetime as a SQL timestamp literal, to the microsecond. -#}
{% macro timestamp_literal(moment) -%}
    cast('{{ moment.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
