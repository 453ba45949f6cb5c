-- check: parts_sum
-- severity: error
-- finds: a stated total whose listed parts add up to something else: more than the total
--        after "including" / "of which", or anything but the total after "comprising",
--        "made up of", "divided into" or a colon.
-- why: a breakdown that does not add up means a part or the total was mistyped, or a part
--      is counted twice; "including" lists may leave parts out, so only an excess is flagged.
--      Parts must be listed close together and each be smaller than the total, so a recipe,
--      a score or model numbers after a colon are not taken for a breakdown.

with breakdowns as (
    select
        r.to_figure_id as total_id,
        bool_or(cast(r.details ->> 'exhaustive' as boolean)) as exhaustive,
        any_value(r.details ->> 'words') as words,
        list(r.from_figure_id order by p.start_char) as part_ids,
        string_agg(p.surface, ' + ' order by p.start_char) as parts_text,
        sum(p.value) as parts_sum,
        sum(p.value_low) as parts_low,
        sum(p.value_high) as parts_high
    from relations as r
    join figures as p on p.figure_id = r.from_figure_id
    where r.relation = 'part_of' and r.details ->> 'source' = 'breakdown'
    group by r.to_figure_id
),

final as (
    select
        t.article_id,
        list_prepend(t.figure_id, b.part_ids) as figure_ids,
        case
            when b.parts_low > t.value_high
                then format('the parts {} add up to {}, more than the total {}',
                            b.parts_text, nf_num(b.parts_sum), t.surface)
            else format('the parts {} add up to {}, not the total {} that "{}" announces',
                        b.parts_text, nf_num(b.parts_sum), t.surface, b.words)
        end as message,
        json_object(
            'formula', 'sum of the parts = total',
            'implied', b.parts_sum,
            'implied_range', [b.parts_low, b.parts_high],
            'stated_range', [t.value_low, t.value_high],
            'exhaustive', b.exhaustive,
            'tolerance', 'printed precision of each figure'
        ) as details
    from breakdowns as b
    join figures as t on t.figure_id = b.total_id
    where b.parts_low > t.value_high + 1e-9 * abs(nf_fin(t.value_high))
       or (
           b.exhaustive
           and not nf_overlaps(b.parts_low, b.parts_high, t.value_low, t.value_high)
           -- parts adding up to less than half the total were misread as a breakdown
           -- ("five 787 Dreamliners: two to ..., three to ..."), not misprinted
           and b.parts_sum >= t.value / 2
       )
)

select * from final
