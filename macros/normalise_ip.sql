{#-
    normalise_ip(expression)

    One spelling per IP address, so that one client has one key: the text Python's
    `str(ipaddress.ip_address(text))` gives, with an IPv4-mapped IPv6 address
    (::ffff:a.b.c.d in any spelling) written as the IPv4 address a.b.c.d.
      - IPv4: dotted quad, as given (octets without leading zeros, as `ipaddress`);
      - IPv6: RFC 5952: lowercase, leading zeros of each group dropped, the longest run
        of two or more zero groups written `::` (the first on ties), no embedded IPv4 tail
        (`::1.2.3.4` is `::102:304`, as `ipaddress` writes it).
    Surrounding blanks and a zone suffix (`%eth0`) are dropped; text that is not an IP
    address (what ip_to_hex cannot parse) gives null, and so does null.

    Parsing is ip_to_hex's; the canonical text is written from its 32 hex digits. On
    DuckDB, text already canonical (a dotted quad; IPv6 as RFC 5952 writes it, which
    two regular expressions recognise) is kept without that work: staging is a view,
    so this runs on every read (it halved the view's added cost on the test data).
    tests/pytest/privacy/test_ip_normalisation.py proves the DuckDB variant equal to
    `ipaddress` on random addresses in every spelling.
-#}
{% macro normalise_ip(expression) %}
    {{ return(adapter.dispatch('normalise_ip', 'registry_insights')(expression)) }}
{% endmacro %}


{#- The runs of zero groups `::` may replace, longest first, as `:`-delimited text. -#}
{% macro _zero_group_runs() -%}
    {%- set runs = [] -%}
    {%- for length in range(8, 1, -1) -%}
        {%- do runs.append(':' ~ (['0'] * length) | join(':') ~ ':') -%}
    {%- endfor -%}
    {{ return(runs) }}
{%- endmacro %}


{% macro default__normalise_ip(expression) %}
    {{ exceptions.raise_compiler_error(
        "normalise_ip has no implementation for the " ~ adapter.type() ~ " adapter: add an "
        ~ adapter.type() ~ "__normalise_ip variant in macros/normalise_ip.sql (see duckdb__ and spark__)."
    ) }}
{% endmacro %}


{% macro duckdb__normalise_ip(expression) -%}
    {#- canonical IPv6 groups: lowercase, no leading zero (`0` itself), or not zero -#}
    {%- set _hex_group = '(0|[1-9a-f][0-9a-f]{0,3})' -%}
    {%- set _nonzero_group = '[1-9a-f][0-9a-f]{0,3}' -%}
    list_transform(
        [trim(cast({{ expression }} as varchar))],
        ip_text -> case
            when regexp_full_match(ip_text, '{{ _ipv4_pattern() }}') then ip_text
            -- already canonical IPv6, kept as is: eight groups, no run of two zero groups ...
            when regexp_full_match(ip_text, '{{ _hex_group }}(:{{ _hex_group }}){7}')
                and not regexp_matches(ip_text, '(^|:)0:0(:|$)')
                then ip_text
            -- ... or one `::` for two or more groups, no other zero group, not IPv4-mapped
            when regexp_full_match(ip_text, '({{ _nonzero_group }}(:{{ _nonzero_group }})*)?::({{ _nonzero_group }}(:{{ _nonzero_group }})*)?')
                and not regexp_matches(ip_text, '([0-9a-f]+:+){6}[0-9a-f]')
                and not regexp_full_match(ip_text, '::ffff:[0-9a-f]+:[0-9a-f]+')
                then ip_text
            else list_transform(
                [{{ ip_to_hex('ip_text') }}],
                ip_hex -> case
                    when ip_hex is null then null
                    when ip_hex like '00000000000000000000ffff%'
                        then array_to_string(
                            list_transform(
                                [25, 27, 29, 31], octet_start -> cast(cast(('0x' || substr(ip_hex, octet_start, 2)) as integer) as varchar)
                            ), '.'
                        )
                    else list_transform(
                        -- the eight groups without leading zeros, between colons: ':2001:db8:0:0:1:0:0:1:'
                        [':' || array_to_string(
                            list_transform(
                                range(0, 8), group_index -> coalesce(nullif(ltrim(substr(ip_hex, group_index * 4 + 1, 4), '0'), ''), '0')
                            ), ':'
                        ) || ':'],
                        delimited -> list_transform(
                            [
                                case
                                    {%- for run in _zero_group_runs() %}
                                    when contains(delimited, '{{ run }}') then '{{ run }}'
                                    {%- endfor %}
                                end
                            ],
                            zero_run -> case
                                when zero_run is null then substr(delimited, 2, length(delimited) - 2)
                                else list_transform(
                                    [
                                        substr(delimited, 1, position(zero_run in delimited) - 1) || '::'
                                        || substr(delimited, position(zero_run in delimited) + length(zero_run))
                                    ],
                                    compressed -> list_transform(
                                        [case when compressed like '::%' then compressed else substr(compressed, 2) end],
                                        head_trimmed -> case
                                            when head_trimmed like '%::' then head_trimmed
                                            else substr(head_trimmed, 1, length(head_trimmed) - 1)
                                        end
                                    )[1]
                                )[1]
                            end
                        )[1]
                    )[1]
                end
            )[1]
        end
    )[1]
{%- endmacro %}


{% macro spark__normalise_ip(expression) -%}
    transform(
        array(trim(cast({{ expression }} as string))),
        ip_text -> case
            when ip_text rlike '^{{ _ipv4_pattern() }}$' then ip_text
            else transform(
                array({{ ip_to_hex('ip_text') }}),
                ip_hex -> case
                    when ip_hex is null then null
                    when ip_hex like '00000000000000000000ffff%'
                        then concat_ws(
                            '.',
                            transform(array(25, 27, 29, 31), octet_start -> conv(substr(ip_hex, octet_start, 2), 16, 10))
                        )
                    else transform(
                        array(concat(':', concat_ws(
                            ':',
                            transform(
                                sequence(0, 7),
                                group_index -> coalesce(
                                    nullif(trim(leading '0' from substr(ip_hex, group_index * 4 + 1, 4)), ''), '0'
                                )
                            )
                        ), ':')),
                        delimited -> transform(
                            array(
                                case
                                    {%- for run in _zero_group_runs() %}
                                    when instr(delimited, '{{ run }}') > 0 then '{{ run }}'
                                    {%- endfor %}
                                end
                            ),
                            zero_run -> case
                                when zero_run is null then substr(delimited, 2, length(delimited) - 2)
                                else transform(
                                    array(concat(
                                        substr(delimited, 1, instr(delimited, zero_run) - 1),
                                        '::',
                                        substr(delimited, instr(delimited, zero_run) + length(zero_run))
                                    )),
                                    compressed -> transform(
                                        array(case when compressed like '::%' then compressed else substr(compressed, 2) end),
                                        head_trimmed -> case
                                            when head_trimmed like '%::' then head_trimmed
                                            else substr(head_trimmed, 1, length(head_trimmed) - 1)
                                        end
                                    )[0]
                                )[0]
                            end
                        )[0]
                    )[0]
                end
            )[0]
        end
    )[0]
{%- endmacro %}
