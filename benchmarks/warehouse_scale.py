"""Warehouse at scale: load 100 thousand and 1 million synthetic figures, run every check.

    python benchmarks/warehouse_scale.py                 # 100k and 1M figures
    python benchmarks/warehouse_scale.py --sizes 20000   # a quick look
    python benchmarks/warehouse_scale.py --json out.json

The articles are built from sentence templates that give every check work to do: levels with
changes and growth rates, amounts in two currencies, shares of a whole, targets, breakdowns,
restatements, numbers with a dot as thousands separator, and figures that other articles report
for the same (measure, entity, period). About one sentence in fifty carries an error, so every
check raises flags. Reports the load rate (figures/s), the time of each check, and how both
grow from the smallest size to the largest (linear growth is a ratio equal to the size ratio).
Timings are wall-clock on a shared machine: compare them side by side, never assert them.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from extractors.records import Article, Change, Figure
from warehouse.load import connect, load_batch
from warehouse.reconcile import run_checks

MEASURES = [
    "registered nurses",
    "hospital beds",
    "insured residents",
    "new households",
    "school places",
    "bus routes",
    "care workers",
    "clinics",
    "pharmacies",
    "doctors",
]
YEARS = list(range(2012, 2025))


def _n(value: float) -> str:
    return f"{value:,.0f}"


@dataclass
class ArticleBuilder:
    """Builds one article's text and figures sentence by sentence, keeping spans exact."""

    rng: random.Random
    parts: list[str] = field(default_factory=list)
    figures: list[tuple[int, int, str, dict]] = field(default_factory=list)
    length: int = 0

    def sentence(self, pieces: list[str | tuple[str, dict]]) -> None:
        """Add a sentence; a (surface, spec) piece becomes a figure."""
        start = self.length
        first = len(self.figures)
        for piece in pieces:
            if isinstance(piece, tuple):
                surface, spec = piece
                if "base" in spec:
                    spec = dict(spec, base=first + spec["base"])
                self.figures.append((self.length, self.length + len(surface), surface, spec))
                text = surface
            else:
                text = piece
            self.parts.append(text)
            self.length += len(text)
        end = self.length
        self.parts.append(" ")
        self.length += 1
        for i in range(first, len(self.figures)):
            s, e, surface, spec = self.figures[i]
            self.figures[i] = (s, e, surface, dict(spec, sentence=(start, end)))

    def build(self, article_id: str, published: date) -> tuple[Article, list[Figure]]:
        text = "".join(self.parts)
        figures = []
        for start, end, surface, spec in self.figures:
            change = None
            if "direction" in spec:
                change = Change(spec["direction"], spec.get("ref"), spec.get("base"))
            figures.append(
                Figure(
                    start=start,
                    end=end,
                    surface=surface,
                    value=spec["value"],
                    unit=spec.get("unit"),
                    kind=spec.get("kind", "count"),
                    approx=spec.get("approx", "exact"),
                    measure=spec.get("measure"),
                    entity=spec.get("entity"),
                    period=spec.get("period"),
                    change=change,
                    sentence_start=spec["sentence"][0],
                    sentence_end=spec["sentence"][1],
                    warnings=tuple(spec.get("warnings", ())),
                )
            )
        article = Article(
            article_id=article_id,
            text=text,
            url=f"https://bench.example/{article_id}",
            title=f"Synthetic article {article_id}",
            published=published,
            source="bench",
        )
        return article, figures


