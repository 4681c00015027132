"""Detection: the only package that imports Presidio and spaCy.

Its public names are imported on first use (PEP 562): a module that needs only a light part
of the package (``entities``, ``config``, ``json_escapes``) does not load the recognizers,
and a rescan in which every item is unchanged never loads them."""
import importlib

from dataguard.detect import lazy_presidio

lazy_presidio.install()     # before any module of this package imports Presidio

_PUBLIC = {
    "DEFAULT_REGIONS": "config", "DetectorConfig": "config", "detector_fingerprint": "config",
    "Detector": "engine", "NER_ENTITIES": "entities", "MODELS": "models", "ModelMissing": "models",
    "check_model": "models", "known_entities": "entities",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
