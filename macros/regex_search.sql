{#-
    regex_search(expression, pattern_expression)

    True when the regular expression matches somewhere in the string (anchor it with
    `^`/`$` for more). Unlike regex_full_match, the pattern is a SQL expression (for
    example a seed column), not a literal. RE2 / Java syntax common subset; avoid
    backslashes. Null input gives null.
-#}
{% macro regex_search(expression, pattern_expression) %}
    {{ return(adapter.dispatch('regex_search', 'registry_insights')(expression, pattern_expression)) }}
{% endmacro %}

{% macro default__regex_search(expression, pattern_expression) -%}
    regexp_like({{ expression }}, {{ pattern_expression }})
{%- endmacro %}

{% macro duckdb__regex_search(expression, pattern_expression) -%}
    regexp_matches({{ expression }}, {{ pattern_expression }})
{%- endmacro %}

{% macro spark__regex_search(expression, pattern_expression) -%}
    ({{ expression }} rlike {{ pattern_expression }})
{%- endmacro %}
