-- newsfacts warehouse schema (DuckDB). Applied idempotently on every write connection:
-- every statement is `create ... if not exists` or `create or replace` (views, comments).

create table if not exists runs (
    run_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp,
    articles_seen integer default 0,
    articles_loaded integer default 0,
    figures_loaded integer default 0,
    failures integer default 0,
    flags_raised integer default 0,
    status varchar not null default 'running',
    task_runner varchar,
    extractor_version varchar
);

create table if not exists articles (
    article_id varchar not null,
    content_hash varchar not null,
    url varchar,
    source varchar,
    title varchar,
    published timestamp,
    fetched_at timestamp,
    loaded_at timestamp not null,
    run_id varchar not null,
    raw_hash varchar,
    parser_version varchar,
    is_current boolean not null default true,
    text varchar not null,
    extractor_version varchar,
    primary key (article_id, content_hash)
);

create table if not exists figures (
    figure_id varchar primary key,
    article_id varchar not null,
    content_hash varchar not null,
    start_char integer not null,
    end_char integer not null,
    surface varchar not null,
    value double not null,
    unit varchar,
    kind varchar not null,
    approx varchar not null,
    measure varchar,
    entity varchar,
    period varchar,
    change_direction varchar,
    change_reference_period varchar,
    change_base_figure_id varchar,
    sentence varchar,
    sentence_start integer,
    warnings varchar[],
    precision double,
    value_low double,
    value_high double,
    is_current boolean not null default true,
    run_id varchar not null,
    extractor_version varchar,
    check (end_char > start_char),
    check (approx in ('exact', 'about', 'over', 'under', 'at_least', 'at_most')),
    check (change_direction is null or change_direction in ('up', 'down'))
);

-- files made by an earlier version of this schema get the newer columns
alter table articles add column if not exists extractor_version varchar;
alter table figures add column if not exists precision double;
alter table figures add column if not exists value_low double;
alter table figures add column if not exists value_high double;

create table if not exists relations (
    relation_id varchar primary key,
    article_id varchar not null,
    relation varchar not null,
    from_figure_id varchar not null,
    to_figure_id varchar not null,
    details json
);

create table if not exists exchange_rates (
    currency varchar not null,
    year integer not null,
    per_usd double not null,
    published_quote double,
    checked_against varchar,
    primary key (currency, year)
);

create table if not exists flags (
    flag_id varchar primary key,
    run_id varchar not null,
    check_name varchar not null,
    severity varchar not null,
    article_id varchar,
    figure_ids varchar[] not null,
    message varchar not null,
    details json,
    first_seen_run varchar,
    check (severity in ('info', 'warning', 'error'))
);

create table if not exists flag_dismissals (
    flag_id varchar primary key,
    reason varchar not null,
    dismissed_at timestamp not null
);

create table if not exists failures (
    run_id varchar not null,
    source varchar,
    url varchar,
    stage varchar not null,
    reason varchar not null,
    failed_at timestamp not null
);

create table if not exists fetches (
    url varchar not null,
    run_id varchar not null,
    fetched_at timestamp not null,
    status integer,
    error varchar,
    bytes bigint,
    etag varchar,
    last_modified varchar,
    content_hash varchar,
    elapsed_ms integer,
    attempts integer
);

create or replace view facts as
select
    f.figure_id,
    f.article_id,
    a.title as article_title,
    a.url as article_url,
    a.published as article_published,
    f.surface,
    f.value,
    f.unit,
    f.kind,
    f.approx,
    f.measure,
    f.entity,
    f.period,
    f.change_direction,
    f.change_reference_period,
    f.sentence,
    f.value_low,
    f.value_high,
    f.run_id,
    f.extractor_version,
    f.content_hash
from figures as f
join articles as a
    on a.article_id = f.article_id and a.content_hash = f.content_hash
where f.is_current;

create or replace view open_flags as
with flag_figures as (
    select flag_id, unnest(figure_ids) as figure_id
    from flags
),

flag_sentences as (
    select ff.flag_id, string_agg(distinct f.sentence, ' | ') as sentence
    from flag_figures as ff
    join figures as f on f.figure_id = ff.figure_id
    group by ff.flag_id
)

select
    fl.flag_id,
    fl.check_name,
    fl.severity,
    fl.article_id,
    a.title as article_title,
    a.url as article_url,
    fl.message,
    fl.figure_ids,
    s.sentence,
    fl.details,
    fl.run_id,
    fl.first_seen_run
from flags as fl
left join flag_sentences as s on s.flag_id = fl.flag_id
left join articles as a
    on a.article_id = fl.article_id and a.is_current
where not exists (select 1 from flag_dismissals as d where d.flag_id = fl.flag_id);

