{#-
    no_values_from(identifiers, identifier_column)

    Privacy rule: no text column of the model holds a value that appears in
    `identifier_column` of the `identifiers` relation (for example the raw client
    IPs or account ids of staging). Catches an identifier copied under an innocent
    column name. Fails with one row per leaking column and value count; the
    failing values themselves are not returned.
-#}
{% test no_values_from(model, identifiers, identifier_column) %}
    {%- set text_column_names = text_columns(model) %}
    with

    identifiers as (
        select distinct {{ identifier_column }} as identifier
        from {{ identifiers }}
        where {{ identifier_column }} is not null
    ),

    leaks as (
        select
            cast(null as {{ dbt.type_string() }}) as leaking_column,
            0 as leaking_rows
        where 1 = 0
        {%- for name in text_column_names %}
        union all
        select
            '{{ name }}' as leaking_column,
            count(*) as leaking_rows
        from {{ model }} as model_rows
        inner join identifiers
            on model_rows.{{ adapter.quote(name) }} = identifiers.identifier
        {%- endfor %}
    )

    select * from leaks
    where leaking_rows > 0
{% endtest %}
