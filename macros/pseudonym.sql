{#-
    pseudonym(expression)

    The pseudonym of a personal value (a normalised client IP, an account id):
    HMAC-SHA-256 under the installation's secret, as 64 lowercase hex digits, equal to
    Python's `hmac.new(secret, value.encode('utf-8'), hashlib.sha256).hexdigest()`
    (registry_insights.pseudonyms.pseudonym). Null stays null, so "anonymous" never
    turns into a shared key.

    HMAC(K, m) = SHA256(outer_pad || SHA256(inner_pad || m)), the pads being the secret
    XOR 0x5c / 0x36 (RFC 2104). The pads come from the session, never from SQL text, so
    the secret is in no compiled model, log or table (docs/privacy.md):
    - DuckDB: session variables set by the dbt-duckdb plugin
      registry_insights.pseudonyms.dbt_plugin (profiles.yml `plugins:`);
    - Spark: session configuration `spark.registry_insights.hmac_inner_pad` / `_outer_pad`
      (profiles.yml server_side_parameters), read by Spark's variable substitution.
      Use it in tables only: a Spark view would store the substituted text.
    Without the pads the query fails rather than writing null pseudonyms.
    Two sha256 per row: apply it to the distinct values, then join.
-#}
{% macro pseudonym(expression) %}
    {{ return(adapter.dispatch('pseudonym', 'registry_insights')(expression)) }}
{% endmacro %}


{% macro default__pseudonym(expression) %}
    {{ exceptions.raise_compiler_error(
        "pseudonym has no implementation for the " ~ adapter.type() ~ " adapter: add an "
        ~ adapter.type() ~ "__pseudonym variant in macros/pseudonym.sql that reads the HMAC pads"
        ~ " from the session (see duckdb__ and spark__)."
    ) }}
{% endmacro %}


{% macro duckdb__pseudonym(expression) -%}
    case
        when {{ expression }} is null then null
        when getvariable('registry_insights_hmac_inner_pad') is null
            or getvariable('registry_insights_hmac_outer_pad') is null
            then cast(error(
                'pseudonym: no HMAC pads in this DuckDB session; profiles.yml must list the plugin'
                || ' registry_insights.pseudonyms.dbt_plugin (docs/privacy.md)'
            ) as varchar)
        else sha256(
            unhex(getvariable('registry_insights_hmac_outer_pad'))
            || unhex(sha256(
                unhex(getvariable('registry_insights_hmac_inner_pad'))
                || encode(cast({{ expression }} as varchar))
            ))
        )
    end
{%- endmacro %}


{% macro spark__pseudonym(expression) -%}
    case
        when {{ expression }} is null then null
        when length('${spark.registry_insights.hmac_inner_pad}') <> 128
            or length('${spark.registry_insights.hmac_outer_pad}') <> 128
            then raise_error(
                'pseudonym: no HMAC pads in this Spark session; run dbt through'
                || ' python -m registry_insights.pseudonyms exec (docs/privacy.md)'
            )
        else sha2(
            concat(
                unhex('${spark.registry_insights.hmac_outer_pad}'),
                unhex(sha2(
                    concat(
                        unhex('${spark.registry_insights.hmac_inner_pad}'),
                        encode(cast({{ expression }} as string), 'UTF-8')
                    ),
                    256
                ))
            ),
            256
        )
    end
{%- endmacro %}