comment on table runs is 'One row per pipeline run: what it saw, loaded and flagged.';
comment on column runs.run_id is 'Run identifier (UTC timestamp plus random suffix).';
comment on column runs.status is 'running, ok, partial (some sources failed) or failed.';
comment on column runs.articles_seen is 'Documents read from the sources in this run.';
comment on column runs.articles_loaded is 'Articles (or new versions) written by this run; unchanged ones are not counted.';
comment on column runs.figures_loaded is 'Figures written by this run.';
comment on column runs.flags_raised is 'Open warning and error flags after this run''s checks.';
comment on column runs.task_runner is 'How tasks ran: sequentially, in threads, or on a Dask cluster.';

comment on table articles is 'Parsed articles; a changed article is a new row (version), the old one keeps is_current = false.';
comment on column articles.article_id is 'Stable id of the article, derived from its URL or path.';
comment on column articles.content_hash is 'SHA-256 of the main text: the version of the article.';
comment on column articles.url is 'Where the article was read from (URL or file path).';
comment on column articles.title is 'Headline from the page.';
comment on column articles.published is 'Publication time from the page metadata, null when the page gives none.';
comment on column articles.raw_hash is 'SHA-256 of the raw page, so every fact can be re-derived.';
comment on column articles.parser_version is 'Version of the HTML parser that produced the text.';
comment on column articles.is_current is 'True for the latest version of the article.';
comment on column articles.text is 'Main text of the article; figures point into it by character offsets.';

comment on table figures is 'Every figure read from an article text, with its unit and context.';
comment on column figures.figure_id is 'Stable id from the article version and the span.';
comment on column figures.start_char is 'Offset of the figure in articles.text (0-based, inclusive).';
comment on column figures.end_char is 'Offset just after the figure: text[start_char:end_char] = surface.';
comment on column figures.surface is 'The figure as printed, with scale word, currency and unit.';
comment on column figures.value is 'Numeric value with scale applied; changes are signed by their direction.';
comment on column figures.unit is 'ISO 4217 currency, percent, percentage_point, times, a unit symbol, or null for counts.';
comment on column figures.kind is 'count, money, percent, percentage_point, measure, ratio, ordinal or change.';
comment on column figures.approx is 'exact, about, over, under, at_least or at_most, from the qualifier in the text.';
comment on column figures.measure is 'What is counted or measured, from the sentence.';
comment on column figures.entity is 'Place or organisation the figure belongs to, when the sentence says.';
comment on column figures.period is 'Year (or finer period) the figure describes, resolved against the publication date.';
comment on column figures.change_direction is 'up or down when the figure is a change; null otherwise.';
comment on column figures.change_reference_period is 'Period the change is measured against ("2011" in "more than the previous year").';
comment on column figures.change_base_figure_id is 'The figure this change is a change of, when the sentence states it.';
comment on column figures.sentence is 'The sentence that holds the figure.';
comment on column figures.warnings is 'Extractor warnings, e.g. ambiguous_thousands_separator.';
comment on column figures.precision is 'Unit of the last printed digit ("1.03 million": 10,000; "173,000": 1,000).';
comment on column figures.value_low is 'Lowest value the printed figure can stand for (rounding, "about"); -inf when open.';
comment on column figures.value_high is 'Highest value the printed figure can stand for ("over" leaves it open: +inf).';
comment on column figures.content_hash is 'Content hash of the article version the figure was read from (lineage).';
comment on column articles.extractor_version is 'Version of the extractor that read this version''s current figures.';
comment on column figures.is_current is 'False once a newer version of the article replaced this figure.';
comment on column figures.run_id is 'Run that loaded the figure (lineage).';
comment on column figures.extractor_version is 'Version of the extractor that read the figure (lineage).';

