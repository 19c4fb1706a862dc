{#-
    report_periods(relation, week_column, month_column)

    One row per input row and granularity: the input's columns plus
    `date_granularity` ('weekly' / 'monthly') and `date_reference` (the period's first
    day), keeping only periods complete before report_as_of_date(). Every report
    uses it, so "complete periods only" means the same thing everywhere.
-#}
{% macro report_periods(relation, week_column='action_week_start_date', month_column='action_month_start_date') -%}
    select
        {{ relation }}.*,
        'weekly' as date_granularity,
        {{ relation }}.{{ week_column }} as date_reference
    from {{ relation }}
    where {{ dbt.dateadd('day', 7, relation ~ '.' ~ week_column) }} <= {{ report_as_of_date() }}
    union all
    select
        {{ relation }}.*,
        'monthly' as date_granularity,
        {{ relation }}.{{ month_column }} as date_reference
    from {{ relation }}
    where {{ dbt.dateadd('month', 1, relation ~ '.' ~ month_column) }} <= {{ report_as_of_date() }}
{%- endmacro %}
