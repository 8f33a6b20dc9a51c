-- The daily report's score histogram: per scoring day, ten equal-width bands over the
-- day's range of scores (the 1-99 score is a probability in percent: with a low base
-- rate most leads sit in the bottom tenth of 0-100), the leads of each tier per band.
with scores as (

    select score_date, score, tier
    from {{ ref('stg_ml__lead_scores') }}

),

widths as (

    select score_date, greatest(1, ceil((max(score) + 1) / 10.0))::integer as width
    from scores
    group by score_date

),

bins as (

    select widths.score_date, steps.range * widths.width as score_from, widths.width
    from widths
    cross join range(10) as steps
    where steps.range * widths.width <= 100

),

scored as (

    select scores.score_date, least(scores.score // widths.width, 9) * widths.width as score_from,
           scores.tier
    from scores
    inner join widths using (score_date)

)

select
    bins.score_date,
    bins.score_from,
    least(bins.score_from + bins.width - 1, 100)                    as score_to,
    count(*) filter (where scored.tier = 'A')                       as tier_a,
    count(*) filter (where scored.tier = 'B')                       as tier_b,
    count(*) filter (where scored.tier = 'C')                       as tier_c,
    count(*) filter (where scored.tier = 'D')                       as tier_d,
    count(scored.score_from)                                        as leads
from bins
left join scored using (score_date, score_from)
group by bins.score_date, bins.score_from, bins.width
