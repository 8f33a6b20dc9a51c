{#- The figures docs/real-data.md quotes for the CRM sales pipeline dataset
    (mappings/crm_pipeline/): queries, each ending with ";" at the end of a line, titled by
    the "--" lines above it. Print them with
    `.venv/bin/python -m pipelines.analyses crm_pipeline_report`. -#}
-- Overall: deals by status, win rate, sales cycle and deal size (won deals, USD)
SELECT count(*)                                                     AS deals,
       count(*) FILTER (WHERE status = 'open')                      AS open,
       count(*) FILTER (WHERE is_won)                               AS won,
       count(*) FILTER (WHERE status = 'lost')                      AS lost,
       round(count(*) FILTER (WHERE is_won) / count(*) FILTER (WHERE is_closed), 4) AS win_rate,
       round(avg(days_to_close) FILTER (WHERE is_won), 1)           AS avg_days_to_win,
       median(days_to_close) FILTER (WHERE is_won)                  AS median_days_to_win,
       round(avg(amount) FILTER (WHERE is_won), 2)                  AS avg_won_deal,
       sum(amount) FILTER (WHERE is_won)                            AS won_revenue
FROM {{ ref('fct_deals') }};

-- By regional office
SELECT dimension_value AS regional_office, won_deal_count AS won, lost_deal_count AS lost,
       win_rate, avg_days_to_close_won AS avg_days_to_win, avg_won_amount AS avg_won_deal,
       won_amount AS won_revenue
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'regional_office' ORDER BY 1;

-- By manager
SELECT dimension_value AS manager, won_deal_count AS won, lost_deal_count AS lost,
       win_rate, avg_days_to_close_won AS avg_days_to_win, avg_won_amount AS avg_won_deal,
       won_amount AS won_revenue
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'manager' ORDER BY 1;

-- By product (GTXPro in the pipeline file is GTX Pro, as in products.csv)
SELECT dimension_value AS product, won_deal_count AS won, lost_deal_count AS lost,
       win_rate, avg_days_to_close_won AS avg_days_to_win, avg_won_amount AS avg_won_deal,
       won_amount AS won_revenue
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'product' ORDER BY 1;

-- By account sector (the typo technolgy read as technology; deals without an account left out)
SELECT dimension_value AS sector, won_deal_count AS won, lost_deal_count AS lost,
       win_rate, avg_days_to_close_won AS avg_days_to_win, avg_won_amount AS avg_won_deal,
       won_amount AS won_revenue
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'sector' ORDER BY 1;

-- By agent (the deal owner, lower-cased by staging), most won first
SELECT dimension_value AS agent, won_deal_count AS won, lost_deal_count AS lost,
       win_rate, avg_days_to_close_won AS avg_days_to_win, avg_won_amount AS avg_won_deal,
       won_amount AS won_revenue
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = 'owner' ORDER BY won DESC, agent
