{#-
    A test's way into a model while it runs (docs/faults.md): when the environment variable
    REGISTRY_INSIGHTS_FAULT_PAUSE_AT is `<point>:<this model>` (point: pre or post, the
    model's pre-hook or its post-hook, inside the model's transaction), the hook reads the
    named pipe REGISTRY_INSIGHTS_FAULT_FIFO, which blocks until the test writes to it or
    kills the run. Otherwise it renders nothing and dbt skips it. Read only when executing.
-#}
{% macro fault_injection_point(point) -%}
    {%- if execute and env_var('REGISTRY_INSIGHTS_FAULT_PAUSE_AT', '') == point ~ ':' ~ this.name -%}
        select * from read_text({{ sql_string_list([env_var('REGISTRY_INSIGHTS_FAULT_FIFO')]) }})
    {%- endif -%}
{%- endmacro %}
