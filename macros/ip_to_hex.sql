{#-
    ip_to_hex(expression)

    The warehouse's sortable encoding of an IP address: the 32 lowercase hex digits of
    its IPv6 form, an IPv4 address a.b.c.d taken as the IPv4-mapped ::ffff:a.b.c.d. Plain
    string comparison then orders addresses on every engine, so an address can be looked
    up in the reference range tables (range_start_hex, range_end_hex) with `between`.

    Accepts IPv4 dotted quads (no leading zeros, as Python's `ipaddress`), IPv6 in any
    textual form (`::` compression, leading zeros, mixed case, an embedded IPv4 tail such
    as ::ffff:1.2.3.4) and drops a zone suffix (`%eth0`). Surrounding blanks are ignored.
    Null or unparseable input gives null. The result equals
    `registry_insights.reference_data.ip_ranges.encode_ip` (tested with Hypothesis).

    How (DuckDB and Spark; the same steps):
      1. ip   = lower-cased, trimmed text before any `%`;
      2. IPv4 (four octets 0-255) -> '00000000000000000000ffff' + two hex digits per octet;
      3. IPv6: an IPv4 tail `:a.b.c.d` becomes two hex groups; the text is split at `::`
         into a head and a tail of `:`-separated groups; every group must be 1-4 hex
         digits; without `::` there must be 8 groups, with it at most 7, the gap being
         filled with '0000' groups; each group is left-padded to 4 digits.
    Each intermediate value is bound once with a one-element list and a lambda
    (`transform([value], name -> ...)[first]`), so the input expression appears once.
-#}
{% macro ip_to_hex(expression) %}
    {{ return(adapter.dispatch('ip_to_hex', 'registry_insights')(expression)) }}
{% endmacro %}


{#- An IPv4 octet, 0-255 without leading zeros. -#}
{% macro _ip_octet_pattern() -%}
    (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])
{%- endmacro %}

{% macro _ipv4_pattern() -%}
    {{ _ip_octet_pattern() }}([.]{{ _ip_octet_pattern() }}){3}
{%- endmacro %}


{% macro default__ip_to_hex(expression) %}
    {{ exceptions.raise_compiler_error(
        "ip_to_hex has no implementation for the " ~ adapter.type() ~ " adapter: parsing IPv6 text"
        ~ " needs list functions, which no cross-database macro covers. Add a "
        ~ adapter.type() ~ "__ip_to_hex variant in macros/ip_to_hex.sql (see duckdb__ and spark__)."
    ) }}
{% endmacro %}


{% macro duckdb__ip_to_hex(expression) -%}
    list_transform(
        [lower(split_part(trim(cast({{ expression }} as varchar)), '%', 1))],
        ip -> case
            when regexp_full_match(ip, '{{ _ipv4_pattern() }}')
                then '00000000000000000000ffff' || array_to_string(
                    list_transform(string_split(ip, '.'), octet -> printf('%02x', cast(octet as integer))), ''
                )
            when regexp_full_match(ip, '[0-9a-f:]*(:{{ _ipv4_pattern() }})?') and ip like '%:%'
                then list_transform(
                    [regexp_extract(ip, ':({{ _ipv4_pattern() }})$', 1)],
                    ipv4_tail -> list_transform(
                        [
                            case
                                when ipv4_tail = '' then ip
                                else left(ip, length(ip) - length(ipv4_tail)) || array_to_string(
                                    list_transform(
                                        string_split(ipv4_tail, '.'), octet -> printf('%02x', cast(octet as integer))
                                    )[1:2], ''
                                ) || ':' || array_to_string(
                                    list_transform(
                                        string_split(ipv4_tail, '.'), octet -> printf('%02x', cast(octet as integer))
                                    )[3:4], ''
                                )
                            end
                        ],
                        hex_text -> list_transform(
                            [string_split(hex_text, '::')],
                            halves -> list_transform(
                                [
                                    list_transform(
                                        halves,
                                        half -> case when half = '' then [] else string_split(half, ':') end
                                    )
                                ],
                                group_lists -> case
                                    when len(halves) > 2 or hex_text like '%:::%' then null
                                    when not list_bool_and(
                                        list_transform(
                                            flatten(group_lists), hex_group -> regexp_full_match(hex_group, '[0-9a-f]{1,4}')
                                        )
                                    ) then null
                                    when len(halves) = 1 and len(flatten(group_lists)) <> 8 then null
                                    when len(halves) = 2 and len(flatten(group_lists)) > 7 then null
                                    else array_to_string(
                                        list_transform(group_lists[1], hex_group -> lpad(hex_group, 4, '0')), ''
                                    ) || repeat('0000', 8 - len(flatten(group_lists))) || array_to_string(
                                        list_transform(
                                            coalesce(group_lists[2], []), hex_group -> lpad(hex_group, 4, '0')
                                        ), ''
                                    )
                                end
                            )[1]
                        )[1]
                    )[1]
                )[1]
        end
    )[1]
{%- endmacro %}


{% macro spark__ip_to_hex(expression) -%}
    transform(
        array(lower(split(trim(cast({{ expression }} as string)), '%')[0])),
        ip -> case
            when ip rlike '^{{ _ipv4_pattern() }}$'
                then concat(
                    '00000000000000000000ffff',
                    concat_ws('', transform(split(ip, '[.]'), octet -> lpad(lower(hex(cast(octet as int))), 2, '0')))
                )
            when ip rlike '^[0-9a-f:]*(:{{ _ipv4_pattern() }})?$' and instr(ip, ':') > 0
                then transform(
                    array(regexp_extract(ip, ':({{ _ipv4_pattern() }})$', 1)),
                    ipv4_tail -> transform(
                        array(
                            case
                                when ipv4_tail = '' then ip
                                else concat(
                                    substring(ip, 1, length(ip) - length(ipv4_tail)),
                                    concat_ws('', transform(
                                        slice(split(ipv4_tail, '[.]'), 1, 2),
                                        octet -> lpad(lower(hex(cast(octet as int))), 2, '0')
                                    )),
                                    ':',
                                    concat_ws('', transform(
                                        slice(split(ipv4_tail, '[.]'), 3, 2),
                                        octet -> lpad(lower(hex(cast(octet as int))), 2, '0')
                                    ))
                                )
                            end
                        ),
                        hex_text -> transform(
                            array(split(hex_text, '::')),
                            halves -> transform(
                                array(
                                    transform(
                                        halves,
                                        half -> case
                                            when half = '' then cast(array() as array<string>)
                                            else split(half, ':')
                                        end
                                    )
                                ),
                                group_lists -> case
                                    when size(halves) > 2 or instr(hex_text, ':::') > 0 then null
                                    when not forall(flatten(group_lists), hex_group -> hex_group rlike '^[0-9a-f]{1,4}$')
                                        then null
                                    when size(halves) = 1 and size(flatten(group_lists)) <> 8 then null
                                    when size(halves) = 2 and size(flatten(group_lists)) > 7 then null
                                    else concat(
                                        concat_ws('', transform(group_lists[0], hex_group -> lpad(hex_group, 4, '0'))),
                                        repeat('0000', 8 - size(flatten(group_lists))),
                                        concat_ws('', transform(
                                            if(size(group_lists) = 2, group_lists[1], cast(array() as array<string>)),
                                            hex_group -> lpad(hex_group, 4, '0')
                                        ))
                                    )
                                end
                            )[0]
                        )[0]
                    )[0]
                )[0]
        end
    )[0]
{%- endmacro %}
