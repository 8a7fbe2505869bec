"""The course's grader: fresh stubs score 0 with messages, edugrad's own code full marks, and a learner's
module is what gets graded."""

from __future__ import annotations

import dataclasses
import sys
import types

import pytest

from edugrad import function
from exercises.grader.__main__ import main
from exercises.grader.core import REGISTRY, Task, grade_task
from exercises.grader.registry import load_tasks

TASKS = [t for t in load_tasks() if t.group == "course"]


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_the_reference_gets_full_marks(task: Task) -> None:
    failed = [(r.check, r.message) for r in grade_task(task, reference=True) if not r.passed]
    assert failed == []


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_fresh_stubs_score_zero_with_a_message_and_a_hint(task: Task) -> None:
    results = grade_task(task, reference=False)
    assert results and not any(r.passed for r in results)
    assert all(r.message.startswith("not implemented yet") and r.hint for r in results)


def _learner_module(name: str, **objects: object) -> str:
    module = types.ModuleType(name)
    module.__dict__.update(objects)
    sys.modules[name] = module
    return name


def test_the_learners_module_is_what_gets_graded(monkeypatch: pytest.MonkeyPatch) -> None:
    task = REGISTRY["elementwise"]
    done = _learner_module("learner_done", Exp=function.Exp, Log=function.Log, Mul=function.Mul,
                           Sigmoid=function.Sigmoid)
    assert all(r.passed for r in grade_task(dataclasses.replace(task, module=done), reference=False))
    wrong = _learner_module("learner_wrong", Exp=function.Exp, Log=function.Exp, Mul=function.Mul,
                            Sigmoid=function.Sigmoid)
    failed = [r for r in grade_task(dataclasses.replace(task, module=wrong), reference=False) if not r.passed]
    assert [r.check for r in failed] == ["Log matches torch"]
    assert "at index" in failed[0].message and "expected" in failed[0].message and failed[0].hint


class ForgotTheDerivative(function.Log):
    def backward(self, g: function.Node) -> function.Grads:
        return g  # d/dx ln x is 1/x, not 1


def test_a_wrong_backward_fails_both_checks_of_its_function() -> None:
    task = REGISTRY["elementwise"]
    module = _learner_module("learner_bad_backward", Exp=function.Exp, Log=ForgotTheDerivative,
                             Mul=function.Mul, Sigmoid=function.Sigmoid)
    failed = [r for r in grade_task(dataclasses.replace(task, module=module), reference=False) if not r.passed]
    assert [r.check for r in failed] == ["Log matches torch", "Log passes check_function"]
    assert "the gradient of input 0" in failed[0].message


def test_a_missing_name_is_reported_for_every_check() -> None:
    task = REGISTRY["matmul"]
    results = grade_task(dataclasses.replace(task, module=_learner_module("learner_empty")), reference=False)
    assert all(not r.passed and "defines no MatMul" in r.message for r in results)


def test_the_command_line_prints_a_table_and_exits_with_the_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matmul", "--reference"]) == 0
    assert "4/4" in capsys.readouterr().out
    assert main(["matmul"]) == 1
    out = capsys.readouterr().out
    assert "0/4" in out and "hint:" in out and "Traceback" not in out
    with pytest.raises(SystemExit, match="no task or group named 'nothing'"):
        main(["nothing"])
