-- check: cross_source_conflict
-- severity: warning
-- finds: the same measure, entity and period reported differently by two articles (e.g. two
--        outlets on one statistics release), beyond their printed precision.
-- why: at least one outlet is wrong, or they use different definitions; either way the
--      figure should not be repeated before the primary source is read.

with pool as (
    select f.*
    from figures as f
    where f.is_current
      and f.change_direction is null
      and f.measure is not null and f.entity is not null and f.period is not null
      and f.kind <> 'ordinal'
      and not exists (
          select 1 from relations as r
          where r.relation = 'target_of' and r.from_figure_id = f.figure_id
      )
),

contested as (
    -- keys where some two readings cannot overlap: only these are compared pairwise
    select measure, entity, period, kind, unit
    from pool
    group by measure, entity, period, kind, unit
    having count(distinct article_id) > 1 and max(value_low) > min(value_high)
),

candidates as (
    select p.*
    from pool as p
    join contested as k
        on k.measure = p.measure and k.entity = p.entity and k.period = p.period
       and k.kind = p.kind and k.unit is not distinct from p.unit
),

pairs as (
    select
        a.article_id as a_article, b.article_id as b_article,
        a.figure_id as a_id, b.figure_id as b_id,
        a.surface as a_surface, b.surface as b_surface,
        a.measure, a.entity, a.period,
        a.value_low as a_low, b.value_low as b_low,
        a.value_high + case when a.precision > b.precision then a.precision / 2 else 0 end as a_high,
        b.value_high + case when b.precision > a.precision then b.precision / 2 else 0 end as b_high
    from candidates as a
    join candidates as b
        on b.measure = a.measure and b.entity = a.entity and b.period = a.period
       and b.kind = a.kind and b.unit is not distinct from a.unit
       and b.article_id > a.article_id
    -- more than twice apart: another fact under a generic measure name
    where abs(b.value) between abs(a.value) / 2 and abs(a.value) * 2
),

final as (
    select
        p.b_article as article_id,
        [p.a_id, p.b_id] as figure_ids,
        format(
            '{} is {} in "{}" but {} in "{}"',
            concat_ws(', ', p.measure, p.entity, p.period),
            p.a_surface, coalesce(aa.title, p.a_article),
            p.b_surface, coalesce(ab.title, p.b_article)
        ) as message,
        json_object(
            'formula', 'first = second, within printed precision',
            'first_range', [p.a_low, p.a_high],
            'second_range', [p.b_low, p.b_high],
            'other_article_id', p.a_article,
            'tolerance', 'printed precision; a rounder figure may be rounded or truncated'
        ) as details
    from pairs as p
    left join articles as aa on aa.article_id = p.a_article and aa.is_current
    left join articles as ab on ab.article_id = p.b_article and ab.is_current
    where not nf_overlaps(p.a_low, p.a_high, p.b_low, p.b_high)
)

select * from final
