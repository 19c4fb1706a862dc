{#-
    epoch_microseconds(timestamp_expression)

    Whole microseconds since 1970-01-01 00:00:00 UTC, as a bigint. Classification
    compares times at microsecond precision with integer arithmetic so that the
    window edge ("exactly W seconds is still in") is exact on every engine.
-#}
{% macro epoch_microseconds(timestamp_expression) %}
    {{ return(adapter.dispatch('epoch_microseconds', 'registry_insights')(timestamp_expression)) }}
{% endmacro %}

{% macro default__epoch_microseconds(timestamp_expression) -%}
    cast(extract(epoch from {{ timestamp_expression }}) * 1000000 as bigint)
{%- endmacro %}

{% macro duckdb__epoch_microseconds(timestamp_expression) -%}
    epoch_us({{ timestamp_expression }})
{%- endmacro %}

{% macro spark__epoch_microseconds(timestamp_expression) -%}
    unix_micros({{ timestamp_expression }})
{%- endmacro %}
