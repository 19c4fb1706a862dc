{#-
    no_personal_data_columns(forbidden_patterns)

    Privacy rule: a mart never has a column that carries an IP address, an account
    id or an email address. Fails with one row per column whose lower-cased name
    contains one of the forbidden patterns, unless the name ends in `_hash` (a
    salted pseudonym, which is allowed). Severity is error; never store failures.
-#}
{% test no_personal_data_columns(model, forbidden_patterns=['ip', 'account', 'email', 'address', 'user_id']) %}
    {%- set offending = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- set name = column.name | lower -%}
            {%- if not name.endswith('_hash') -%}
                {%- for pattern in forbidden_patterns -%}
                    {%- if pattern in name.split('_') or (pattern | length > 3 and pattern in name) -%}
                        {%- do offending.append(name) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if offending | length > 0 %}
        {%- for name in offending | unique %}
    select '{{ name }}' as personal_data_column
            {%- if not loop.last %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as personal_data_column
    where 1 = 0
    {%- endif %}
{% endtest %}
