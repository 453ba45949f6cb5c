-- check: implied_prior_conflict
-- severity: warning
-- finds: a change that implies a value for its reference period ("8,200, 1,100 more than the
--        previous year" implies 7,100 for that year) when the article, or another article about
--        the same entity, states a different value for that measure and period.
-- why: the stated earlier value and the change cannot both be right; usually the change was
--      computed from another base year or the earlier value was revised.

with links as (
    select from_figure_id as change_id, to_figure_id as level_id, details ->> 'mode' as mode
    from relations
    where relation = 'change_of' and details ->> 'mode' in ('absolute', 'relative')
),

implied as (
    select
        l.article_id,
        l.figure_id as level_id,
        c.figure_id as change_id,
        l.surface as level_surface,
        c.surface as change_surface,
        l.measure, l.entity, l.kind, l.unit,
        c.change_reference_period as reference_period,
        k.mode,
        case k.mode
            when 'absolute' then l.value - c.value
            else l.value / (1 + c.value / 100)
        end as prior,
        case k.mode
            when 'absolute' then l.value_low - c.value_high
            else nf_div_lo(l.value_low, l.value_high, 1 + c.value_low / 100, 1 + c.value_high / 100)
        end as prior_low,
        case k.mode
            when 'absolute' then l.value_high - c.value_low
            else nf_div_hi(l.value_low, l.value_high, 1 + c.value_low / 100, 1 + c.value_high / 100)
        end as prior_high
    from links as k
    join figures as l on l.figure_id = k.level_id
    join figures as c on c.figure_id = k.change_id
    where l.measure is not null
      and c.change_reference_period is not null
      -- a period compared with itself is self_comparison's finding, not a second one
      and c.change_reference_period is distinct from coalesce(l.period, c.period)
),

candidates as (
    -- the same article: keyed by (article, measure, period)
    select i.*, s.figure_id as stated_id
    from implied as i
    join figures as s
        on s.article_id = i.article_id
       and s.measure = i.measure
       and s.period = i.reference_period
       and s.entity is not distinct from i.entity
    where s.is_current
    union all
    -- other articles about the same entity: keyed by (measure, entity, period)
    select i.*, s.figure_id as stated_id
    from implied as i
    join figures as s
        on s.measure = i.measure
       and s.entity = i.entity
       and s.period = i.reference_period
       and s.article_id <> i.article_id
    where s.is_current
),

stated as (
    select
        c.*,
        s.article_id as stated_article_id,
        s.surface as stated_surface,
        s.value_low as s_low,
        s.value_high + s.precision / 2 as s_high  -- the stated figure may be truncated
    from candidates as c
    join figures as s on s.figure_id = c.stated_id
    where s.change_direction is null
      and s.kind = c.kind
      and s.unit is not distinct from c.unit
      -- more than twice apart: another fact under a generic measure name
      and abs(s.value) between abs(c.prior) / 2 and abs(c.prior) * 2
),

final as (
    select
        article_id,
        [level_id, change_id, stated_id] as figure_ids,
        format(
            '{} with a change of {} implies {} for {}, but {} states {}',
            level_surface, change_surface, nf_num(prior), reference_period,
            case when stated_article_id = article_id then 'the article' else 'another article' end,
            stated_surface
        ) as message,
        json_object(
            'formula', case mode when 'absolute' then 'prior = level - change'
                                 else 'prior = level / (1 + rate / 100)' end,
            'implied', prior,
            'implied_range', [prior_low, prior_high],
            'stated_range', [s_low, s_high],
            'stated_article_id', stated_article_id,
            'tolerance', 'printed precision of each figure'
        ) as details
    from stated
    where not nf_overlaps(s_low, s_high, prior_low, prior_high)
)

select * from final
