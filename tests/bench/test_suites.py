"""Suites: the documented selection rule reproduces the fixed lists."""

from __future__ import annotations

import pytest

from rocket_hpo.bench.suites import SUITES, plausible_instances, suite_tasks
from rocket_hpo.errors import UsageError


def test_rbv2_members_follow_the_plausibility_rule() -> None:
    for scenario in ("rbv2_xgboost", "rbv2_rpart"):
        order = plausible_instances(scenario)
        members = [t.split("/")[2] for s in ("yahpo-dev", "yahpo-test") for t in SUITES[s]
                   if t.split("/")[1] == scenario]
        assert members == order[: len(members)]


def test_dev_holds_the_prototype_instances_and_is_disjoint_from_test() -> None:
    dev = set(suite_tasks("yahpo-dev"))
    assert {"yahpo/lcbench/3945", "yahpo/lcbench/7593", "yahpo/lcbench/126025"} <= dev
    assert dev.isdisjoint(suite_tasks("yahpo-test"))
    with pytest.raises(UsageError, match="suite"):
        suite_tasks("nope")
