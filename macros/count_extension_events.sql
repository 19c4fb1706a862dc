{#-
    count_extension_events(event_type, relation)

    SQL aggregate: the number of `relation`'s rows of one extension event type.
    count_extension_users(event_type, relation): the distinct users (hashed) among them.
-#}
{% macro count_extension_events(event_type, relation) -%}
    sum(case when {{ relation }}.event_type = '{{ event_type }}' then 1 else 0 end)
{%- endmacro %}

{% macro count_extension_users(event_type, relation) -%}
    count(distinct case when {{ relation }}.event_type = '{{ event_type }}' then {{ relation }}.user_hash end)
{%- endmacro %}
