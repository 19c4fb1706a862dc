{#-
    summarise_extension_premium(group_columns)

    The body of the premium extension exports: the extension events in complete
    periods (int_extension_events_by_period), grouped by period, extension, its namespace and
    owner and `group_columns` (empty, or ['ip_country']), with installs, uninstalls and
    opens (usage), each also counted as distinct pseudonymous users.
-#}
{% macro summarise_extension_premium(group_columns) -%}
with

int_extension_events_by_period as (
    select * from {{ ref('int_extension_events_by_period') }}
),

summarised as (
    select
        int_extension_events_by_period.date_granularity,
        int_extension_events_by_period.date_reference,
        int_extension_events_by_period.extension,
        {%- for column in group_columns %}
        int_extension_events_by_period.{{ column }},
        {%- endfor %}
        int_extension_events_by_period.namespace,
        int_extension_events_by_period.owner,
        {{ count_extension_events('install', 'int_extension_events_by_period') }} as installs,
        {{ count_extension_users('install', 'int_extension_events_by_period') }} as unique_installs,
        {{ count_extension_events('uninstall', 'int_extension_events_by_period') }} as uninstalls,
        {{ count_extension_users('uninstall', 'int_extension_events_by_period') }} as unique_uninstalls,
        {{ count_extension_events('open', 'int_extension_events_by_period') }} as usage,
        {{ count_extension_users('open', 'int_extension_events_by_period') }} as unique_users
    from int_extension_events_by_period
    group by
        int_extension_events_by_period.date_granularity,
        int_extension_events_by_period.date_reference,
        int_extension_events_by_period.extension,
        {%- for column in group_columns %}
        int_extension_events_by_period.{{ column }},
        {%- endfor %}
        int_extension_events_by_period.namespace,
        int_extension_events_by_period.owner
)

select
    date_granularity,
    date_reference,
    extension,
    {%- for column in group_columns %}
    {{ column }},
    {%- endfor %}
    namespace,
    owner,
    cast(installs as bigint) as installs,
    cast(unique_installs as bigint) as unique_installs,
    cast(uninstalls as bigint) as uninstalls,
    cast(unique_uninstalls as bigint) as unique_uninstalls,
    cast(usage as bigint) as usage,
    cast(unique_users as bigint) as unique_users
from summarised
{%- endmacro %}
