-- check: share_arithmetic
-- severity: error
-- finds: a part, its whole and its stated share that disagree ("1,250 of the 5,000 households,
--        or 40 percent": 1,250 / 5,000 is 25 %).
-- why: a share is usually computed by the writer; when it does not follow from the two counts
--      beside it, one of the three numbers is wrong.

with shares as (
    -- the percent and its part
    select from_figure_id as share_id, to_figure_id as part_id
    from relations
    where relation = 'share_of' and details ->> 'role' = 'part'
),

wholes as (
    -- the whole: "25 percent of the 5,000" (share -> whole) or "1,250 of the 5,000" (part -> whole)
    select s.share_id, s.part_id, r.to_figure_id as whole_id
    from shares as s
    join relations as r
        on r.relation = 'share_of' and r.details ->> 'role' = 'whole'
       and r.from_figure_id = s.share_id
    union
    select s.share_id, s.part_id, r.to_figure_id as whole_id
    from shares as s
    join relations as r
        on r.relation = 'part_of' and r.from_figure_id = s.part_id
    union
    -- "1,250 of the 5,000 households, or 25 percent": the percent follows the whole
    select s.share_id, r.from_figure_id as part_id, s.part_id as whole_id
    from shares as s
    join relations as r
        on r.relation = 'part_of' and r.to_figure_id = s.part_id
       and r.details ->> 'source' = 'of'
),

computed as (
    select
        p.article_id,
        [p.figure_id, w.figure_id, s.figure_id] as figure_ids,
        p.surface as part_surface, w.surface as whole_surface, s.surface as share_surface,
        s.value_low as s_low, s.value_high as s_high,
        100 * p.value / nullif(w.value, 0) as implied,
        100 * nf_div_lo(p.value_low, p.value_high, w.value_low, w.value_high) as implied_low,
        100 * nf_div_hi(p.value_low, p.value_high, w.value_low, w.value_high) as implied_high
    from wholes as x
    join figures as p on p.figure_id = x.part_id
    join figures as w on w.figure_id = x.whole_id
    join figures as s on s.figure_id = x.share_id
    where p.unit is not distinct from w.unit
),

final as (
    select
        article_id,
        figure_ids,
        format(
            '{} / {} = {} %, but the text says {}: no rounding of the printed numbers makes them agree',
            part_surface, whole_surface, nf_num(implied), share_surface
        ) as message,
        json_object(
            'formula', 'share = part / whole * 100',
            'implied', implied,
            'implied_range', [implied_low, implied_high],
            'stated_range', [s_low, s_high],
            'tolerance', 'printed precision of each figure'
        ) as details
    from computed
    where not nf_overlaps(s_low, s_high, implied_low, implied_high)
)

select * from final
