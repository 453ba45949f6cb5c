"""Main-text quality on ../shared/html_bench: trafilatura defaults (the peer) vs our parser.

The metric is the one ../shared/html_bench/README.md describes (the scrapinghub
article-extraction-benchmark metric), written here from that description:

- tokens: maximal runs of Unicode letters, digits and underscore, case kept;
- shingles: word 4-grams as multisets (1 to 3 tokens give one shorter shingle);
- per page: P = TP/(TP+FP), R = TP/(TP+FN), 1 when nothing is extra or missing;
- corpus: P and R are macro-averaged; an empty extraction is left out of the precision
  average and counts as recall 0; F1 is the harmonic mean of the averaged P and R;
- accuracy: share of pages whose token sequence equals the ground truth;
- figure mentions (not part of the benchmark): FIGURE_RE matches, lower-cased and
  whitespace-normalised, compared as multisets; R and P are pooled over all pages.

Usage:
    python benchmarks/html_bench.py [--bench-dir ../shared/html_bench] [--limit N]
                                    [--json out.json] [--bootstrap N] [--only ours]

The pages are test data for internal evaluation only: never copy them into the repo.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "html_bench"

TOKEN_RE = re.compile(r"[^\W]+")  # \w: Unicode letters, digits, underscore
FIGURE_RE = re.compile(
    r"\d+(?:[.,]\d+)*\s*(?:%|per\s*cent\b|percent\b|"
    r"(?:thousand|million|billion|trillion|bn|mn|mln|tn)\b)",
    re.IGNORECASE,
)
SHINGLE = 4

Extractor = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class BenchPage:
    """One benchmark page: id, URL, decoded HTML and ground-truth body."""

    page_id: str
    url: str
    html: str
    body: str

    @property
    def has_figures(self) -> bool:
        """Return True when the ground-truth body holds at least one figure mention."""
        return bool(FIGURE_RE.search(self.body))


@dataclass(frozen=True, slots=True)
class PageScore:
    """Scores of one extraction against one ground truth."""

    page_id: str
    empty: bool
    precision: float | None
    recall: float
    exact: bool
    figures_true: int
    figures_found: int
    figures_matched: int


@dataclass(slots=True)
class CorpusScore:
    """Macro-averaged scores over a set of pages."""

    pages: int
    f1: float
    precision: float
    recall: float
    accuracy: float
    empty: int
    figure_pages: int
    figure_page_f1: float
    figure_recall: float
    figure_precision: float
    figures_true: int
    figures_found: int
    figures_matched: int
    ms_per_page: float | None = None
    f1_std: float | None = None
    per_page: list[PageScore] = field(default_factory=list, repr=False)


def tokens(text: str) -> list[str]:
    """Return the word tokens of a text (runs of letters, digits and underscore).

    >>> tokens("It rose 3.5% to $1,200 in 2024.")
    ['It', 'rose', '3', '5', 'to', '1', '200', 'in', '2024']
    """
    return TOKEN_RE.findall(text)


def shingles(toks: Sequence[str], n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Return the multiset of word n-grams; 1 to n-1 tokens give one shorter shingle.

    >>> sorted(shingles(["a", "b", "c"]))
    [('a', 'b', 'c')]
    >>> len(shingles(list("abcdef")))
    3
    """
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def figure_mentions(text: str) -> Counter[str]:
    """Return the multiset of figure mentions, lower-cased, whitespace normalised.

    >>> sorted(figure_mentions("Up 5 %, to 3 Million; 12 percent and 2bn."))
    ['12 percent', '2bn', '3 million', '5 %']
    """
    return Counter(" ".join(m.group(0).lower().split()) for m in FIGURE_RE.finditer(text))


