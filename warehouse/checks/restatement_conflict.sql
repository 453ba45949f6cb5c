-- check: restatement_conflict
-- severity: warning
-- finds: the same measure, entity and period stated twice in one article with values that
--        cannot both be true ("14,300" and later "17,800"); "1.03 million" and "1,031,100" agree.
-- why: an article that contradicts itself is wrong at least once. A rounder restatement may
--      be rounded or cut ("96%" for 96.77 %), so both readings are allowed.

with pairs as (
    select
        a.article_id,
        a.figure_id as a_id, b.figure_id as b_id,
        a.surface as a_surface, b.surface as b_surface,
        a.measure, a.entity, a.period,
        a.value_low as a_low, b.value_low as b_low,
        -- a coarser figure may be a truncation: "96%" can stand for 96.77 %
        a.value_high + case when a.precision > b.precision then a.precision / 2 else 0 end as a_high,
        b.value_high + case when b.precision > a.precision then b.precision / 2 else 0 end as b_high
    from relations as r
    join figures as a on a.figure_id = r.to_figure_id
    join figures as b on b.figure_id = r.from_figure_id
    where r.relation = 'restates'
),

final as (
    select
        article_id,
        [a_id, b_id] as figure_ids,
        format(
            '{} is stated as {} and later as {}: the two cannot both be true',
            concat_ws(', ', measure, entity, period), a_surface, b_surface
        ) as message,
        json_object(
            'formula', 'first = second, within printed precision',
            'first_range', [a_low, a_high],
            'second_range', [b_low, b_high],
            'tolerance', 'printed precision; a rounder figure may be rounded or truncated'
        ) as details
    from pairs
    where not nf_overlaps(a_low, a_high, b_low, b_high)
)

select * from final
