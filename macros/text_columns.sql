{#-
    text_columns(relation)

    The names of the relation's text columns (empty at parse time). Used by the
    value-level privacy tests, which look at every text value of a mart.
-#}
{% macro text_columns(relation) %}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.is_string() -%}
                {%- do names.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}
