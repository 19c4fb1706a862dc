{#-
    counts_match_fact_table(counts, keys=[], fact_where=none)

    Recounts a mart's counts from the fact table, at the mart's own grain: for every
    complete period (weekly, monthly: a week once its Sunday has passed, a month once it
    has ended, as of report_as_of_date()) and combination of `keys` (columns that the mart
    and fct_pull_actions name alike), the sum of each mart expression of `counts` must
    equal the number of fact actions for which its predicate holds. `counts` maps a mart
    expression (a count column, or `1` to count the mart's rows) to a predicate over the
    fact table's columns. `fact_where` restricts the fact rows (`fct_pull_actions`) to
    those the mart covers.
    The periods are worked out here, not with report_periods, so that a mistake in the
    shared macro shows. Fails with each period and key combination whose counts differ or
    that only one side has.
-#}
{% test counts_match_fact_table(model, counts, keys=[], fact_where=none) %}
    {%- set key_list = keys | join(', ') %}
    with

    published as (
        select
            date_granularity,
            date_reference,
            {%- for key in keys %}
            {{ key }},
            {%- endfor %}
            {%- for expression in counts %}
            sum({{ expression }}) as count_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ model }}
        group by date_granularity, date_reference{{ ', ' ~ key_list if keys }}
    ),

    facts as (
        select * from {{ ref('fct_pull_actions') }} as fct_pull_actions
        {%- if fact_where %}
        where {{ fact_where }}
        {%- endif %}
    ),

    actions_by_period as (
        select
            'weekly' as date_granularity,
            facts.action_week_start_date as date_reference,
            facts.*
        from facts
        where {{ dbt.dateadd('day', 7, 'facts.action_week_start_date') }} <= {{ report_as_of_date() }}
        union all
        select
            'monthly' as date_granularity,
            facts.action_month_start_date as date_reference,
            facts.*
        from facts
        where {{ dbt.dateadd('month', 1, 'facts.action_month_start_date') }} <= {{ report_as_of_date() }}
    ),

    recounted as (
        select
            date_granularity,
            date_reference,
            {%- for key in keys %}
            {{ key }},
            {%- endfor %}
            {%- for expression, predicate in counts.items() %}
            sum(case when {{ predicate }} then 1 else 0 end) as count_{{ loop.index }}{{ ',' if not loop.last }}
            {%- endfor %}
        from actions_by_period
        group by date_granularity, date_reference{{ ', ' ~ key_list if keys }}
    )

    select
        coalesce(published.date_granularity, recounted.date_granularity) as date_granularity,
        coalesce(published.date_reference, recounted.date_reference) as date_reference,
        {%- for key in keys %}
        coalesce(published.{{ key }}, recounted.{{ key }}) as {{ key }},
        {%- endfor %}
        {%- for expression in counts %}
        published.count_{{ loop.index }} as published_count_{{ loop.index }},
        recounted.count_{{ loop.index }} as fact_count_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from published
    full outer join recounted
        on
            published.date_granularity = recounted.date_granularity
            and published.date_reference = recounted.date_reference
            {%- for key in keys %}
            and {{ null_safe_equal('published.' ~ key, 'recounted.' ~ key) }}
            {%- endfor %}
    where
        {%- for expression in counts %}
        {{ 'or ' if not loop.first }}published.count_{{ loop.index }} is distinct from recounted.count_{{ loop.index }}
        {%- endfor %}
{% endtest %}
