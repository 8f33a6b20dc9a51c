{#
    Text and regular expressions that DuckDB and Spark spell differently (docs: _portable.yml).
    A regular expression written in a model is given as its plain text (a quote as itself,
    no SQL escaping) to the macros below: Spark reads backslashes in a string literal as
    escapes ('\s' is 's'), so there it becomes a raw literal r"...". Both engines' regular
    expressions are close (RE2 and Java) for the patterns used here: classes, anchors,
    groups, quantifiers.
#}

{# A string literal of `text`: '' doubles a quote on DuckDB; Spark escapes it with \. #}
{% macro text_literal(text) -%}
    {{ return(adapter.dispatch('text_literal', 'leadflow')(text)) }}
{%- endmacro %}
{% macro default__text_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
{% macro spark__text_literal(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{# A regular expression literal. #}
{% macro regex(pattern) -%}
    {{ return(adapter.dispatch('regex', 'leadflow')(pattern)) }}
{%- endmacro %}
{% macro default__regex(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}
{% macro spark__regex(pattern) -%}
    {%- if '"' in pattern -%}
        {{ exceptions.raise_compiler_error('leadflow.regex: a pattern with a double quote cannot be a Spark raw literal: ' ~ pattern) }}
    {%- endif -%}
    r"{{ pattern }}"
{%- endmacro %}

{# True when the regular expression `pattern` (a SQL expression: a column or leadflow.regex)
   matches the whole of `value`; NULL when either is NULL. #}
{% macro regexp_full_match(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'leadflow')(value, pattern)) }}
{%- endmacro %}
{% macro default__regexp_full_match(value, pattern) -%}
    regexp_full_match({{ value }}, {{ pattern }})
{%- endmacro %}
{% macro spark__regexp_full_match(value, pattern) -%}
    ({{ value }} rlike concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}

{# True when `pattern` (a SQL expression) matches somewhere in `value`. #}
{% macro regexp_matches(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches', 'leadflow')(value, pattern)) }}
{%- endmacro %}
{% macro default__regexp_matches(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }})
{%- endmacro %}
{% macro spark__regexp_matches(value, pattern) -%}
    ({{ value }} rlike {{ pattern }})
{%- endmacro %}

{# `value` with the matches of the regular expression `pattern` (plain text) replaced by
   `replacement` (plain text, no group references): every match, or with all=false the
   first one only (DuckDB's default; Spark replaces every match, so the first is found as
   the shortest prefix followed by a match). #}
{% macro regexp_replace(value, pattern, replacement, all=true) -%}
    {{ return(adapter.dispatch('regexp_replace', 'leadflow')(value, pattern, replacement, all)) }}
{%- endmacro %}
{% macro default__regexp_replace(value, pattern, replacement, all=true) -%}
    regexp_replace({{ value }}, {{ leadflow.regex(pattern) }}, {{ leadflow.text_literal(replacement) }}{{ ", 'g'" if all }})
{%- endmacro %}
{% macro spark__regexp_replace(value, pattern, replacement, all=true) -%}
    {%- if all -%}
        regexp_replace({{ value }}, {{ leadflow.regex(pattern) }}, {{ leadflow.text_literal(replacement) }})
    {%- else -%}
        regexp_replace({{ value }}, {{ leadflow.regex('(?s)^(.*?)(?:' ~ pattern ~ ')') }}, {{ leadflow.text_literal('$1' ~ replacement) }})
    {%- endif -%}
{%- endmacro %}

{# The text of capture group `group` of the first match of `pattern` (plain text) in
   `value`; '' when it does not match (on both engines). #}
{% macro regexp_extract(value, pattern, group=0) -%}
    regexp_extract({{ value }}, {{ leadflow.regex(pattern) }}, {{ group }})
{%- endmacro %}

{# `value` without the characters of `characters` (a SQL string) at either end. #}
{% macro trim_characters(value, characters) -%}
    {{ return(adapter.dispatch('trim_characters', 'leadflow')(value, characters)) }}
{%- endmacro %}
{% macro default__trim_characters(value, characters) -%}
    trim({{ value }}, {{ characters }})
{%- endmacro %}
{% macro spark__trim_characters(value, characters) -%}
    btrim({{ value }}, {{ characters }})
{%- endmacro %}

{# `value` without the characters of `characters` (a SQL string) at its end. #}
{% macro rtrim_characters(value, characters) -%}
    {{ return(adapter.dispatch('rtrim_characters', 'leadflow')(value, characters)) }}
{%- endmacro %}
{% macro default__rtrim_characters(value, characters) -%}
    rtrim({{ value }}, {{ characters }})
{%- endmacro %}
{% macro spark__rtrim_characters(value, characters) -%}
    trim(trailing {{ characters }} from {{ value }})
{%- endmacro %}

{# True when `value` ends with `suffix`. #}
{% macro ends_with(value, suffix) -%}
    {{ return(adapter.dispatch('ends_with', 'leadflow')(value, suffix)) }}
{%- endmacro %}
{% macro default__ends_with(value, suffix) -%}
    ends_with({{ value }}, {{ suffix }})
{%- endmacro %}
{% macro spark__ends_with(value, suffix) -%}
    endswith({{ value }}, {{ suffix }})
{%- endmacro %}

{# URL-decoded text (%xx and, on DuckDB, nothing else). A malformed escape leaves the text
   as it was on Spark (whose url_decode fails on one). #}
{% macro url_decode(value) -%}
    {{ return(adapter.dispatch('url_decode', 'leadflow')(value)) }}
{%- endmacro %}
{% macro default__url_decode(value) -%}
    url_decode({{ value }})
{%- endmacro %}
{% macro spark__url_decode(value) -%}
    coalesce(try_url_decode({{ value }}), {{ value }})
{%- endmacro %}

{# Text without accents: "España" -> "Espana". Spark has no such function: there the
   accented letters of the Latin-1 and Latin Extended-A blocks are mapped one by one. #}
{% macro strip_accents(value) -%}
    {{ return(adapter.dispatch('strip_accents', 'leadflow')(value)) }}
{%- endmacro %}
{% macro default__strip_accents(value) -%}
    strip_accents({{ value }})
{%- endmacro %}
{% macro spark__strip_accents(value) -%}
    translate({{ value }},
        'ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥÌÍÎÏìíîïĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľÑñŃńŅņŇňÒÓÔÕÖòóôõöŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŶŷŸŹźŻżŽž',
        'AAAAAAaaaaaaAaAaAaCcCcCcCcCcDdEEEEeeeeEeEeEeEeEeGgGgGgGgHhIIIIiiiiIiIiIiIiIJjKkLlLlLlNnNnNnNnOOOOOoooooOoOoOoRrRrRrSsSsSsSsTtTtUUUUuuuuUuUuUuUuUuUuWwYyyYyYZzZzZz')
{%- endmacro %}

{# Each word (split at single spaces) with its first letter upper case, the rest as is. #}
{% macro capitalize_words(value) -%}
    {{ return(adapter.dispatch('capitalize_words', 'leadflow')(value)) }}
{%- endmacro %}
{% macro default__capitalize_words(value) -%}
    list_aggregate(
                list_transform(
                    string_split({{ value }}, ' '),
                    lambda w: upper(left(w, 1)) || substr(w, 2)
                ),
                'string_agg', ' '
            )
{%- endmacro %}
{% macro spark__capitalize_words(value) -%}
    array_join(transform(split({{ value }}, ' '), w -> upper(left(w, 1)) || substr(w, 2)), ' ')
{%- endmacro %}
