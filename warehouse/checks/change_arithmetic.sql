-- check: change_arithmetic
-- severity: error
-- finds: a level, its change and its growth rate that disagree ("12.4 million, up 1.1 million
--        or 15 percent": 1.1 / 11.3 is 9.7 %); levels "from A to B" with a stated change that
--        is not B - A; a verb that contradicts the change ("fell to 12.4 million, up 300,000").
-- why: a growth rate that does not follow from the numbers beside it means one of them is
--      wrong (often the base year or a dropped digit); readers repeat the rate, not the sum.

with links as (
    select r.from_figure_id as change_id, r.to_figure_id as level_id,
           r.details ->> 'mode' as mode,
           r.details ->> 'level_direction' as level_direction,
           r.details ->> 'level_words' as level_words
    from relations as r
    where r.relation = 'change_of'
),

-- a level with both an absolute change and a growth rate: rate = change / (level - change)
rate_vs_change as (
    select
        l.article_id,
        [l.figure_id, c.figure_id, r.figure_id] as figure_ids,
        l.surface as level_surface, c.surface as change_surface, r.surface as rate_surface,
        -- the level before the change: level - change
        l.value_low - c.value_high as prior_low,
        l.value_high - c.value_low as prior_high,
        c.value_low as c_low, c.value_high as c_high,
        r.value_low as r_low, r.value_high as r_high,
        c.value / (l.value - c.value) * 100 as implied
    from links as a
    join links as b on b.level_id = a.level_id and b.mode = 'relative'
    join figures as l on l.figure_id = a.level_id
    join figures as c on c.figure_id = a.change_id
    join figures as r on r.figure_id = b.change_id
    where a.mode = 'absolute' and l.value <> c.value
),

rate_vs_change_flags as (
    select
        article_id,
        figure_ids,
        format(
            '{} / ({} - {}) = {} %, but the text says {}: no rounding of the printed numbers makes them agree',
            change_surface, level_surface, change_surface, nf_num(implied), rate_surface
        ) as message,
        json_object(
            'formula', 'rate = change / (level - change) * 100',
            'implied', implied,
            'implied_range', [100 * nf_div_lo(c_low, c_high, prior_low, prior_high),
                              100 * nf_div_hi(c_low, c_high, prior_low, prior_high)],
            'stated_range', [r_low, r_high],
            'tolerance', 'printed precision of each figure'
        ) as details
    from rate_vs_change
    where not nf_overlaps(
        r_low, r_high,
        100 * nf_div_lo(c_low, c_high, prior_low, prior_high),
        100 * nf_div_hi(c_low, c_high, prior_low, prior_high)
    )
),

-- "from A to B" and a change in that sentence: B - A (absolute) or (B - A) / A (relative)
from_to as (
    select
        a.article_id,
        [a.figure_id, b.figure_id, c.figure_id] as figure_ids,
        a.surface as a_surface, b.surface as b_surface, c.surface as c_surface,
        l.mode,
        b.value_low - a.value_high as diff_low,
        b.value_high - a.value_low as diff_high,
        a.value_low as a_low, a.value_high as a_high,
        c.value_low as c_low, c.value_high as c_high,
        b.value - a.value as diff,
        (b.value - a.value) / nullif(a.value, 0) * 100 as pct
    from relations as ft
    join figures as a on a.figure_id = ft.from_figure_id
    join figures as b on b.figure_id = ft.to_figure_id
    join links as l on l.level_id in (ft.from_figure_id, ft.to_figure_id)
    join figures as c on c.figure_id = l.change_id
    where ft.relation = 'from_to' and l.mode in ('absolute', 'relative')
),

from_to_flags as (
    select
        article_id,
        figure_ids,
        case mode
            when 'absolute' then format(
                'from {} to {} is a change of {}, but the text says {}',
                a_surface, b_surface, nf_num(diff), c_surface)
            else format(
                'from {} to {} is a change of {} %, but the text says {}',
                a_surface, b_surface, nf_num(pct), c_surface)
        end as message,
        json_object(
            'formula', case mode when 'absolute' then 'change = B - A'
                                 else 'rate = (B - A) / A * 100' end,
            'implied', case mode when 'absolute' then diff else pct end,
            'stated_range', [c_low, c_high],
            'tolerance', 'printed precision of each figure'
        ) as details
    from from_to
    where case mode
        when 'absolute' then not nf_overlaps(c_low, c_high, diff_low, diff_high)
        else not nf_overlaps(
            c_low, c_high,
            100 * nf_div_lo(diff_low, diff_high, a_low, a_high),
            100 * nf_div_hi(diff_low, diff_high, a_low, a_high))
    end
),

-- "fell to 12.4 million, up 300,000": the verb before the level and the change disagree
direction_flags as (
    select
        l.article_id,
        [l.figure_id, c.figure_id] as figure_ids,
        format(
            '''{} to {}'' says the level went {}, but ''{}'' is a change {}',
            k.level_words, l.surface, k.level_direction, c.surface, c.change_direction
        ) as message,
        json_object(
            'formula', 'direction of the verb = direction of the change',
            'level_direction', k.level_direction,
            'change_direction', c.change_direction,
            'tolerance', 'none'
        ) as details
    from links as k
    join figures as l on l.figure_id = k.level_id
    join figures as c on c.figure_id = k.change_id
    where k.level_direction is not null
      and c.change_direction <> k.level_direction
      -- "rose to $50, down 10% from its peak": measured from another point, not a contradiction
      and not regexp_matches(
          substring(c.sentence, c.end_char - c.sentence_start + 1, 60),
          '^\s*(\w+\s+)?(from|since|below|above|off|on)\s+(its|their|the|a|an)\s+(\w+\s+)?'
          || '(peak|high|low|record|top|bottom)',
          'i'
      )
),

final as (
    select * from rate_vs_change_flags
    union all
    select * from from_to_flags
    union all
    select * from direction_flags
)

select * from final
