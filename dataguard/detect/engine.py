"""The Detector: Presidio's recognizers and spaCy NER, run cheap first over chunks in batches,
returning dataguard Matches. Its parts: ``models`` (spaCy, offline set-up), ``registry``
(which recognizers), ``windows`` (where they run), ``context`` (context words), ``ner``
(where NER runs), ``tabular`` (table layout), ``columns`` (column semantics), ``filters``
(decoys, overlaps)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from dataguard.detect.registry import build as build_recognizers
from dataguard.detect.config import DetectorConfig, detector_fingerprint
from dataguard.detect.context import context_found, in_external, with_context
from dataguard.detect.entities import NER_ENTITIES, known_entities
from dataguard.detect.filters import CONTEXT_KEY, CONTEXT_RAISE_KEY, postprocess
from dataguard.detect.encoded_words import decode as decode_encoded_words, place, unescape_json, widen as widen_to_encoded
from dataguard.detect.language import detect_language
from dataguard.detect.models import (AUTO, FALLBACK, MODELS, NER_MODEL_FOR, ModelMissing, check_model,  # noqa: F401
                                    load_nlp, ner_languages)
from dataguard.detect.columns import NEED_CONTEXT, ColumnJudge, vocabulary_for
from dataguard.detect.windows import RunPlan, run_windowed, trigger_set
from dataguard.types import Chunk

if TYPE_CHECKING:
    from dataguard.detect.ner import NerRunner


class Detector:
    """Runs Presidio over chunks in batches and returns dataguard Matches.

    ``Detector(config=DetectorConfig(...))``, or ``Detector(entities=..., ner=..., ...)`` with
    ``DetectorConfig``'s fields as keywords. The spaCy model is loaded only when NER is on
    and some requested entity needs it: at once, or with ``load_models=False`` by
    ``load_models()`` or on first use (a scanning process builds the detector its forked
    workers inherit without the model, which each worker loads).
    """

    def __init__(self, config: Optional[DetectorConfig] = None, *, load_models: bool = True, **kwargs):
        if config is None:
            config = DetectorConfig.from_kwargs(**kwargs)
        elif kwargs:
            raise TypeError("pass either a DetectorConfig or keyword settings, not both")
        self.config = config
        known = known_entities() | {c.entity for c in config.custom}
        self.entities = frozenset(known if config.entities is None else config.entities)
        self._ner = config.ner and bool(self.entities & NER_ENTITIES)
        self._vocabulary = vocabulary_for(config.columns)
        self._runners: dict = {}            # model language -> NerRunner, loaded on first use
        if self._ner:       # (its module, with its regexes, before a scanning process forks: not in a --no-ner scan)
            import dataguard.detect.ner  # noqa: F401
        if load_models:
            self.load_models()
        self._recognizers = build_recognizers(self.entities, config)
        self._triggers = trigger_set(self._recognizers)
        self._plan = RunPlan(self._recognizers)
        self._columns = ColumnJudge(self._vocabulary, self.entities, _context_words(self._recognizers), self._ner)

    @classmethod
    def from_kwargs(cls, **kwargs) -> "Detector":
        return cls(DetectorConfig.from_kwargs(**kwargs))

    # ------------------------------------------------------------------ public
    def load_models(self) -> None:
        """Load the NER model (the fallback's, with ``language="auto"``; the others on first
        use) and check every model it may need is installed (``ModelMissing``); idempotent."""
        if self._ner:
            for lang in ner_languages(self.config.language):
                check_model(lang)
            self._runner(FALLBACK if self.config.language == AUTO else self.config.language)

    @property
    def ner_enabled(self) -> bool:
        return self._ner

    def fingerprint(self) -> str:
        c = self.config
        return detector_fingerprint(entities=self.entities, custom=c.custom, columns=c.columns, ner=c.ner,
                                    language=c.language, countries=c.countries, phone_regions=c.phone_regions,
                                    context=c.context, score_floor=c.score_floor)

    def analyze(self, chunks: Iterable[Chunk]) -> Iterator[tuple]:
        """(chunk, sorted Matches) for each chunk, in order."""
        batch = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= self.config.batch_size:
                yield from self._analyze_batch(batch)
                batch = []
        if batch:
            yield from self._analyze_batch(batch)

    # ------------------------------------------------------------------ internals
    def _runner(self, lang: str) -> NerRunner:
        from dataguard.detect.ner import NerRunner
        if lang not in self._runners:
            self._runners[lang] = NerRunner(load_nlp(lang), self.entities, self._vocabulary)
        return self._runners[lang]

    def _chunk_model(self, chunk: Chunk) -> Optional[str]:
        """The NER model for the chunk: its language's (``language="auto"``) or the configured one;
        None: no model for its language (patterns and context only)."""
        if self.config.language != AUTO:
            return self.config.language
        end = len(chunk.text) if chunk.keep_end is None else chunk.keep_end
        lang = detect_language(chunk.text[chunk.keep_start:end])
        return FALLBACK if lang is None else NER_MODEL_FOR[lang]

    def _ner_batch(self, batch: list) -> list:
        """NER results per chunk, each chunk with its language's model (one pass per model)."""
        out: list = [[] for _ in batch]
        if not self._ner:
            return out
        by_model: dict = {}
        for i, chunk in enumerate(batch):
            model = self._chunk_model(chunk)
            if model is not None:
                by_model.setdefault(model, []).append(i)
        for model, idx in by_model.items():
            for i, results in zip(idx, self._runner(model).run([batch[i] for i in idx])):
                out[i] = results
        return out

    def _analyze_batch(self, batch: list):
        """Cheap first: Presidio's pattern/checksum recognizers run on windows around their
        triggers' hits, with a context check on the few words before each candidate; spaCy NER
        runs, in one ``nlp.pipe`` call per batch, only on the regions that can hold a name."""
        decoded = [(runs,) + unescape_json(c) for c, runs in map(decode_encoded_words, batch)]
        ner_results = self._ner_batch([c for _, c, _ in decoded])
        floor = self.config.score_floor
        for original, (runs, chunk, escapes), ner in zip(batch, decoded, ner_results):
            results = list(ner)
            text = chunk.text
            ext_context = [c.lower() for c in chunk.context]
            hits = self._triggers.find(text)
            for t in self._plan.runnable(hits, bool(ext_context)):
                in_header = bool(ext_context) and in_external(t.context, ext_context)
                for r in run_windowed(t, text, hits, t.needs_context and in_header):
                    base = r.score
                    r.score = with_context(t.context, r, text, ext_context, t.needs_context)
                    # (a recognizer that needs context: its word near, which raised the score, or
                    # which could not, the score being 1.0 already)
                    if r.score >= floor and not (t.needs_context and r.score <= base
                                                 and not context_found(t.context, r, text, ext_context, own=True)):
                        r.recognition_metadata = r.recognition_metadata or {}
                        r.recognition_metadata.setdefault("recognizer_name", t.name)
                        if in_header and (r.score > base or t.needs_context):   # (a word of the header may have raised
                            # it, or let it through: one that needs context, at 1.0 already)
                            r.recognition_metadata[CONTEXT_RAISE_KEY] = 0.0 if t.needs_context else base
                        if r.entity_type in NEED_CONTEXT:    # a check digit a random number may pass
                            r.recognition_metadata[CONTEXT_KEY] = bool(
                                context_found(t.context, r, text, ext_context))
                        results.append(r)
            judged = self._columns.judge(chunk, results)
            found = place(postprocess(chunk, judged, floor, self.entities), escapes)
            yield original, widen_to_encoded(found, runs, original.text)


def _context_words(recognizers: list) -> dict:
    """entity -> the lower-case context words of the recognizers reporting it."""
    out: dict = {}
    for t in recognizers:
        for e in t.entities:
            out[e] = out.get(e, frozenset()) | t.context
    return out
