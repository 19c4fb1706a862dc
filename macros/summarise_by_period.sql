{#-
    summarise_by_period(relation, group_columns, measures)

    A select of `relation`'s rows (already in complete periods: report_periods) grouped
    by period (`date_granularity`, `date_reference` as a date) and `group_columns`, in
    that order, then each of `measures` (output name -> SQL aggregate, in order) as a
    bigint. The one place the reports and exports write their period grouping.
-#}
{% macro summarise_by_period(relation, group_columns, measures) -%}
    select
        {{ relation }}.date_granularity,
        cast({{ relation }}.date_reference as date) as date_reference,
        {%- for column in group_columns %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        {%- for name, aggregate in measures.items() %}
        cast({{ aggregate }} as bigint) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    group by
        {{ relation }}.date_granularity,
        {{ relation }}.date_reference
        {%- for column in group_columns %},
        {{ relation }}.{{ column }}
        {%- endfor %}
{%- endmacro %}
