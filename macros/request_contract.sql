{#-
    The raw-data contract of a request row: which rule it breaks first, if any.

    request_reference_check(reference): how the reference reads, `digest`,
    `malformed_digest` (has a colon but is no sha256 digest), `tag` or `malformed_tag`.

    request_quarantine_reason(client_ip, reference_check): the first contract rule the
    row breaks (`missing_<column>`, `unknown_http_method`, ..., `future_timestamp`), null
    when the row is valid. It reads the row's columns by name, as
    base_registry__requests types and normalises them (`http_method` upper-cased,
    `object_type` lower-cased, `client_ip_text` the address as given, `taken_in_at` when
    its file was taken in); `client_ip` and `reference_check` are expressions for the
    normalised address (normalise_ip) and for request_reference_check, so that a model
    that has them already computes neither twice.

    The one home of these rules: base_registry__requests checks every row with them, and
    ops_request_redeliveries checks the few candidate copies of repeated events after
    picking them out (computing the checks of every raw row first was half its time).
-#}

{#- Contract patterns, as SQL string literals for regex_full_match. -#}
{%- macro _request_digest_pattern() -%}'sha256:[0-9a-f]{64}'{%- endmacro -%}
{%- macro _request_tag_pattern() -%}'[A-Za-z0-9_][A-Za-z0-9._-]{0,127}'{%- endmacro -%}
{%- macro _request_repository_pattern() -%}
    {%- set name_component = '[a-z0-9]+(([.]|_|__|-+)[a-z0-9]+)*' -%}
    '{{ name_component }}(/{{ name_component }})+'
{%- endmacro -%}


{% macro request_reference_check(reference) -%}
    case
        when {{ regex_full_match(reference, _request_digest_pattern()) }} then 'digest'
        when {{ reference }} like '%:%' then 'malformed_digest'
        when {{ regex_full_match(reference, _request_tag_pattern()) }} then 'tag'
        else 'malformed_tag'
    end
{%- endmacro %}


{% macro request_quarantine_reason(client_ip, reference_check) -%}
    case
        when event_id is null then 'missing_event_id'
        when occurred_at is null then 'missing_occurred_at'
        when http_method is null then 'missing_http_method'
        when object_type is null then 'missing_object_type'
        when repository is null then 'missing_repository'
        when reference is null then 'missing_reference'
        when status_code is null then 'missing_status_code'
        when client_ip_text is null then 'missing_client_ip'
        when http_method not in ('GET', 'HEAD') then 'unknown_http_method'
        when object_type not in ('manifest', 'blob') then 'unknown_object_type'
        when not {{ regex_full_match('repository', _request_repository_pattern()) }}
            then 'malformed_repository'
        when {{ reference_check }} = 'malformed_digest' then 'malformed_digest'
        when {{ reference_check }} = 'malformed_tag' then 'malformed_tag'
        when object_type = 'blob' and {{ reference_check }} <> 'digest' then 'blob_not_by_digest'
        when response_digest is not null
            and not {{ regex_full_match('response_digest', _request_digest_pattern()) }}
            then 'malformed_response_digest'
        when status_code < 100 or status_code > 599 then 'invalid_status_code'
        when response_bytes < 0 then 'negative_response_bytes'
        when {{ client_ip }} is null then 'malformed_client_ip'
        when occurred_at > taken_in_at then 'future_timestamp'
    end
{%- endmacro %}
