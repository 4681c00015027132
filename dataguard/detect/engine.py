"""The Detector: Presidio's recognizers and spaCy NER, run cheap first over chunks in batches,
returning dataguard Matches. Its parts: ``models`` (spaCy, offline set-up), ``registry``
(which recognizers), ``windows`` (where they run), ``context`` (context words), ``ner``
(where NER runs), ``tabular`` (table layout), ``columns`` (column semantics), ``filters``
(decoys, overlaps)."""
from __future__ import annotations

from typing import Iterable, Iterator, Optional

from dataguard.detect.registry import build as build_recognizers, known_entities
from dataguard.detect.config import DetectorConfig, detector_fingerprint
from dataguard.detect.context import with_context
from dataguard.detect.entities import NER_ENTITIES
from dataguard.detect.filters import postprocess
from dataguard.detect.models import MODELS, ModelMissing, check_model, load_nlp, offline_tldextract  # noqa: F401 - public names
from dataguard.detect.ner import NerRunner
from dataguard.detect.columns import ColumnJudge, vocabulary_for
from dataguard.detect.windows import run_windowed, trigger_set
from dataguard.types import Chunk


class Detector:
    """Runs Presidio over chunks in batches and returns dataguard Matches.

    ``Detector(config=DetectorConfig(...))``, or ``Detector(entities=..., ner=..., ...)`` with
    ``DetectorConfig``'s fields as keywords. The spaCy model is loaded only when NER is on
    and some requested entity needs it.
    """

    def __init__(self, config: Optional[DetectorConfig] = None, **kwargs):
        if config is None:
            config = DetectorConfig.from_kwargs(**kwargs)
        elif kwargs:
            raise TypeError("pass either a DetectorConfig or keyword settings, not both")
        offline_tldextract()
        self.config = config
        known = known_entities() | {c.entity for c in config.custom}
        self.entities = frozenset(known if config.entities is None else config.entities)
        self._ner = config.ner and bool(self.entities & NER_ENTITIES)
        vocabulary = vocabulary_for(config.columns)
        self._nlp_lang = load_nlp(config.language) if self._ner else None
        self._ner_runner = NerRunner(self._nlp_lang, self.entities, vocabulary) if self._ner else None
        self._recognizers = build_recognizers(self.entities, config.language, config.phone_regions, config.custom)
        self._triggers = trigger_set(self._recognizers)
        self._columns = ColumnJudge(vocabulary, self.entities, _context_words(self._recognizers))

    @classmethod
    def from_kwargs(cls, **kwargs) -> "Detector":
        return cls(DetectorConfig.from_kwargs(**kwargs))

    # ------------------------------------------------------------------ public
    @property
    def ner_enabled(self) -> bool:
        return self._ner

    def fingerprint(self) -> str:
        c = self.config
        return detector_fingerprint(entities=self.entities, custom=c.custom, columns=c.columns, ner=c.ner,
                                    language=c.language,
                                    phone_regions=c.phone_regions, score_floor=c.score_floor)

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
    def _analyze_batch(self, batch: list):
        """Cheap first: Presidio's pattern/checksum recognizers run on windows around their
        triggers' hits, with a context check on the few words before each candidate; spaCy NER
        runs, in one ``nlp.pipe`` call per batch, only on the regions that can hold a name."""
        ner_results = self._ner_runner.run(batch) if self._ner else [[] for _ in batch]
        floor = self.config.score_floor
        for chunk, ner in zip(batch, ner_results):
            results = list(ner)
            text = chunk.text
            ext_context = [c.lower() for c in chunk.context]
            low = text.lower()
            hits = self._triggers.find(text, low)
            aligned = len(low) == len(text)      # lower-casing kept the offsets (it nearly always does)
            for t in self._recognizers:
                for r in run_windowed(t, text, hits, aligned):
                    r.score = with_context(t.context, r, text, ext_context)
                    if r.score >= floor:
                        r.recognition_metadata = r.recognition_metadata or {}
                        r.recognition_metadata.setdefault("recognizer_name", t.name)
                        results.append(r)
            yield chunk, postprocess(chunk, self._columns.judge(chunk, results), floor, self.entities)


def _context_words(recognizers: list) -> dict:
    """entity -> the lower-case context words of the recognizers reporting it."""
    out: dict = {}
    for t in recognizers:
        for e in t.entities:
            out[e] = out.get(e, frozenset()) | t.context
    return out
