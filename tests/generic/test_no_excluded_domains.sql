{#-
    no_excluded_domains(column_name)

    Privacy rule: a company column never holds a personal-mail, disposable-mail or
    university domain. Fails with one row per offending domain (a domain, never an
    address), matching the excluded list's full domains and its suffixes (`ac.uk`
    excludes `ox.ac.uk`). Severity error; never store failures.
-#}
{% test no_excluded_domains(model, column_name) %}
    with

    model_domains as (
        select distinct lower({{ column_name }}) as domain
        from {{ model }}
        where {{ column_name }} is not null
    ),

    excluded as (
        select
            domain as excluded_domain,
            is_suffix
        from {{ ref('stg_reference__excluded_email_domains') }}
    )

    select
        model_domains.domain,
        excluded.excluded_domain
    from model_domains
    inner join excluded
        on
            model_domains.domain = excluded.excluded_domain
            or (
                excluded.is_suffix
                and model_domains.domain like '%.' || excluded.excluded_domain
            )
{% endtest %}
