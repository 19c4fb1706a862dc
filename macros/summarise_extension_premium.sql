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
)

{{ summarise_by_period(
    'int_extension_events_by_period',
    ['extension'] + group_columns + ['namespace', 'owner'],
    {
        'installs': count_extension_events('install', 'int_extension_events_by_period'),
        'unique_installs': count_extension_users('install', 'int_extension_events_by_period'),
        'uninstalls': count_extension_events('uninstall', 'int_extension_events_by_period'),
        'unique_uninstalls': count_extension_users('uninstall', 'int_extension_events_by_period'),
        'usage': count_extension_events('open', 'int_extension_events_by_period'),
        'unique_users': count_extension_users('open', 'int_extension_events_by_period'),
    },
) }}
{%- endmacro %}
