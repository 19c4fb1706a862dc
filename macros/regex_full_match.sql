{#-
    regex_full_match(expression, pattern_expression)

    True when the whole string matches the regular expression. The pattern is a SQL
    expression: a quoted literal (`"'sha256:[0-9a-f]{64}'"`) or a column (a seed's
    pattern). RE2 / Java syntax common subset; avoid backslashes (use character
    classes such as `[.]`). Null input gives null.
-#}
{% macro regex_full_match(expression, pattern_expression) %}
    {{ return(adapter.dispatch('regex_full_match', 'registry_insights')(expression, pattern_expression)) }}
{% endmacro %}

{% macro default__regex_full_match(expression, pattern_expression) -%}
    regexp_like({{ expression }}, {{ dbt.concat(["'^(?:'", pattern_expression, "')$'"]) }})
{%- endmacro %}

{% macro duckdb__regex_full_match(expression, pattern_expression) -%}
    regexp_full_match({{ expression }}, {{ pattern_expression }})
{%- endmacro %}

{% macro spark__regex_full_match(expression, pattern_expression) -%}
    ({{ expression }} rlike {{ dbt.concat(["'^(?:'", pattern_expression, "')$'"]) }})
{%- endmacro %}
