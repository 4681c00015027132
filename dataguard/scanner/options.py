"""What one scan is asked to do."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from dataguard.types import Limits, Site


@dataclass
class ScanOptions:
    targets: list                          # list[(uri, SourceOptions)]
    packs: list                            # list[RulePack]
    site: Site = field(default_factory=Site)
    limits: Limits = field(default_factory=Limits)
    max_evidence: Optional[int] = 10       # None: all
    show_data: bool = False
    detector_kwargs: dict = field(default_factory=dict)   # for dataguard.detect.Detector
    workers: int = 1
    batch_chunks: int = 16
    state_path: Optional[str] = None
    max_duration_s: Optional[float] = None