def score_page(page_id: str, truth: str, prediction: str | None) -> PageScore:
    """Return the page's precision (None when the extraction is empty), recall and figures."""
    true_figs = figure_mentions(truth)
    if not prediction or not prediction.strip():
        return PageScore(page_id, True, None, 0.0, False, sum(true_figs.values()), 0, 0)
    true_toks, pred_toks = tokens(truth), tokens(prediction)
    true_sh, pred_sh = shingles(true_toks), shingles(pred_toks)
    tp = sum((true_sh & pred_sh).values())
    fp = sum(pred_sh.values()) - tp
    fn = sum(true_sh.values()) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    pred_figs = figure_mentions(prediction)
    return PageScore(
        page_id=page_id,
        empty=False,
        precision=precision,
        recall=recall,
        exact=true_toks == pred_toks,
        figures_true=sum(true_figs.values()),
        figures_found=sum(pred_figs.values()),
        figures_matched=sum((true_figs & pred_figs).values()),
    )


def _prf(scores: Sequence[PageScore]) -> tuple[float, float, float]:
    precisions = [s.precision for s in scores if s.precision is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(s.recall for s in scores) / len(scores) if scores else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def aggregate(scores: Sequence[PageScore], figure_ids: set[str], bootstrap: int = 0) -> CorpusScore:
    """Return the corpus scores of per-page scores (bootstrap: F1 std over N resamples)."""
    f1, precision, recall = _prf(scores)
    fig_f1, _, _ = _prf([s for s in scores if s.page_id in figure_ids])
    true = sum(s.figures_true for s in scores)
    found = sum(s.figures_found for s in scores)
    matched = sum(s.figures_matched for s in scores)
    f1_std = None
    if bootstrap and scores:
        rng = random.Random(0)
        samples = [_prf(rng.choices(scores, k=len(scores)))[0] for _ in range(bootstrap)]
        mean = sum(samples) / len(samples)
        f1_std = (sum((x - mean) ** 2 for x in samples) / len(samples)) ** 0.5
    return CorpusScore(
        pages=len(scores),
        f1=f1,
        precision=precision,
        recall=recall,
        accuracy=sum(s.exact for s in scores) / len(scores) if scores else 0.0,
        empty=sum(s.empty for s in scores),
        figure_pages=len(figure_ids & {s.page_id for s in scores}),
        figure_page_f1=fig_f1,
        figure_recall=matched / true if true else 1.0,
        figure_precision=matched / found if found else 1.0,
        figures_true=true,
        figures_found=found,
        figures_matched=matched,
        f1_std=f1_std,
        per_page=list(scores),
    )


def load_bench(bench_dir: Path, limit: int | None = None) -> list[BenchPage]:
    """Return the benchmark's pages with their ground truth, in id order."""
    truth: dict[str, dict[str, str]] = {}
    with (bench_dir / "ground_truth.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                truth[row["id"]] = row
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = gzip.decompress((bench_dir / "pages" / f"{page_id}.html.gz").read_bytes())
        row = truth[page_id]
        pages.append(BenchPage(page_id, row.get("url", ""), raw.decode("utf-8"), row["body"]))
    return pages


def run(extract: Extractor, pages: Sequence[BenchPage], bootstrap: int = 0) -> CorpusScore:
    """Return the extractor's corpus scores; an extractor exception scores as "nothing"."""
    if pages:
        _safe(extract, pages[0].html)  # untimed warm-up (imports, caches)
    scores, elapsed = [], 0.0
    for page in pages:
        start = time.perf_counter()
        prediction = _safe(extract, page.html)
        elapsed += time.perf_counter() - start
        scores.append(score_page(page.page_id, page.body, prediction))
    figure_ids = {p.page_id for p in pages if p.has_figures}
    result = aggregate(scores, figure_ids, bootstrap)
    result.ms_per_page = 1000 * elapsed / len(pages) if pages else None
    return result


def _safe(extract: Extractor, html: str) -> str | None:
    try:
        return extract(html)
    except Exception as error:  # noqa: BLE001 -- scored as "nothing", as the benchmark does
        print(f"  extractor raised {type(error).__name__}: {error}", file=sys.stderr)
        return None


def trafilatura_defaults(html: str) -> str | None:
    """Return trafilatura.extract(html) with its default settings (the peer)."""
    import trafilatura

    return trafilatura.extract(html)


def ours(html: str) -> str | None:
    """Return our parser's main text (extractors.html.main_text)."""
    from extractors.html import main_text

    return main_text(html)


EXTRACTORS: dict[str, Extractor] = {"trafilatura-defaults": trafilatura_defaults, "ours": ours}


def _table(results: dict[str, CorpusScore]) -> str:
    rows = [
        ("F1", lambda s: f"{s.f1:.3f}" + (f" ± {s.f1_std:.3f}" if s.f1_std else "")),
        ("precision", lambda s: f"{s.precision:.3f}"),
        ("recall", lambda s: f"{s.recall:.3f}"),
        ("accuracy", lambda s: f"{s.accuracy:.3f}"),
        ("empty pages", lambda s: str(s.empty)),
        ("figure-page F1", lambda s: f"{s.figure_page_f1:.3f} ({s.figure_pages} pages)"),
        ("figure-mention R", lambda s: f"{s.figure_recall:.3f}"),
        ("figure-mention P", lambda s: f"{s.figure_precision:.3f}"),
        (
            "figures m/found/true",
            lambda s: f"{s.figures_matched}/{s.figures_found}/{s.figures_true}",
        ),
        ("ms/page", lambda s: f"{s.ms_per_page:.1f}" if s.ms_per_page is not None else "-"),
    ]
    names = list(results)
    width = max(22, *(len(n) + 2 for n in names))
    lines = ["".ljust(22) + "".join(n.rjust(width) for n in names)]
    for label, cell in rows:
        lines.append(label.ljust(22) + "".join(cell(results[n]).rjust(width) for n in names))
    return "\n".join(lines)


def _worst(result: CorpusScore, pages: Iterable[BenchPage], n: int = 10) -> str:
    urls = {p.page_id: p.url for p in pages}

    def f1(s: PageScore) -> float:
        p = s.precision or 0.0
        return 2 * p * s.recall / (p + s.recall) if p + s.recall else 0.0

    worst = sorted(result.per_page, key=f1)[:n]
    return "\n".join(
        f"  {f1(s):.2f}  P {s.precision or 0:.2f} R {s.recall:.2f}  {s.page_id[:12]}  {urls[s.page_id]}"
        for s in worst
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Score the extractors side by side; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    parser.add_argument("--limit", type=int, default=None, help="score the first N pages only")
    parser.add_argument("--json", type=Path, default=None, help="write scores (and per page) here")
    parser.add_argument("--bootstrap", type=int, default=0, help="F1 std over N resamples")
    parser.add_argument("--only", choices=sorted(EXTRACTORS), action="append", default=None)
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages of each")
    args = parser.parse_args(argv)

    if not (args.bench_dir / "ground_truth.jsonl").is_file():
        print(f"html_bench not found at {args.bench_dir}: nothing to score.", file=sys.stderr)
        return 0
    sys.path.insert(0, str(REPO))
    pages = load_bench(args.bench_dir, args.limit)
    results: dict[str, CorpusScore] = {}
    for name in args.only or list(EXTRACTORS):
        print(f"scoring {name} on {len(pages)} pages ...", file=sys.stderr)
        results[name] = run(EXTRACTORS[name], pages, args.bootstrap)
    print(_table(results))
    if args.worst:
        for name, result in results.items():
            print(f"\n{name}: {args.worst} worst pages by F1")
            print(_worst(result, pages, args.worst))
    if args.json:
        payload = {
            name: {
                **{k: v for k, v in asdict(r).items() if k != "per_page"},
                "per_page": [asdict(s) for s in r.per_page],
            }
            for name, r in results.items()
        }
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
