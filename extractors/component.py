"""The spaCy component ``newsfacts_figures``: ``nlp.add_pipe("newsfacts_figures")``.

spaCy imports this module (through the ``spacy_factories`` entry point) on every
``spacy.load``, so it imports nothing heavy at module level: the extractor is imported
when the component first runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

if not Doc.has_extension("figures"):
    Doc.set_extension("figures", default=None)
if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)


class FigureComponent:
    """Set ``doc._.figures`` (list of Figure) from the doc's text and its parse when present."""

    def __init__(self, name: str, *, published: str | None = None, use_parse: bool = True) -> None:
        self.name = name
        self.published = published
        self.use_parse = use_parse

    def __call__(self, doc: Doc) -> Doc:
        from extractors.figures import figures_from_doc  # lazy: keep spacy.load fast

        published: date | datetime | str | None = doc._.published or self.published
        doc._.figures = figures_from_doc(doc, published, use_parse=self.use_parse)
        return doc


@Language.factory(
    "newsfacts_figures",
    default_config={"published": None, "use_parse": True},
)
def make_figure_component(
    nlp: Language, name: str, *, published: str | None = None, use_parse: bool = True
) -> Any:
    """Return the component that fills ``doc._.figures``; ``published`` resolves "last year"."""
    return FigureComponent(name, published=published, use_parse=use_parse)
