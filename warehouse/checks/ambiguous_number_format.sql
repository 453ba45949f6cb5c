-- check: ambiguous_number_format
-- severity: warning
-- finds: a number written with a dot as thousands separator in an English text ("148.600
--        students" for 148,600), or a comma as decimal mark, as warned by the extractor or
--        as a bare count with three digits after a dot.
-- why: the value is off by a factor of a thousand in one of the two readings; totals and
--      comparisons built on it are wrong until the source is checked.

with suspects as (
    select
        *,
        regexp_extract(surface, '\d[\d.,]*\d') as digits
    from figures
    where is_current
      and (
          list_has_any(warnings, ['ambiguous_thousands_separator', 'ambiguous_decimal_separator'])
          or (kind = 'count' and change_direction is null
              and regexp_full_match(surface, '\d{1,3}(\.\d{3})+'))
      )
),

readings as (
    select
        *,
        -- the two readings of the digits: separators as in English, and the other way round
        case when contains(digits, '.')
             then try_cast(replace(digits, ',', '') as double)
             else try_cast(replace(replace(digits, '.', ''), ',', '.') as double) end as decimal_reading,
        try_cast(replace(replace(digits, ',', ''), '.', '') as double) as thousands_reading
    from suspects
),

final as (
    select
        article_id,
        [figure_id] as figure_ids,
        format(
            '''{}'' can be read as {} or as {} (a {} used as thousands separator); it is stored as {}',
            surface, nf_num(decimal_reading), nf_num(thousands_reading),
            case when contains(digits, '.') then 'dot' else 'comma' end,
            nf_num(value)
        ) as message,
        json_object(
            'formula', 'readings of the digits with either separator',
            'readings', [decimal_reading, thousands_reading],
            'stored_value', value,
            'warnings', warnings,
            'tolerance', 'none'
        ) as details
    from readings
)

select * from final
