{#- The figures docs/real-data.md quotes for the Olist marketing funnel dataset (mappings/olist/):
    queries, each ending with ";" at the end of a line, titled by the "--" lines above it.
    Print them with `.venv/bin/python -m pipelines.analyses olist_report`. -#}
-- Conversion by Olist origin: MQLs, won deals, MQL -> won rate
SELECT coalesce(l.original_utm_source, '(empty)')                  AS origin,
       count(*)                                                     AS mqls,
       count(d.deal_id) FILTER (WHERE d.is_won)                     AS won,
       round(count(d.deal_id) FILTER (WHERE d.is_won) / count(*), 4) AS mql_to_won_rate
FROM {{ ref('dim_leads') }} l LEFT JOIN {{ ref('fct_deals') }} d USING (lead_id)
GROUP BY 1 ORDER BY mqls DESC, origin;

-- Conversion by channel (rpt_funnel_conversion, all cohorts)
SELECT original_channel, leads, customers, any_lead_to_customer_rate
FROM {{ ref('rpt_funnel_conversion') }} WHERE grouping_level = 'channel'
ORDER BY leads DESC;

-- Win rate and sales cycle (days from first contact to won)
SELECT count(*)                                                     AS deals,
       count(*) FILTER (WHERE is_won)                               AS won,
       round(count(*) FILTER (WHERE is_won) / count(*) FILTER (WHERE is_closed), 4) AS win_rate_of_closed,
       (SELECT count(*) FROM {{ ref('dim_leads') }})                       AS mqls,
       round(count(*) FILTER (WHERE is_won) / (SELECT count(*) FROM {{ ref('dim_leads') }}), 4) AS mql_to_won_rate,
       median(days_to_close)                                        AS median_days_to_close,
       round(avg(days_to_close), 1)                                 AS avg_days_to_close
FROM {{ ref('fct_deals') }};

-- Declared monthly revenue (BRL) of won deals per origin
SELECT coalesce(l.original_utm_source, '(empty)')                  AS origin,
       count(*)                                                     AS won,
       count(*) FILTER (WHERE d.amount > 0)                         AS won_with_revenue,
       sum(d.amount)                                                AS declared_monthly_revenue_brl,
       median(d.amount) FILTER (WHERE d.amount > 0)                 AS median_when_declared
FROM {{ ref('fct_deals') }} d JOIN {{ ref('dim_leads') }} l USING (lead_id)
GROUP BY 1 ORDER BY declared_monthly_revenue_brl DESC, won DESC;

-- Won deals, cycle and declared monthly revenue (BRL) per business segment (top 10 by deals)
SELECT dimension_value AS business_segment, won_deal_count AS won,
       median_days_to_close_won AS median_days, won_amount AS declared_monthly_revenue_brl
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'business_segment'
ORDER BY won DESC, business_segment LIMIT 10;

-- SDR performance: deals won, cycle, declared monthly revenue (top 10 of 32 SDRs)
SELECT dimension_value AS sdr_id, won_deal_count AS won, median_days_to_close_won AS median_days,
       avg_days_to_close_won AS avg_days, won_amount AS declared_monthly_revenue_brl
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'sdr_id'
ORDER BY won DESC, sdr_id LIMIT 10;

-- SR performance (the deal owner): deals won, cycle, declared monthly revenue (top 10 of 22 SRs)
SELECT dimension_value AS sr_id, won_deal_count AS won, median_days_to_close_won AS median_days,
       avg_days_to_close_won AS avg_days, won_amount AS declared_monthly_revenue_brl
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'owner'
ORDER BY won DESC, sr_id LIMIT 10
