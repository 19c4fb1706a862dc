{#-
    infer_use_case(base_use_case, cloud_service_provider)

    The inferred deployment environment of a pull: the client tool's base use case
    (`Local Dev`, `CI/CD`, `Prod`, `Unknown`), moved one step towards production when
    the pull came from cloud infrastructure: local development tools on a cloud
    become `CI/CD`, CI/CD tools on a cloud become `Prod`.
-#}
{% macro infer_use_case(base_use_case, cloud_service_provider) -%}
    case
        when {{ base_use_case }} = 'Local Dev' and {{ cloud_service_provider }} <> 'no csp' then 'CI/CD'
        when {{ base_use_case }} = 'CI/CD' and {{ cloud_service_provider }} <> 'no csp' then 'Prod'
        when {{ base_use_case }} in ('Local Dev', 'CI/CD', 'Prod') then {{ base_use_case }}
        else 'Unknown'
    end
{%- endmacro %}