def _growth(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    level = rng.randint(20, 900) * 1000
    change = rng.randint(5, 90) * 100
    rate = round(100 * change / (level - change), 1) + (7 if wrong else 0)
    common = {"measure": ctx["measure"], "entity": ctx["entity"], "period": ctx["period"]}
    b.sentence(
        [
            f"{ctx['entity']} recorded ",
            (_n(level), {"value": level, **common}),
            f" {ctx['measure']} in {ctx['period']}, up ",
            (
                _n(change),
                {
                    "value": change,
                    "kind": "change",
                    "direction": "up",
                    "ref": str(int(ctx["period"]) - 1),
                    "base": 0,
                    **common,
                },
            ),
            " or ",
            (
                f"{rate} percent",
                {
                    "value": rate,
                    "kind": "change",
                    "unit": "percent",
                    "direction": "up",
                    "ref": str(int(ctx["period"]) - 1),
                    "base": 0,
                    **common,
                },
            ),
            ".",
        ]
    )


def _coverage(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    share = 104 if wrong else rng.randint(60, 99)
    b.sentence(
        [
            f"In {ctx['period']} the scheme was covering ",
            (
                f"{share}%",
                {"value": share, "kind": "percent", "unit": "percent", "period": ctx["period"]},
            ),
            " of residents.",
        ]
    )


def _self_compared(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    level = rng.randint(20, 900) * 1000
    change = rng.randint(5, 90) * 100
    reference = ctx["period"] if wrong else str(int(ctx["period"]) - 1)
    common = {"measure": "participants", "entity": ctx["entity"], "period": ctx["period"]}
    b.sentence(
        [
            f"In {ctx['period']}, ",
            (_n(level), {"value": level, **common}),
            " people took part, ",
            (
                _n(change),
                {
                    "value": change,
                    "kind": "change",
                    "direction": "up",
                    "ref": reference,
                    "base": 0,
                    **common,
                },
            ),
            f" more than in {reference}.",
        ]
    )


def _currency(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    usd = rng.randint(11, 99)
    cny = round(usd * 7.0 * (1.4 if wrong else 1.0) / 10, 2)
    b.sentence(
        [
            "The fund had revenue of ",
            (
                f"{cny} billion yuan",
                {"value": cny * 1e9, "kind": "money", "unit": "CNY", "period": "2023"},
            ),
            " (",
            (
                f"${usd / 10:.1f} billion",
                {"value": usd / 10 * 1e9, "kind": "money", "unit": "USD", "period": "2023"},
            ),
            ") in 2023.",
        ]
    )


def _share(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    whole = rng.randint(20, 90) * 100
    part = whole // 4
    share = 40 if wrong else 25
    b.sentence(
        [
            "In the district, ",
            (_n(part), {"value": part}),
            " households, or ",
            (f"{share} percent", {"value": share, "kind": "percent", "unit": "percent"}),
            " of the ",
            (_n(whole), {"value": whole}),
            " households, joined.",
        ]
    )


def _target(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    value = 93.1 if wrong else 96.8
    b.sentence(
        [
            "The rate reached ",
            (
                f"{value}%",
                {"value": value, "kind": "percent", "unit": "percent", "measure": "rate"},
            ),
            ", exceeding the target of ",
            ("95%", {"value": 95, "kind": "percent", "unit": "percent"}),
            ".",
        ]
    )


def _breakdown(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    a, c = rng.randint(10, 90), rng.randint(10, 90)
    total = a + c + (7 if wrong else 0)
    b.sentence(
        [
            "The ",
            (str(total), {"value": total}),
            " staff are made up of ",
            (str(a), {"value": a}),
            " doctors and ",
            (str(c), {"value": c}),
            " nurses.",
        ]
    )


def _restated(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    value = rng.randint(100, 900) * 100
    common = {"measure": "trained volunteers", "period": ctx["period"]}
    b.sentence(
        [
            "There were ",
            (_n(value), {"value": value, **common}),
            f" trained volunteers in {ctx['period']}.",
        ]
    )
    later = int(value * 1.3) if wrong else value
    b.sentence(["Officials later put the number at ", (_n(later), {"value": later, **common}), "."])


def _ambiguous(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    if wrong:
        whole, rest = rng.randint(100, 999), rng.randint(100, 999)
        b.sentence(
            [
                "The fair drew ",
                (
                    f"{whole}.{rest}",
                    {"value": whole + rest / 1000, "warnings": ["ambiguous_thousands_separator"]},
                ),
                " visitors.",
            ]
        )
    else:
        v = rng.randint(1000, 99999)
        b.sentence(["The fair drew ", (_n(v), {"value": v}), " visitors."])


def _reported(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    # the same key in many articles: cross_source_conflict's work
    key = ctx["shared_key"]
    value = key[3] * (1.3 if wrong else 1.0)
    b.sentence(
        [
            f"{key[0]} had ",
            (_n(value), {"value": value, "measure": key[1], "entity": key[0], "period": key[2]}),
            f" {key[1]} in {key[2]}.",
        ]
    )


def _filler(b: ArticleBuilder, rng: random.Random, ctx: dict, wrong: bool) -> None:
    n = rng.randint(2, 9999)
    b.sentence(
        [
            "There are ",
            (
                _n(n),
                {
                    "value": n,
                    "measure": rng.choice(MEASURES),
                    "entity": ctx["entity"],
                    "period": ctx["period"],
                },
            ),
            " sites in the area.",
        ]
    )


TEMPLATES = [
    _growth,
    _currency,
    _share,
    _target,
    _breakdown,
    _restated,
    _ambiguous,
    _reported,
    _coverage,
    _self_compared,
    _filler,
    _filler,
    _filler,
]


def synthetic_batches(n_figures: int, seed: int = 7, batch_articles: int = 500):
    """Yield load batches until about ``n_figures`` figures were produced."""
    rng = random.Random(seed)
    # the places grow with the data, as they do in real news: a (measure, entity, period) key
    # is shared by about as many articles at 1M figures as at 100k
    entities = [f"City{i:05d}" for i in range(max(200, n_figures // 50))]
    keys = [
        (
            rng.choice(entities),
            rng.choice(MEASURES),
            str(rng.choice(YEARS)),
            rng.randint(10, 900) * 100,
        )
        for _ in range(max(100, n_figures // 200))
    ]
    produced, article_no, batch = 0, 0, []
    while produced < n_figures:
        b = ArticleBuilder(rng)
        ctx = {
            "entity": rng.choice(entities),
            "measure": rng.choice(MEASURES),
            "period": str(rng.choice(YEARS)),
            "shared_key": rng.choice(keys),
        }
        for template in rng.sample(TEMPLATES, k=8):
            template(b, rng, ctx, rng.random() < 0.02)
        article, figures = b.build(f"bench{article_no:08d}", date(int(ctx["period"]) + 1, 3, 1))
        article_no += 1
        produced += len(figures)
        batch.append((article, figures))
        if len(batch) >= batch_articles:
            yield batch
            batch = []
    if batch:
        yield batch


def measure(n_figures: int, workdir: Path) -> dict:
    """Load ``n_figures`` synthetic figures into a new file, run the checks, return timings."""
    db = workdir / f"scale-{n_figures}.duckdb"
    db.unlink(missing_ok=True)
    con = connect(db)
    loaded = 0
    load_seconds = 0.0
    build_seconds = 0.0
    started = time.perf_counter()
    for batch in synthetic_batches(n_figures):
        built = time.perf_counter()
        build_seconds += built - started
        result = load_batch(con, batch, run_id="bench", extractor_version="bench")
        started = time.perf_counter()
        load_seconds += started - built
        loaded += result.figures_loaded
    timings: dict[str, float] = {}
    checks_started = time.perf_counter()
    flags = run_checks(con, "bench", timings=timings)
    checks_seconds = time.perf_counter() - checks_started
    per_check: dict[str, int] = {}
    for flag in flags:
        per_check[flag.check_name] = per_check.get(flag.check_name, 0) + 1
    relations = con.execute("select count(*) from relations").fetchall()[0][0]
    con.close()
    return {
        "figures": loaded,
        "load_seconds": round(load_seconds, 2),
        "figures_per_second": round(loaded / load_seconds),
        "generate_seconds": round(build_seconds, 2),
        "relations": relations,
        "checks_seconds": round(checks_seconds, 2),
        "step_seconds": {k: round(v, 3) for k, v in timings.items()},
        "flags": per_check,
        "db_megabytes": round(db.stat().st_size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--workdir", type=Path, help="where the database files go (a temp dir)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsfacts-scale-"))
    results = []
    for size in args.sizes:
        result = measure(size, workdir)
        results.append(result)
        print(
            f"\n{result['figures']:,} figures: load {result['load_seconds']} s "
            f"({result['figures_per_second']:,} figures/s), relations {result['relations']:,}, "
            f"checks {result['checks_seconds']} s, file {result['db_megabytes']} MB"
        )
        for step, seconds in result["step_seconds"].items():
            print(f"  {step:<26} {seconds:8.3f} s  flags {result['flags'].get(step, 0):>6,}")
    if len(results) > 1:
        small, large = results[0], results[-1]
        size_ratio = large["figures"] / small["figures"]
        print(
            f"\ngrowth {small['figures']:,} -> {large['figures']:,} figures "
            f"(x{size_ratio:.1f}); linear growth is x{size_ratio:.1f}"
        )
        print(f"  {'load':<26} x{large['load_seconds'] / small['load_seconds']:.1f}")
        for step in large["step_seconds"]:
            a, b = small["step_seconds"][step], large["step_seconds"][step]
            print(f"  {step:<26} x{b / a:.1f}" if a else f"  {step:<26} -")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
