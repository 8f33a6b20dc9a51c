-- Floor of stg_forms__submissions: the same rows from raw.forms in one plain DuckDB query.
-- The first loaded copy of a re-sent submission_id kept by a window over the key; each
-- column cleaned in one pass over the kept rows; the channel, the country and the landing
-- page's category looked up once per distinct value (forms carry no referrer).
with kept as (

    select *
    from raw.forms
    qualify row_number() over (partition by trim(submission_id)
                               order by _loaded_at, _file_id, _row_number) = 1

),

cleaned as (

    select
        trim(submission_id) as submission_id,
        submitted_at,
        email as email_raw,
        regexp_replace(regexp_replace(lower(trim(email, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || '<>"''')), '^mailto:', ''), '\+[^@]*@', '@') as email,
        lower(trim(form_id)) as form_id,
        case when lower(trim(first_name)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else regexp_replace(trim(first_name), '\s+', ' ', 'g') end as first_name,
        case when lower(trim(last_name)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else regexp_replace(trim(last_name), '\s+', ' ', 'g') end as last_name,
        case when lower(trim(company)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else regexp_replace(trim(company), '\s+', ' ', 'g') end as company_name,
        case when lower(trim(job_title)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else regexp_replace(trim(job_title), '\s+', ' ', 'g') end as job_title,
        case when lower(trim(phone)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else regexp_replace(trim(phone), '\s+', ' ', 'g') end as phone,
        case when lower(trim(country)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else regexp_replace(trim(country), '\s+', ' ', 'g') end as country_raw,
        case when lower(trim(product_interest)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else regexp_replace(trim(product_interest), '\s+', ' ', 'g') end as product_interest,
        coalesce(nullif(regexp_replace(lower(trim(url_decode(replace(utm_source, '+', ' ')))), '\s+', ' ', 'g'), ''),
                 nullif(regexp_replace(lower(trim(url_decode(replace(nullif(url_decode(regexp_extract(landing_page, '[?&]utm_source=([^&#]*)', 1)), ''), '+', ' ')))), '\s+', ' ', 'g'), '')) as utm_source,
        coalesce(nullif(regexp_replace(lower(trim(url_decode(replace(utm_medium, '+', ' ')))), '\s+', ' ', 'g'), ''),
                 nullif(regexp_replace(lower(trim(url_decode(replace(nullif(url_decode(regexp_extract(landing_page, '[?&]utm_medium=([^&#]*)', 1)), ''), '+', ' ')))), '\s+', ' ', 'g'), '')) as utm_medium,
        coalesce(nullif(regexp_replace(lower(trim(url_decode(replace(utm_campaign, '+', ' ')))), '\s+', ' ', 'g'), ''),
                 nullif(regexp_replace(lower(trim(url_decode(replace(nullif(url_decode(regexp_extract(landing_page, '[?&]utm_campaign=([^&#]*)', 1)), ''), '+', ' ')))), '\s+', ' ', 'g'), '')) as utm_campaign,
        nullif(trim(landing_page), '') as landing_page_url,
        case when nullif(trim(landing_page), '') is not null then
            coalesce(nullif(rtrim(lower(regexp_extract(trim(landing_page), '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1)), '/'), ''), '/')
        end as landing_page_path,
        consent_marketing as has_marketing_consent,
        case when lower(trim(anonymous_id)) in ('', '-', '--', '.', 'n/a', 'na', 'none', 'null', 'nil', 'unknown', 'test', 'xxx', '?') then null
             else lower(regexp_replace(trim(anonymous_id), '\s+', ' ', 'g')) end as anonymous_id,
        _file_id, _row_number, _loaded_at
    from kept

),

channels as (

    select c.utm_source, c.utm_medium, arg_min(r.channel, r.priority) as channel, min(r.priority) as channel_rule
    from (select distinct utm_source, utm_medium from cleaned) as c
    join seeds.channel_mapping as r
      on (coalesce(r.utm_source_pattern, '') = '' or (r.utm_source_pattern = '(none)' and c.utm_source is null)
          or (r.utm_source_pattern <> '(none)' and regexp_full_match(c.utm_source, r.utm_source_pattern)))
     and (coalesce(r.utm_medium_pattern, '') = '' or (r.utm_medium_pattern = '(none)' and c.utm_medium is null)
          or (r.utm_medium_pattern <> '(none)' and regexp_full_match(c.utm_medium, r.utm_medium_pattern)))
     and (coalesce(r.referrer_host_pattern, '') = '' or r.referrer_host_pattern = '(none)')
    group by c.utm_source, c.utm_medium

),

countries as (

    select distinct v.country_raw, a.country_code
    from (select distinct country_raw from cleaned where country_raw is not null) as v
    join seeds.country_aliases as a
      on trim(regexp_replace(regexp_replace(strip_accents(lower(v.country_raw)), '[.,()]', '', 'g'), '\s+', ' ', 'g')) = a.alias

),

pages as (

    select p.landing_page_path, arg_min(r.page_category, r.priority) as page_category
    from (select distinct landing_page_path from cleaned where landing_page_path is not null) as p
    join seeds.page_categories as r on regexp_full_match(p.landing_page_path, r.path_pattern)
    group by p.landing_page_path
)
select
    f.submission_id, f.submitted_at, f.email_raw, f.email,
    coalesce(regexp_full_match(f.email, '[a-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}'), false) as is_valid_email,
    f.form_id,
    case when f.first_name = upper(f.first_name) or f.first_name = lower(f.first_name)
         then list_aggregate(list_transform(string_split(lower(f.first_name), ' '), lambda w: upper(left(w, 1)) || substr(w, 2)), 'string_agg', ' ')
         else f.first_name end as first_name,
    case when f.last_name = upper(f.last_name) or f.last_name = lower(f.last_name)
         then list_aggregate(list_transform(string_split(lower(f.last_name), ' '), lambda w: upper(left(w, 1)) || substr(w, 2)), 'string_agg', ' ')
         else f.last_name end as last_name,
    f.company_name, f.job_title, f.phone, f.country_raw, co.country_code, f.product_interest,
    f.utm_source, f.utm_medium, f.utm_campaign, ch.channel, ch.channel_rule,
    f.landing_page_url, f.landing_page_path, pg.page_category as landing_page_category,
    f.has_marketing_consent, cast(null as varchar) as consent_legal_basis, f.anonymous_id,
    f._file_id, f._row_number, f._loaded_at
from cleaned as f
left join channels as ch on f.utm_source is not distinct from ch.utm_source and f.utm_medium is not distinct from ch.utm_medium
left join countries as co on f.country_raw = co.country_raw
left join pages as pg on f.landing_page_path = pg.landing_page_path
