-- check: percent_out_of_range
-- severity: error
-- finds: a share or coverage rate above 100 % or below 0 ("covering 104% of residents").
--        Growth rates may exceed 100 % and are not checked; only percents that are shares of a
--        whole (by a share_of link, or by the words around them) are.
-- why: no part is more than its whole: the number, or what it is a share of, is wrong.

with shares as (
    select
        f.*,
        right(substring(f.sentence, 1, f.start_char - f.sentence_start), 60) as before_text,
        substring(f.sentence, f.end_char - f.sentence_start + 1, 40) as after_text
    from figures as f
    where f.is_current
      and f.unit = 'percent'
      and f.change_direction is null
      and (f.value_low > 100 or f.value_high < 0)
),

share_like as (
    select s.*
    from shares as s
    where exists (
              select 1 from relations as r
              where r.relation = 'share_of' and r.from_figure_id = s.figure_id
          )
       or regexp_matches(
              s.before_text,
              '\b(cover(s|ed|ing)?|coverage( rate)?( of| at| was| is| reached)?|share( of| was| is)?|'
              || 'proportion( of| was| is)?|participation rate( of| was| is)?|accounting for|'
              || 'accounts? for|make up|makes up|made up|turnout( of| was| is)?)\s+'
              || '(about\s+|nearly\s+|almost\s+|over\s+|some\s+|around\s+|more than\s+)?$',
              'i'
          )
       or regexp_matches(
              s.after_text,
              '^\s*of\s+(the\s+|all\s+|its\s+|their\s+)?(whole|total|entire|population|households|'
              || 'residents|people|citizens|respondents|students|workers|voters|adults|children)\b',
              'i'
          )
),

final as (
    select
        article_id,
        [figure_id] as figure_ids,
        format(
            '''{}'' is a share of a whole, which cannot be {} ',
            surface,
            case when value_low > 100 then 'more than 100 %' else 'less than 0 %' end
        ) as message,
        json_object(
            'formula', '0 <= share <= 100',
            'stated_range', [value_low, value_high],
            'tolerance', 'printed precision'
        ) as details
    from share_like
)

select * from final
