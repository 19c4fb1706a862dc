{#-
    no_email_addresses()

    Privacy rule: no text column of the model holds something shaped like an email
    address (`local@domain.tld`). Fails with one row per offending column and its row
    count; the values themselves are not returned. Severity error; never store failures.
-#}
{% test no_email_addresses(model) %}
    {%- set text_column_names = text_columns(model) %}
    {#- Not @ and not blank: POSIX classes such as [:space:] mean other things in Java
        (Spark), so the blank characters are spelled out (space, \t, \n, \v, \f, \r). #}
    {%- set word = '[^@ \t\n\v\f\r]+' %}
    with

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
        from {{ model }}
        where {{ regex_full_match(adapter.quote(name), "'.*" ~ word ~ "@" ~ word ~ "[.]" ~ word ~ ".*'") }}
        {%- endfor %}
    )

    select * from leaks
    where leaking_rows > 0
{% endtest %}
