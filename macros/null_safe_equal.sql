{#-
    null_safe_equal(left, right)

    True when both expressions are equal or both are null (SQL `is not distinct from`).
-#}
{% macro null_safe_equal(left, right) %}
    {{ return(adapter.dispatch('null_safe_equal', 'registry_insights')(left, right)) }}
{% endmacro %}

{% macro default__null_safe_equal(left, right) -%}
    ({{ left }} is not distinct from {{ right }})
{%- endmacro %}

{% macro spark__null_safe_equal(left, right) -%}
    ({{ left }} <=> {{ right }})
{%- endmacro %}
