"""Orchestration: targets -> items -> chunks -> detections -> unit summaries -> findings.

| module | job |
| --- | --- |
| ``options`` | ``ScanOptions``: what one scan is asked to do |
| ``run`` | ``run_scan``: the executor, targets in order, the state, signals, the ``ScanResult`` |
| ``stream`` | one source's items: unchanged ones reused from the state, new ones through a pipeline |
| ``pipeline`` | the items in flight (``InFlightItem``): chunks out to an executor, matches back in order |
| ``executors`` | the ``Executor`` interface; ``InProcessExecutor`` for a caller's detector object |
| ``supervised`` | ``SupervisedExecutor``: items by reference to local worker processes, each item under a hard deadline |
| ``cluster`` | ``DaskExecutor``: items by reference to the workers of a Dask cluster |
| ``remote`` | what runs on a worker (Dask or local): ``ItemRef`` -> open, extract, detect, aggregate |
| ``tls`` | the cluster's mutual-TLS certificates and the scheduler address policy |
| ``aggregate`` | matches -> ``UnitSummary`` (counts, capped hashes and evidence) |
| ``sink`` | the one place findings and problems of a scan are collected |
| ``deadline`` | the time budget and the reason a scan stopped early; an injectable clock |
| ``events`` | ``ProgressSink``: the events a running scan reports (item, done, problem) |

The result of a scan does not depend on the executor or its number of workers: batches
are read back in submission order.
"""
from dataguard.scanner.deadline import Clock, Deadline
from dataguard.scanner.events import ProgressSink
from dataguard.scanner.executors import Executor, ExecutorLost, ExecutorUnavailable, InProcessExecutor
from dataguard.scanner.options import ClusterOptions, ScanOptions
from dataguard.scanner.run import make_executor, run_scan
from dataguard.scanner.supervised import SupervisedExecutor

__all__ = ["Clock", "ClusterOptions", "Deadline", "Executor", "ExecutorLost", "ExecutorUnavailable",
           "InProcessExecutor", "ProgressSink", "ScanOptions", "SupervisedExecutor", "make_executor", "run_scan"]
