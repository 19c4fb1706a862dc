{#-
    salted_hash(expression)

    A stable pseudonymous key for a personal value (IP address, account id): the
    hash of the project salt (var `hash_salt`) and the value. Null stays null, so
    "anonymous" never turns into a shared key.
-#}
{% macro salted_hash(expression) -%}
    case
        when {{ expression }} is not null
            then {{ dbt.hash(dbt.concat(["'" ~ hash_salt() | replace("'", "''") ~ "|'", expression])) }}
    end
{%- endmacro %}
