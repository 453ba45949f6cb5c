-- check: self_comparison
-- severity: error
-- finds: a change whose reference period is the period of the figure it describes,
--        as in "in 2012, 1,031,100 people participated ..., 173,000 more than in 2012".
-- why: a year compared with itself has no meaning; the text almost always means another
--      year (here 2011), so the change cannot be trusted until the source is checked.

with changes as (
    select *
    from figures
    where is_current
      and change_direction is not null
      and change_reference_period is not null
      and period is not null
),

self_compared as (
    select *
    from changes
    where change_reference_period = period
),

final as (
    select
        article_id,
        [figure_id] as figure_ids,
        format(
            '{} is compared with itself: ''{}'' in a sentence about {}',
            period,
            -- quote the clause from the figure to the reference period it names
            case
                when strpos(substring(sentence, start_char - sentence_start + 1), change_reference_period) > 0
                    then substring(
                        sentence,
                        start_char - sentence_start + 1,
                        strpos(substring(sentence, start_char - sentence_start + 1), change_reference_period)
                            + length(change_reference_period) - 1
                    )
                else surface
            end,
            period
        ) as message,
        json_object(
            'formula', 'reference period <> period of the figure',
            'tolerance', 'none',
            'period', period,
            'reference_period', change_reference_period,
            'surface', surface,
            'value', value
        ) as details
    from self_compared
)

select * from final
