"""The scenario format: load, validate, and the typed model."""

from .loader import (ScenarioFile, file_kind, find_scenario_files, is_criteria_file, load_criteria, load_policy,
                     load_scenario, standard_criteria)
from .model import ACTION_LABELS, ACTIONS, COMMANDS, CONTENT, split_command, Criterion, Line, Node, Policy, RubricItem, Scenario

__all__ = [
    "ACTIONS", "ACTION_LABELS", "COMMANDS", "split_command", "CONTENT", "Criterion", "Line", "Node", "RubricItem", "Scenario",
    "Policy", "ScenarioFile", "file_kind", "find_scenario_files", "is_criteria_file", "load_criteria", "load_policy",
    "load_scenario", "standard_criteria",
]
