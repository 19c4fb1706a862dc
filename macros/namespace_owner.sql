{#-
    namespace_owner(publisher_name, namespace)

    The owner a published row names for a namespace: the publisher's name from the
    `publishers` seed, else the namespace itself. The one home of this rule: the pull
    actions (int_pull_actions_enriched) and the extension events
    (int_extension_events_enriched) resolve it once, and every mart reads their `owner`.
-#}
{% macro namespace_owner(publisher_name, namespace) -%}
    coalesce({{ publisher_name }}, {{ namespace }})
{%- endmacro %}
