"""YAML rule packs: load, validate, evaluate.

Public interface (see docs/ARCHITECTURE.md):
``load_packs, validate_packs, RuleError, RulePack, Rule, evaluate, needed_entities, default_pack_paths``.
The YAML format and its extensions are documented in ``dataguard/rules/model.py``
and in the default pack ``rules/default.yaml``.
"""
from .engine import evaluate, evaluation_keyer, fingerprint, needed_entities
from dataguard.globs import GlobError, glob_match, glob_to_regex
from .loader import (Escalation, Rule, RuleError, RulePack, Scope, column_signals, default_column_signals,
                     default_pack_paths, load_packs, validate_packs)
from .risky import nested_quantifier, pattern_warnings

__all__ = ["load_packs", "validate_packs", "RuleError", "RulePack", "Rule", "Scope", "Escalation", "evaluate",
           "evaluation_keyer", "needed_entities", "column_signals", "default_column_signals", "default_pack_paths",
           "fingerprint", "glob_match", "glob_to_regex", "GlobError", "nested_quantifier", "pattern_warnings"]
