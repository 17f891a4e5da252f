"""Scoring: what one reply does, and how a whole session measures up."""

from .detect import Detector, Match, PhraseDetector
from .rubric import DEFAULT_POLICY, policy_version, score_session
from .verdict import DimensionScore, Evidence, Measures, Result, Verdict, dimension_label

__all__ = ["DEFAULT_POLICY", "DimensionScore", "Detector", "Evidence", "Match", "Measures", "PhraseDetector",
           "Result", "Verdict", "dimension_label", "policy_version", "score_session"]
