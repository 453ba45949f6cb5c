-- check: currency_conversion
-- severity: warning
-- finds: an amount given in two currencies ("3.49 trillion yuan ($487 billion)") whose implied
--        exchange rate is more than 5 % away from that year's average rate
--        (warehouse/exchange_rates.csv; the year of the figure, else of publication).
-- why: a conversion far from the market rate means a wrong amount, a wrong scale word
--      (million / billion) or a wrong currency in one of the two.

with pairs as (
    select
        r.article_id,
        m.figure_id as main_id, e.figure_id as eq_id,
        m.surface as main_surface, e.surface as eq_surface,
        m.unit as m_unit, e.unit as e_unit,
        m.value as m_value, e.value as e_value,
        m.value_low as m_low, m.value_high as m_high,
        e.value_low as e_low, e.value_high as e_high,
        coalesce(nf_year(m.period), nf_year(e.period), year(a.published)) as yr
    from relations as r
    join figures as m on m.figure_id = r.to_figure_id
    join figures as e on e.figure_id = r.from_figure_id
    left join articles as a on a.article_id = m.article_id and a.content_hash = m.content_hash
    where r.relation = 'equivalent_of' and m.unit is not null and e.unit is not null
),

rates as (
    select currency, year, per_usd from exchange_rates
    union all
    select 'USD', cast(y as integer), 1.0 from range(1990, 2101) as t(y)
),

with_rates as (
    -- the year's average, else the year before or after
    select
        p.*,
        coalesce(rm.per_usd, rm1.per_usd, rm2.per_usd) as m_per_usd,
        coalesce(re.per_usd, re1.per_usd, re2.per_usd) as e_per_usd,
        coalesce(rm.year, rm1.year, rm2.year) as rate_year
    from pairs as p
    left join rates as rm on rm.currency = p.m_unit and rm.year = p.yr
    left join rates as rm1 on rm1.currency = p.m_unit and rm1.year = p.yr - 1
    left join rates as rm2 on rm2.currency = p.m_unit and rm2.year = p.yr + 1
    left join rates as re on re.currency = p.e_unit and re.year = p.yr
    left join rates as re1 on re1.currency = p.e_unit and re1.year = p.yr - 1
    left join rates as re2 on re2.currency = p.e_unit and re2.year = p.yr + 1
),

oriented as (
    -- say "yuan per dollar", not "dollars per yuan": the dollar (else the equivalent) is the base
    select
        *,
        m_unit = 'USD' as flip,
        case when m_unit = 'USD' then e_unit else m_unit end as num_unit,
        case when m_unit = 'USD' then m_unit else e_unit end as den_unit,
        case when m_unit = 'USD' then e_value / m_value else m_value / e_value end as implied,
        case when m_unit = 'USD' then nf_div_lo(e_low, e_high, m_low, m_high)
             else nf_div_lo(m_low, m_high, e_low, e_high) end as implied_low,
        case when m_unit = 'USD' then nf_div_hi(e_low, e_high, m_low, m_high)
             else nf_div_hi(m_low, m_high, e_low, e_high) end as implied_high,
        case when m_unit = 'USD' then e_per_usd / m_per_usd else m_per_usd / e_per_usd end as reference
    from with_rates
    where m_per_usd is not null and e_per_usd is not null and m_value <> 0 and e_value <> 0
),

final as (
    select
        article_id,
        [main_id, eq_id] as figure_ids,
        format(
            '{} ({}) implies {} {} per {}; the {} average was {} ({} % off, more than the 5 % allowed)',
            main_surface, eq_surface, nf_num(implied), num_unit, den_unit, rate_year,
            nf_num(reference), nf_num(100 * abs(implied - reference) / reference)
        ) as message,
        json_object(
            'formula', format('{} per {} = {} / {}', num_unit, den_unit,
                              case when flip then eq_surface else main_surface end,
                              case when flip then main_surface else eq_surface end),
            'implied', implied,
            'implied_range', [implied_low, implied_high],
            'reference', reference,
            'reference_year', rate_year,
            'tolerance', 0.05
        ) as details
    from oriented
    where not nf_overlaps(implied_low, implied_high, reference * 0.95, reference * 1.05)
)

select * from final
