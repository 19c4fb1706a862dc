{#-
    distinct_value_pseudonyms(relation, column, pseudonym_column)

    A select of one row per distinct non-null value of `column` in `relation` (a relation
    or CTE name), with its pseudonym (macro pseudonym) as `pseudonym_column`: two sha256
    per value, not per row. Join it to the rows on `column` (a left join keeps the rows
    whose value is null, with a null pseudonym).
-#}
{% macro distinct_value_pseudonyms(relation, column, pseudonym_column) -%}
    select
        {{ column }},
        {{ pseudonym(column) }} as {{ pseudonym_column }}
    from (
        select distinct {{ column }} from {{ relation }}
        where {{ column }} is not null
    ) as distinct_values
{%- endmacro %}
