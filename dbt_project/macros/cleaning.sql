{# Cleaning expressions shared by the staging models. Each returns one SQL expression. #}

{# Trimmed text, NULL when empty or a placeholder such as 'n/a' (var placeholder_values). #}
{% macro clean_text(column) -%}
    case
        when {{ leadflow.list_contains(leadflow.list_of_strings(var('placeholder_values')), 'lower(trim(' ~ column ~ '))') }} then null
        else {{ leadflow.regexp_replace('trim(' ~ column ~ ')', '\s+', ' ') }}
    end
{%- endmacro %}

{# Machine-written text (ids, URLs, user agents): trimmed, NULL when empty. #}
{% macro clean_token(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{# A person's name, already cleaned: ALL CAPS or all lower case turned into Title Case. #}
{% macro title_case_name(cleaned) -%}
    case
        when {{ cleaned }} = upper({{ cleaned }}) or {{ cleaned }} = lower({{ cleaned }})
            then {{ leadflow.capitalize_words('lower(' ~ cleaned ~ ')') }}
        else {{ cleaned }}
    end
{%- endmacro %}

{#
    The address as the mailbox owner would recognise it: trimmed (also of <, >, quotes and
    a mailto: prefix) and lower-cased; with var email_strip_plus_tag, "+tag" sub-addresses
    are removed (jane+news@x.com -> jane@x.com). This is the person key.
#}
{% macro normalize_email(column) -%}
    {%- set base = lower_trim_email(column) -%}
    {%- if var('email_strip_plus_tag') -%}
        {{ leadflow.regexp_replace(base, '\+[^@]*@', '@', all=false) }}
    {%- else -%}
        {{ base }}
    {%- endif -%}
{%- endmacro %}

{# Lower-cased and trimmed, without the plus-tag rule: to tell which merge rule applied. #}
{% macro lower_trim_email(column) -%}
    {{ leadflow.regexp_replace(
        'lower(' ~ leadflow.trim_characters(column, "' ' || chr(9) || chr(10) || chr(13) || chr(160) || " ~ leadflow.text_literal('<>"\'')) ~ ')',
        '^mailto:', '', all=false) }}
{%- endmacro %}

{# True when a normalised address is deliverable-looking: one @, a dotted domain, a TLD. #}
{% macro is_valid_email(normalized) -%}
    coalesce(
        {{ leadflow.regexp_full_match(normalized, leadflow.regex("[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")) }},
        false
    )
{%- endmacro %}

{# Each distinct raw e-mail of `relation` once (a query for a CTE): email_raw, email (its
   normalised form) and is_valid_email. Event tables carry millions of rows and far fewer
   addresses: clean each address once and join back on email_raw. #}
{% macro distinct_email_values(relation) -%}
    select email_raw, email, {{ is_valid_email('email') }} as is_valid_email
    from (
        select email as email_raw, {{ normalize_email('email') }} as email
        from (select distinct email from {{ relation }} where email is not null) as distinct_emails
    ) as emails
{%- endmacro %}

{# UTM value: trimmed, lower-cased, '+' and %20 decoded, inner white space collapsed. #}
{% macro clean_utm(column) -%}
    nullif({{ leadflow.regexp_replace('lower(trim(' ~ leadflow.url_decode("replace(" ~ column ~ ", '+', ' ')") ~ '))', '\s+', ' ') }}, '')
{%- endmacro %}

{# Path of a URL (or of a bare path): lower case, no query or fragment, no trailing slash. #}
{% macro url_path(column) -%}
    coalesce(
        nullif({{ leadflow.rtrim_characters('lower(' ~ leadflow.regexp_extract('trim(' ~ column ~ ')', '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1) ~ ')', "'/'") }}, ''),
        case when {{ column }} is not null and trim({{ column }}) <> '' then '/' end
    )
{%- endmacro %}

{# Host of an absolute URL, lower case, without www. and port; NULL for a bare path. #}
{% macro url_host(column) -%}
    nullif({{ leadflow.regexp_replace('lower(' ~ leadflow.regexp_extract('trim(' ~ column ~ ')', '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)', 1) ~ ')', '^www\.', '', all=false) }}, '')
{%- endmacro %}

{# One query-string parameter of a URL, URL-decoded; NULL when absent. #}
{% macro url_param(column, name) -%}
    nullif({{ leadflow.url_decode(leadflow.regexp_extract(column, '[?&]' ~ name ~ '=([^&#]*)', 1)) }}, '')
{%- endmacro %}

{# True when a host is our own site (var own_site_domains) or one of its sub-domains. #}
{% macro is_own_host(host) -%}
    coalesce(
        {%- for domain in var('own_site_domains') %}
        {{ host }} = '{{ domain }}' or {{ leadflow.ends_with(host, "'." ~ domain ~ "'") }}{{ " or" if not loop.last }}
        {%- endfor %}
    , false)
{%- endmacro %}

{# A stable surrogate key: md5 of the '|'-joined text of the given expressions. #}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|', {% for c in columns %}coalesce({{ leadflow.key_text(c) }}, '∅'){{ ", " if not loop.last }}{% endfor %}))
{%- endmacro %}

{# The lead key: md5 of the normalised e-mail address (stable across runs and merges). #}
{% macro lead_id(normalized_email) -%}
    md5({{ normalized_email }})
{%- endmacro %}
