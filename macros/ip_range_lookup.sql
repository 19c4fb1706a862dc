{#-
    ip_range_lookup(addresses, ranges, value_columns)

    For each address of `addresses` (columns ip_hex, ip_family), the value columns of the
    range of `ranges` (range_start_hex, range_end_hex, ip_family, value columns) that
    holds it, or nulls. No range join: ranges are sorted and never overlap, so the only
    candidate is the greatest start at or below the address. Addresses and range starts
    go into one list, ordered by encoded address (a start before an equal address); a
    running max of the starts gives each address its candidate, and an equi-join on that
    start checks the range's end. A sort, so it scales on every engine.
    Returns a select with ip_hex and the value columns.
-#}
{% macro ip_range_lookup(addresses, ranges, value_columns) -%}
    select
        candidates.point_hex as ip_hex
        {%- for column in value_columns %},
        {{ ranges }}.{{ column }}
        {%- endfor %}
    from (
        select
            points.point_hex,
            points.ip_family,
            points.point_kind,
            max(points.range_start_hex) over (
                partition by points.ip_family
                order by points.point_hex, points.point_kind
                rows between unbounded preceding and current row
            ) as candidate_start_hex
        from (
            select
                ip_hex as point_hex,
                ip_family,
                1 as point_kind,
                cast(null as {{ dbt.type_string() }}) as range_start_hex
            from {{ addresses }}
            union all
            select
                range_start_hex as point_hex,
                ip_family,
                0 as point_kind,
                range_start_hex
            from {{ ranges }}
        ) as points
    ) as candidates
    left join {{ ranges }}
        on
            candidates.ip_family = {{ ranges }}.ip_family
            and candidates.candidate_start_hex = {{ ranges }}.range_start_hex
            and candidates.point_hex <= {{ ranges }}.range_end_hex
    where candidates.point_kind = 1
{%- endmacro %}
