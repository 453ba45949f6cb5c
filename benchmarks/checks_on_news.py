"""False-alarm audit: run the extractor and every check on 181 real articles (html_bench).

    python benchmarks/checks_on_news.py            # flags per check, each with its sentence

Reads the hand-made article bodies in ../shared/html_bench/ground_truth.jsonl (skips when the
folder is absent). Real news rarely contradicts itself, so nearly every flag printed here is a
false alarm to study, or a true finding worth a fixture. Last look (extractor of 2026-11-23):
8 flags, all ambiguous_number_format on counts written with a dot as thousands separator
(in German, Indonesian and one English page), which are stored 1,000 times too small.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from extractors.figures import extract_many
from extractors.records import Article, article_id_for
from warehouse.load import connect, load_batch
from warehouse.reconcile import run_checks

BENCH = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "html_bench" / "ground_truth.jsonl"
)


def main() -> None:
    if not BENCH.exists():
        print(f"skipped: {BENCH} is not here")
        return
    rows = [json.loads(line) for line in BENCH.read_text(encoding="utf-8").splitlines() if line]
    texts = [row.get("body") or "" for row in rows]
    batch = [
        (
            Article(
                article_id=article_id_for(row["id"]), text=text, url=row.get("url"), title=row["id"]
            ),
            figures,
        )
        for row, text, figures in zip(
            rows, texts, extract_many((t, None) for t in texts), strict=True
        )
    ]
    db = Path(tempfile.mkdtemp(prefix="newsfacts-audit-")) / "audit.duckdb"
    con = connect(db)
    result = load_batch(con, batch, run_id="audit", extractor_version="audit")
    flags = run_checks(con, "audit")
    relations = dict(
        con.execute("select relation, count(*) from relations group by all").fetchall()
    )
    print(f"{len(batch)} articles, {result.figures_loaded} figures, relations {relations}")
    print(f"{len(flags)} flags: {dict(Counter(f.check_name for f in flags))}")
    for flag in sorted(flags, key=lambda f: (f.check_name, f.message)):
        sentence = con.execute(
            "select string_agg(distinct f.sentence, ' | ') from unnest(?) as u(id) "
            "join figures as f on f.figure_id = u.id",
            [list(flag.figure_ids)],
        ).fetchall()[0][0]
        print(
            f"\n[{flag.severity}] {flag.check_name}: {flag.message}\n  > {(sentence or '')[:300]}"
        )
    con.close()


if __name__ == "__main__":
    sys.exit(main())