comment on table relations is 'Typed links between figures: change_of, equivalent_of, share_of, part_of, restates.';
comment on column relations.relation is 'change_of, equivalent_of, share_of, part_of, restates, target_of or from_to.';
comment on column relations.from_figure_id is 'The figure the relation starts from (the change, the parenthetical, the share, the part).';
comment on column relations.to_figure_id is 'The figure it points to (the level, the main figure, the part or whole, the total).';
comment on column relations.details is 'How the relation was found (the words between the figures) and its role, as JSON.';
comment on column relations.relation_id is 'Stable id from the relation and its two figures.';
comment on column relations.article_id is 'Article both figures belong to (restates may also link two articles: the first one).';
comment on table exchange_rates is 'Yearly average exchange rates (units per US dollar), from warehouse/exchange_rates.csv.';
comment on column exchange_rates.currency is 'ISO 4217 code.';
comment on column exchange_rates.year is 'Calendar year of the average.';
comment on column exchange_rates.per_usd is 'Currency units per US dollar, yearly average.';
comment on column exchange_rates.published_quote is 'The rate as the source prints it (US dollars per unit for EUR and GBP).';
comment on column exchange_rates.checked_against is 'Release the row was compared with; empty when entered without it.';
comment on table flags is 'Findings of the reconciliation checks from the latest check run.';
comment on column flags.flag_id is 'Stable id from the check and the figures'' article and spans: dismiss once, stays dismissed.';
comment on column flags.check_name is 'The check that raised the flag (file name in warehouse/checks).';
comment on column flags.severity is 'info, warning or error.';
comment on column flags.figure_ids is 'Every figure involved.';
comment on column flags.message is 'What is wrong, in words a reader understands without the code.';
comment on column flags.details is 'The numbers the check computed (formula, implied value, tolerance), as JSON.';
comment on table flag_dismissals is 'Flags a reviewer dismissed as false alarms, with the reason.';
comment on table failures is 'Sources and pages that could not be read or parsed, with the reason.';
comment on table fetches is 'Every HTTP fetch attempt, with status, error, size, validators and timing.';
comment on view facts is 'Current figures with their article''s title, url and publication time, printed-precision range and lineage.';
comment on view open_flags is 'Flags not dismissed, with the sentence they are about.';

comment on column articles.source is 'Name of the source (sources.toml entry, folder or file) the article came from.';
comment on column articles.fetched_at is 'When the page was fetched (UTC), null for local files.';
comment on column articles.loaded_at is 'When this version was written to the warehouse (UTC).';
comment on column articles.run_id is 'Run that loaded this version (lineage).';
comment on column figures.article_id is 'The article the figure was read from (with content_hash: the version).';
comment on column figures.sentence_start is 'Offset of the sentence in articles.text: start_char - sentence_start indexes the sentence.';
comment on column flags.run_id is 'Check run that raised the flag most recently.';
comment on column flags.article_id is 'Article the flag is about (the first one, for flags across articles).';
comment on column flags.first_seen_run is 'Check run that raised this flag first.';
comment on column runs.started_at is 'When the run started (UTC).';
comment on column runs.finished_at is 'When the run finished (UTC); null while running or after a crash.';
comment on column runs.failures is 'Sources and pages that failed in this run (see failures).';
comment on column runs.extractor_version is 'Version of the extractor the run used.';

-- Interval helpers for the checks. A printed figure stands for [value_low, value_high]
-- (printed precision, "about", open sides as +-inf); arithmetic on intervals is done on their
-- corners, with infinities clamped so that no NaN appears.
create or replace macro nf_fin(x) as greatest(least(x, 1e300), -1e300);

create or replace macro nf_overlaps(alo, ahi, blo, bhi) as
    alo <= bhi + 1e-9 * (abs(nf_fin(alo)) + abs(nf_fin(bhi)))
    and blo <= ahi + 1e-9 * (abs(nf_fin(blo)) + abs(nf_fin(ahi)));

-- lowest and highest a / b for a in [alo, ahi], b in [blo, bhi]; unbounded when b can be 0
create or replace macro nf_div_lo(alo, ahi, blo, bhi) as
    case when blo > 0 or bhi < 0 then least(
        nf_fin(alo) / nf_fin(blo), nf_fin(alo) / nf_fin(bhi),
        nf_fin(ahi) / nf_fin(blo), nf_fin(ahi) / nf_fin(bhi))
    else -1e308 end;

create or replace macro nf_div_hi(alo, ahi, blo, bhi) as
    case when blo > 0 or bhi < 0 then greatest(
        nf_fin(alo) / nf_fin(blo), nf_fin(alo) / nf_fin(bhi),
        nf_fin(ahi) / nf_fin(blo), nf_fin(ahi) / nf_fin(bhi))
    else 1e308 end;

-- a number as a reader writes it: 858,100; 249.04 million; 1.59
create or replace macro nf_trim(s) as
    case when contains(s, '.') then rtrim(rtrim(s, '0'), '.') else s end;

create or replace macro nf_num(x) as
    case
        when x is null then 'unknown'
        when abs(x) >= 1e300 then case when x > 0 then 'unbounded' else '-unbounded' end
        when abs(x) >= 1e12 then nf_trim(printf('%.3f', x / 1e12)) || ' trillion'
        when abs(x) >= 1e9 then nf_trim(printf('%.3f', x / 1e9)) || ' billion'
        when abs(x) >= 1e6 then nf_trim(printf('%.3f', x / 1e6)) || ' million'
        when abs(x) >= 1000 then format('{:,.0f}', x)
        when abs(x) >= 10 then nf_trim(printf('%.1f', x))
        else nf_trim(printf('%.2f', x))
    end;

-- the year a period string names ("2024", "2024-Q3", "end of 2024"), else null
create or replace macro nf_year(period) as
    try_cast(regexp_extract(period, '((19|20)\d\d)', 1) as integer);
