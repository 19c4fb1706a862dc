{#-
    no_personal_data_columns(forbidden_names, forbidden_suffixes)

    Privacy rule: a mart never has a column that carries an IP address, an account id
    or an email address. Fails with one row per column whose lower-cased name is one of
    the forbidden names or ends with a forbidden suffix (`client_ip`, `source_ip`,
    `owner_account_id`, `contact_email`, ...). Salted pseudonyms ending in `_hash` and
    attributes of an IP such as `ip_country` are allowed. The values themselves are
    checked by `no_values_from`. Severity error; never store failures.
-#}
{% test no_personal_data_columns(
    model,
    forbidden_names=['ip', 'ip_address', 'ipv4', 'ipv6', 'remote_addr', 'remote_address', 'account', 'account_id', 'user_id', 'username', 'email', 'email_address'],
    forbidden_suffixes=['_ip', '_ip_address', '_addr', '_account', '_account_id', '_user_id', '_username', '_email', '_email_address']
) %}
    {%- set offending = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- set name = column.name | lower -%}
            {%- set ns = namespace(hit = name in forbidden_names) -%}
            {%- for suffix in forbidden_suffixes -%}
                {%- if name.endswith(suffix) -%}
                    {%- set ns.hit = true -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if ns.hit -%}
                {%- do offending.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if offending | length > 0 %}
        {%- for name in offending %}
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
