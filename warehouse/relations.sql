-- Typed links between the current figures, derived after every load (warehouse/relations.py).
-- Every rule looks only inside one sentence of one article version, or joins on
-- (article, measure, period): no rule compares all figures with all figures.
--
-- from_figure_id <relation> to_figure_id:
--   change_of      a change              -> the level it changes ("253 million ..., up 3.96 million")
--   equivalent_of  the parenthetical     -> the main figure ("3.49 trillion yuan ($487 billion)")
--   share_of       a percent             -> its part (role part: "1,250 households, or 25 percent")
--                                            or its whole (role whole: "25 percent of the 5,000")
--   part_of        a part                -> its whole ("1,250 of the 5,000"; breakdowns after
--                                            "including", "of which", "comprising", ":")
--   restates       a later figure        -> an earlier one with the same measure, entity, period
--   target_of      a target              -> the figure compared with it ("96.77%, exceeding the
--                                            target of 95%"), with the claim (above/below/at_least)
--   from_to        the earlier level     -> the later one ("from 900 to 1,200")

create or replace temp table nf_figs as
with current_figures as (
    select
        *,
        change_direction is not null as is_change,
        start_char - sentence_start as off
    from figures
    where is_current and sentence is not null and sentence_start is not null
),

with_neighbours as (
    select
        *,
        lead(figure_id) over sentence_order as next_id,
        -- the text just before the figure, inside its sentence (at most 120 characters)
        right(substring(sentence, 1, off), 120) as before_text,
        -- the nearest earlier and later figures of the sentence that are not changes
        last_value(case when not is_change then figure_id end ignore nulls) over (
            partition by article_id, content_hash, sentence_start
            order by start_char
            rows between unbounded preceding and 1 preceding
        ) as prev_level_id,
        first_value(case when not is_change then figure_id end ignore nulls) over (
            partition by article_id, content_hash, sentence_start
            order by start_char
            rows between 1 following and unbounded following
        ) as next_level_id
    from current_figures
    window sentence_order as (
        partition by article_id, content_hash, sentence_start order by start_char
    )
),

final as (
    select
        *,
        regexp_matches(
            before_text,
            '\b(target|goal|objective|threshold|benchmark)s?\s+(of|at|set at|was|is|for)\s+'
            || '(about\s+|around\s+|some\s+|roughly\s+)?$',
            'i'
        )
        or regexp_matches(
            substring(sentence, end_char - sentence_start + 1, 30),
            -- "the 95% target", but not "a two-goal lead"
            '^\s+(percent\s+|per cent\s+)?(target|goal)\b',
            'i'
        ) as is_target
    from with_neighbours
)

select
    * replace (is_target and kind <> 'ordinal' as is_target),
    -- one side of "4-7", "2–6", "350–375": a score, a record or a range, never a part or a total
    regexp_matches(before_text, '\d\s?[-–]$')
        or regexp_matches(substring(sentence, end_char - sentence_start + 1, 3), '^\s?[-–]\d')
        as in_pair
from final;

create or replace temp table nf_pairs as
-- two figures next to each other in a sentence, with the words between them
select
    a.article_id,
    a.content_hash,
    a.figure_id as a_id,
    b.figure_id as b_id,
    a.kind as a_kind,
    b.kind as b_kind,
    a.unit as a_unit,
    b.unit as b_unit,
    a.is_change as a_change,
    b.is_change as b_change,
    a.is_target or b.is_target as any_target,
    a.before_text as a_before,
    substring(a.sentence, a.end_char - a.sentence_start + 1, b.start_char - a.end_char) as gap
from nf_figs as a
join nf_figs as b on b.figure_id = a.next_id;

create or replace temp table nf_relations (
    relation varchar,
    article_id varchar,
    from_figure_id varchar,
    to_figure_id varchar,
    details json
);

-- equivalent_of: "3.49 trillion yuan ($487 billion)", "EUR 10 million, or about $11 million"
insert into nf_relations
select
    'equivalent_of', article_id, b_id, a_id,
    json_object('words', gap)
from nf_pairs
where a_kind = 'money' and b_kind = 'money'
  and a_unit is distinct from b_unit
  and not a_change and not b_change
  and (
      regexp_matches(gap, '^\s*[(\[]\s*(about|around|approximately|roughly|some|nearly|almost)?\s*(US\s*)?[$€£¥]?\s*$', 'i')
      or regexp_matches(gap, '^\s*,?\s*or\s+(about\s+|around\s+|approximately\s+|roughly\s+|some\s+)?(US\s*)?[$€£¥]?\s*$', 'i')
  );

-- share_of (part): "1,250 households, or 25 percent", "1.03 million covering 96%", "3,000 (60%)"
insert into nf_relations
select
    'share_of', article_id, b_id, a_id,
    json_object('role', 'part', 'words', gap)
from nf_pairs
where a_kind in ('count', 'money', 'measure') and b_unit = 'percent'
  and not a_change and not b_change and not any_target
  -- "added 20.72 points, or 0.24%": index points and their rate are a change, not a share
  and not regexp_matches(gap, '\bpoints?\b', 'i')
  and (
      regexp_matches(
          gap,
          '^[^0-9;:()]{0,40}?(,\s*|\s+)(or|covering|accounting for|representing|making up|'
          || 'which (is|was|are|were)|equal to|i\.e\.|that is)\s+'
          || '(about\s+|nearly\s+|almost\s+|over\s+|some\s+|around\s+|roughly\s+|more than\s+|less than\s+)?$',
          'i'
      )
      or regexp_matches(gap, '^[^0-9;:()]{0,40}?\s*\(\s*(about\s+|nearly\s+|almost\s+|some\s+|around\s+)?$', 'i')
  );

-- share_of (whole): "25 percent of the 5,000 households"
insert into nf_relations
select
    'share_of', article_id, a_id, b_id,
    json_object('role', 'whole', 'words', gap)
from nf_pairs
where a_unit = 'percent' and b_kind in ('count', 'money', 'measure')
  and not a_change and not b_change and not any_target
  -- at most one word between the percent and "of": "25 percent of the 5,000"
  and regexp_matches(gap, '^(\s+[a-z-]+)?\s+of\s+(the\s+|all\s+|a total of\s+|the total\s+|total\s+)*$', 'i');

-- part_of (part and whole side by side): "1,250 of the 5,000 households", "3 out of 10"
insert into nf_relations
select
    'part_of', article_id, a_id, b_id,
    json_object('source', 'of', 'words', gap)
from nf_pairs
where a_kind = b_kind and a_unit is not distinct from b_unit
  and a_kind in ('count', 'money', 'measure')
  and not a_change and not b_change and not any_target
  -- at most one word (the noun) before "of": "1,250 households out of 5,000", not
  -- "24.4 billion yuan and expense of 13.1 billion yuan"
  and regexp_matches(gap, '^(\s+[a-z-]+)?\s+(out of|of)\s+(the\s+|a\s+|all\s+|a total of\s+|the total\s+|total\s+)*$', 'i');

-- from_to: "from 900 to 1,200"
insert into nf_relations
select
    'from_to', article_id, a_id, b_id,
    json_object('words', gap)
from nf_pairs
where a_kind = b_kind and a_unit is not distinct from b_unit
  and not a_change and not b_change
  and regexp_matches(a_before, '\bfrom\s+(about\s+|around\s+|some\s+|nearly\s+|almost\s+)?$', 'i')
  and regexp_matches(gap, '^[^0-9;:()]{0,30}?\s*\bto\s+(about\s+|around\s+|some\s+|nearly\s+|almost\s+|over\s+|more than\s+)?$', 'i');

-- part_of (breakdown): a total, a cue ("including", "of which", "comprising", ":"), then at least
-- two parts of the same kind and unit later in the sentence
insert into nf_relations
with cue as (
    select
        t.figure_id as total_id,
        t.article_id,
        t.content_hash,
        t.sentence_start,
        t.end_char,
        t.kind,
        t.unit,
        t.value as total_value,
        regexp_extract(
            p.gap,
            '\b(including|includes|included|of which|of whom|among them|among whom|comprising|'
            || 'consisting of|made up of|split into|divided into|broken down into)\b|(:)\s',
            0,
            'i'
        ) as cue_words
    from nf_figs as t
    join nf_pairs as p on p.a_id = t.figure_id
    where not t.is_change and not t.is_target and not t.in_pair
      and regexp_matches(
          p.gap,
          '^[^0-9;]{0,60}?(\b(including|includes|included|of which|of whom|among them|among whom|'
          || 'comprising|consisting of|made up of|split into|divided into|broken down into)\b|:\s)',
          'i'
      )
),

parts as (
    select
        c.total_id,
        c.article_id,
        c.cue_words,
        c.total_value,
        f.figure_id as part_id,
        f.value as part_value,
        -- characters from the previous part (the total, for the first part) to this one
        f.start_char - coalesce(lag(f.end_char) over parts_order, c.end_char) as gap_before
    from cue as c
    join nf_figs as f
        on f.article_id = c.article_id
       and f.content_hash = c.content_hash
       and f.sentence_start = c.sentence_start
       and f.start_char >= c.end_char
       and f.kind = c.kind
       and f.unit is not distinct from c.unit
    where not f.is_change and not f.is_target and not f.in_pair
    window parts_order as (partition by c.total_id order by f.start_char)
),

breakdowns as (
    -- a breakdown lists at least two parts close together, each smaller than the total;
    -- anything else after a colon (a recipe, a score, model numbers) is not one
    select total_id
    from parts
    group by total_id
    having count(*) >= 2
       and max(gap_before) <= 100
       and max(abs(part_value)) < abs(any_value(total_value))
)

select
    'part_of', p.article_id, p.part_id, p.total_id,
    json_object(
        'source', 'breakdown',
        'words', trim(p.cue_words),
        -- "comprising" and a colon list the whole; "including" may leave parts out
        'exhaustive', regexp_matches(p.cue_words, '^(comprising|consisting of|made up of|split into|divided into|broken down into|:)', 'i')
    )
from parts as p
semi join breakdowns as b on b.total_id = p.total_id;

-- change_of: the extractor's base when it gave one; else the level the sentence puts right
-- after the change ("up 300 to 1,200"), else the nearest level before it
insert into nf_relations
with changes as (
    select
        c.*,
        substring(c.sentence, c.end_char - c.sentence_start + 1, n.start_char - c.end_char) as gap_after
    from nf_figs as c
    left join nf_figs as n on n.figure_id = c.next_level_id
    where c.is_change
),

based as (
    select
        c.*,
        coalesce(
            -- "up 300 to 1,200", "up 300 people to 1,200", "lost 1.85 points, or 0.06%, to
            -- 3,120.18": the level after "to" is what changed, whatever else is said
            case
                when regexp_matches(
                    c.gap_after,
                    '^,?((\s+[a-z-]+)?|(\s+points?)?,?\s+or\s+[^,;]{1,20},)\s+to\s+'
                    || '(about\s+|nearly\s+|almost\s+|over\s+|around\s+)?$',
                    'i'
                )
                    then c.next_level_id
            end,
            c.change_base_figure_id,
            c.prev_level_id
        ) as base_id
    from changes as c
),

final as (
    select
        c.article_id,
        c.figure_id as change_id,
        l.figure_id as level_id,
        case
            when c.unit = 'percent' and l.unit = 'percent' then 'ambiguous'
            when c.unit is not distinct from l.unit then 'absolute'
            when c.unit = 'percentage_point' and l.unit = 'percent' then 'absolute'
            when c.unit = 'percent' then 'relative'
        end as mode,
        -- the verb that puts the level where it is: "fell to 12.4 million"
        case
            when regexp_matches(l.before_text, '\b(rose|risen|rising|rises|increased|increases|grew|grown|grows|climbed|climbs|jumped|jumps|surged|soared|went up|up)\s+(from\s+[^,;]*?\s+)?to\s+(about\s+|nearly\s+|almost\s+|over\s+|more than\s+|some\s+|around\s+)?$', 'i') then 'up'
            when regexp_matches(l.before_text, '\b(fell|fallen|falling|falls|dropped|drops|declined|declines|decreased|decreases|shrank|shrunk|slipped|slid|sank|plunged|plummeted|went down|down)\s+(from\s+[^,;]*?\s+)?to\s+(about\s+|nearly\s+|almost\s+|over\s+|more than\s+|some\s+|around\s+)?$', 'i') then 'down'
        end as level_direction,
        regexp_extract(l.before_text, '(\w+)\s+(from\s+[^,;]*?\s+)?to\s+(\w+\s+)?$', 1) as level_words
    from based as c
    join nf_figs as l on l.figure_id = c.base_id
)

select
    'change_of', article_id, change_id, level_id,
    json_object(
        'mode', mode,
        'level_direction', level_direction,
        'level_words', case when level_direction is not null then level_words end
    )
from final
where mode is not null;

-- target_of: "96.77%, successfully exceeding the target of 95%"; the claim is read from the
-- words between the value and the target
insert into nf_relations
with targets as (
    select
        t.*,
        v.figure_id as value_id,
        substring(t.sentence, v.end_char - t.sentence_start + 1, t.start_char - v.end_char) as between_text
    from nf_figs as t
    join nf_figs as v
        on v.article_id = t.article_id
       and v.content_hash = t.content_hash
       and v.sentence_start = t.sentence_start
       and v.start_char < t.start_char
       and v.unit is not distinct from t.unit
       and not v.is_target
       and not v.is_change
       and v.kind <> 'ordinal'
    where t.is_target
    qualify row_number() over (partition by t.figure_id order by v.start_char desc) = 1
)

select
    'target_of', article_id, figure_id, value_id,
    json_object(
        'claim',
        case
            when regexp_matches(between_text, '\b(fail\w*|not|never|no|short of|miss\w*|below|under|behind|less than|lower than)\b', 'i') then 'below'
            when regexp_matches(between_text, '\b(exceed\w*|surpass\w*|beat\w*|above|over|top(ped|ping|s)?|outperform\w*|higher than|more than|overfulfil\w*)\b', 'i') then 'above'
            when regexp_matches(between_text, '\b(meet\w*|met|reach\w*|achiev\w*|hit|hitting|attain\w*|realiz\w*|realis\w*|fulfil\w*)\b', 'i') then 'at_least'
        end,
        'words', between_text
    )
from targets;

-- restates: the same measure, entity and period stated again in a later sentence
insert into nf_relations
select
    'restates', b.article_id, b.figure_id, a.figure_id,
    json_object('measure', a.measure, 'entity', a.entity, 'period', a.period)
from nf_figs as a
join nf_figs as b
    on b.article_id = a.article_id
   and b.content_hash = a.content_hash
   and b.measure = a.measure
   and b.period = a.period
   and b.entity is not distinct from a.entity
   and b.kind = a.kind
   and b.unit is not distinct from a.unit
   and b.sentence_start > a.sentence_start
where not a.is_change and not b.is_change
  -- values more than twice apart are different facts under a generic measure name
  -- ("people": 1.46 million members and 292,800 workers), not one fact stated twice
  and abs(b.value) between abs(a.value) / 2 and abs(a.value) * 2
  and not a.is_target and not b.is_target
  and a.kind <> 'ordinal';

delete from relations;

insert into relations
select
    substr(sha256(relation || '|' || from_figure_id || '|' || to_figure_id), 1, 16) as relation_id,
    article_id,
    relation,
    from_figure_id,
    to_figure_id,
    any_value(details) as details
from nf_relations
group by all;

drop table nf_relations;
drop table nf_pairs;
drop table nf_figs;
