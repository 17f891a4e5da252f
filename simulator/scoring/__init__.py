"""Scoring: what one reply does, and how a whole session measures up."""

from .detect import Detector, Match, PhraseDetector
from .rubric import score_session
from .verdict import DimensionScore, Evidence, Result, Verdict, dimension_label

__all__ = ["DimensionScore", "Detector", "Evidence", "Match", "PhraseDetector", "Result", "Verdict",
           "dimension_label", "score_session"]
