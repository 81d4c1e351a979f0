"""Temporary old import path of :mod:`.registry` for the recruit app's modules (remove when
they import :mod:`dangjian.rules.registry`)."""

from .registry import REGISTRY, Finding, RuleFunc, RuleSpec, rule

__all__ = ["REGISTRY", "Finding", "RuleFunc", "RuleSpec", "rule"]
