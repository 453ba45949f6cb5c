-- check: target_claim
-- severity: warning
-- finds: a claim about a target that the numbers contradict: "93.1%, exceeding the target of
--        95%", "fell short of the 95% goal" with 96 %, "met the target of 95%" with 93 %.
-- why: claims of success are what readers remember; one the article's own numbers disprove
--      is either a wrong number or spin.

with claims as (
    select
        r.article_id,
        v.figure_id as value_id, t.figure_id as target_id,
        v.surface as value_surface, t.surface as target_surface,
        r.details ->> 'claim' as claim,
        r.details ->> 'words' as words,
        v.value_low as v_low, v.value_high as v_high,
        t.value_low as t_low, t.value_high as t_high
    from relations as r
    join figures as t on t.figure_id = r.from_figure_id
    join figures as v on v.figure_id = r.to_figure_id
    where r.relation = 'target_of' and r.details ->> 'claim' is not null
),

final as (
    select
        article_id,
        [value_id, target_id] as figure_ids,
        case claim
            when 'above' then format('{} is said to exceed the target of {}, but it is not above it', value_surface, target_surface)
            when 'below' then format('{} is said to fall short of the target of {}, but it is not below it', value_surface, target_surface)
            else format('{} is said to meet the target of {}, but it is below it', value_surface, target_surface)
        end as message,
        json_object(
            'formula', case claim when 'above' then 'value > target'
                                  when 'below' then 'value < target'
                                  else 'value >= target' end,
            'claim_words', trim(words),
            'value_range', [v_low, v_high],
            'target_range', [t_low, t_high],
            'tolerance', 'printed precision of each figure'
        ) as details
    from claims
    where case claim
        when 'above' then v_high <= t_low
        when 'below' then v_low >= t_high
        else v_high < t_low
    end
)

select * from final
