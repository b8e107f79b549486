"""wijkmix.plan: the plan file, the instrument catalogue and the precision checks.

*besluiten* (decide): does our plan add up? A plan (TOML) is read and validated
by :func:`load_plan`, its measures name instruments of :data:`CATALOGUE`, and
:func:`check_plan` runs the registered precision checks (:data:`RULES`).

>>> sorted(RULES)[:3]
['P001', 'P002', 'P003']
>>> CATALOGUE["sloop"].sim_event
'demolition'
"""

from wijkmix.plan.catalogue import CATALOGUE, GROUPS, Instrument, catalogue_frame, instrument
from wijkmix.plan.checks import (
    RULES,
    CheckReport,
    Finding,
    Rule,
    check_plan,
    reachable_social_share,
    rule,
)
from wijkmix.plan.monitor import DivergenceRule, MonitorReport, divergence, monitor
from wijkmix.plan.schema import (
    Goal,
    Measure,
    Party,
    Plan,
    StockEntry,
    load_plan,
    plan_from_dict,
    plan_json_schema,
    write_plan_json_schema,
)
from wijkmix.plan.simulate import GoalScores, plan_to_scenario, score_goals, translate_plan

__all__ = [
    "CATALOGUE",
    "GROUPS",
    "RULES",
    "CheckReport",
    "DivergenceRule",
    "Finding",
    "Goal",
    "GoalScores",
    "Instrument",
    "Measure",
    "MonitorReport",
    "Party",
    "Plan",
    "Rule",
    "StockEntry",
    "catalogue_frame",
    "check_plan",
    "divergence",
    "instrument",
    "load_plan",
    "monitor",
    "plan_from_dict",
    "plan_json_schema",
    "plan_to_scenario",
    "reachable_social_share",
    "rule",
    "score_goals",
    "translate_plan",
    "write_plan_json_schema",
]
