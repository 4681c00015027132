"""Detection: the only package that imports Presidio and spaCy."""
from dataguard.detect import lazy_presidio

lazy_presidio.install()     # before any module of this package imports Presidio

from dataguard.detect.config import DEFAULT_REGIONS, DetectorConfig, detector_fingerprint  # noqa: E402
from dataguard.detect.engine import Detector
from dataguard.detect.entities import NER_ENTITIES
from dataguard.detect.models import MODELS, ModelMissing, check_model
from dataguard.detect.registry import known_entities

__all__ = ["Detector", "DetectorConfig", "ModelMissing", "known_entities", "NER_ENTITIES", "check_model",
           "detector_fingerprint", "MODELS", "DEFAULT_REGIONS"]
