"""Detection: the only package that imports Presidio and spaCy."""
from dataguard.detect.engine import (MODELS, NER_ENTITIES, Detector, ModelMissing, check_model, detector_fingerprint,
                                     known_entities)

__all__ = ["Detector", "ModelMissing", "known_entities", "NER_ENTITIES", "check_model", "detector_fingerprint", "MODELS"]
