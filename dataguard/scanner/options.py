"""What one scan is asked to do."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from dataguard.types import Limits, Site


@dataclass(frozen=True)
class ClusterOptions:
    """Where a cluster scan runs: a Dask scheduler, checked by ``tls.check_address``."""
    scheduler: str                          # tls://host:port (or tcp:// on loopback or when insecure)
    tls_folder: Optional[str] = None        # certificates of ``dataguard cluster certs`` (client role)
    connect_timeout_s: Optional[float] = None   # None: Dask's distributed.comm.timeouts.connect


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
    cluster: Optional[ClusterOptions] = None   # None: this machine (``workers`` processes)
