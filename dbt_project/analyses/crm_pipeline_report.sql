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

{#- the deals by one attribute of rpt_deals_by_attribute: (dimension, column name, title,
    order) -#}
{%- set by_attribute = [
    ('regional_office', 'regional_office', 'By regional office', '1'),
    ('manager', 'manager', 'By manager', '1'),
    ('product', 'product',
     'By product (GTXPro in the pipeline file is GTX Pro, as in products.csv)', '1'),
    ('sector', 'sector', 'By account sector (the typo technolgy read as technology; '
                         ~ 'deals without an account left out)', '1'),
    ('owner', 'agent',
     'By agent (the deal owner, lower-cased by staging), most won first', 'won DESC, agent'),
] %}
{%- for dimension, name, title, order in by_attribute %}

-- {{ title }}
SELECT dimension_value AS {{ name }}, won_deal_count AS won, lost_deal_count AS lost,
       win_rate, avg_days_to_close_won AS avg_days_to_win, avg_won_amount AS avg_won_deal,
       won_amount AS won_revenue
FROM {{ ref('rpt_deals_by_attribute') }} WHERE dimension = '{{ dimension }}' ORDER BY {{ order }}
{%- if not loop.last %};{% endif %}
{%- endfor %}
