-- The daily report's score histogram: per scoring day, ten fixed bands of the 1-99 score
-- (1-9, 10-19, ..., 90-99; the same every day, so days compare), the leads of each tier
-- per band. Tiers are bands of the score (seed score_tiers), so a band holds one or two
-- tiers.
with scores as (

    select score_date, score, tier
    from {{ ref('stg_ml__lead_scores') }}

),

days as (

    select distinct score_date from scores

),

bins as (

    select days.score_date, steps.k as bin
    from days
    cross join {{ leadflow.series(0, 10, 1, 'steps', 'k') }}

),

scored as (

    select score_date, least({{ leadflow.integer_divide('greatest(score, 0)', '10') }}, 9) as bin, tier
    from scores

)

select
    bins.score_date,
    greatest(bins.bin * 10, 1)                                      as score_from,
    bins.bin * 10 + 9                                               as score_to,
    count(*) filter (where scored.tier = 'A')                       as tier_a,
    count(*) filter (where scored.tier = 'B')                       as tier_b,
    count(*) filter (where scored.tier = 'C')                       as tier_c,
    count(*) filter (where scored.tier = 'D')                       as tier_d,
    count(scored.bin)                                               as leads
from bins
left join scored using (score_date, bin)
group by bins.score_date, bins.bin
