-- One row per person and fit attribute that has a value: the attributes the fit rules of
-- seed scoring_rules match on (attribute, attribute_value as text, lower case).
with leads as (

    select * from {{ ref('int_leads_enriched') }}

),

unpivoted as (

    select lead_id, 'seniority' as attribute, seniority as attribute_value from leads
    union all select lead_id, 'department', department from leads
    union all select lead_id, 'is_free_email', cast(is_free_email as {{ leadflow.type_text() }}) from leads
    union all select lead_id, 'country_code', country_code from leads
    union all select lead_id, 'region', region from leads
    union all select lead_id, 'product_interest', product_interest from leads
    union all select lead_id, 'has_product_interest', cast(product_interest is not null as {{ leadflow.type_text() }}) from leads
    union all select lead_id, 'has_company', cast(company_domain is not null as {{ leadflow.type_text() }}) from leads

)

select
    lead_id,
    attribute,
    lower(attribute_value)                                          as attribute_value
from unpivoted
where attribute_value is not null
