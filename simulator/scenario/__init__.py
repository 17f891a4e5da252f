"""The scenario format: load, validate, and the typed model."""

from .loader import ScenarioFile, find_scenario_files, is_criteria_file, load_criteria, load_scenario, standard_criteria
from .model import ACTION_LABELS, ACTIONS, COMMANDS, CONTENT, Criterion, Line, Node, RubricItem, Scenario

__all__ = [
    "ACTIONS", "ACTION_LABELS", "COMMANDS", "CONTENT", "Criterion", "Line", "Node", "RubricItem", "Scenario",
    "ScenarioFile", "find_scenario_files", "is_criteria_file", "load_criteria", "load_scenario", "standard_criteria",
]
