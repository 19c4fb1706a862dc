{#-
    regex_extract(expression, pattern, group)

    The text captured by group `group` (an integer literal; 0 = the whole match) of the
    first match of the regular expression `pattern` in `expression`. Like
    regex_full_match, `pattern` is a SQL expression: quote a literal
    ("'curl/([0-9.]+)'") or pass a column, so rules can come from a seed. The match is a
    search, not a full match: anchor the pattern ('^(?:' || p || ')$') to read the
    groups of a full match. No match, a group that did not take part, or an empty
    capture give null (engines disagree between '' and null there); null input gives
    null. Write patterns in the RE2 / Java common subset, without backslashes.
-#}
{% macro regex_extract(expression, pattern, group) %}
    {{ return(adapter.dispatch('regex_extract', 'registry_insights')(expression, pattern, group)) }}
{% endmacro %}

{% macro default__regex_extract(expression, pattern, group) -%}
    nullif(regexp_extract({{ expression }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{#- DuckDB (RE2): the pattern may vary by row; the group must be a constant. #}
{% macro duckdb__regex_extract(expression, pattern, group) -%}
    nullif(regexp_extract({{ expression }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{#- Spark (Java regex): returns '' when the pattern does not match. #}
{% macro spark__regex_extract(expression, pattern, group) -%}
    nullif(regexp_extract({{ expression }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}
