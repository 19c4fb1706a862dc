{#-
    pulls_add_up()

    Every report row's PULLS equals DATA_DOWNLOADS + VERSION_CHECKS. Fails with the rows
    where it does not.
-#}
{% test pulls_add_up(model) %}
    select *
    from {{ model }}
    where pulls <> data_downloads + version_checks
{% endtest %}
