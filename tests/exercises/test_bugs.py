"""The bug hunts: every planted bug is caught by the tool its file names (gradcheck, check_function or the
comparison with torch), edugrad's own version passes the same check, and the grader accepts the right
diagnosis only. The right diagnoses are written here in plain (the bug files keep only their hash)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from edugrad.function import GradcheckError, gradcheck
from edugrad.tensor import Tensor, dtypes
from exercises.bugs import log_softmax_shift, missing_save, sgd_decay_order
from exercises.bugs.hunt import Bug, TorchMismatch, expect_close, load_bugs, optimizer_steps
from exercises.bugs.tasks import diagnosis_check
from exercises.grader.__main__ import main
from exercises.grader.core import REGISTRY, Failure, Solution, grade_task
from exercises.grader.registry import load_tasks

BUGS = load_bugs()
ANSWERS = {
    "tanh_sign": "sign", "bias_broadcast": "size_one", "conv_window": "grad_x", "matmul_transposed": "grad_w",
    "missing_save": "unsaved", "untracked_sigmoid": "graph", "log_softmax_shift": "shift",
    "dropout_eval": "eval_scale", "batchnorm_variance": "running", "adam_bias": "bias", "sgd_decay_order": "order",
}
# What each tool raises: gradcheck a GradcheckError (or, for a gradient of the wrong shape, the engine's
# RuntimeError, of which GradcheckError is a kind), check_function a GradcheckError, the comparison a
# TorchMismatch.
RAISES = {"gradcheck": RuntimeError, "check_function": GradcheckError, "the torch comparison": TorchMismatch}


def test_at_least_ten_bugs_each_with_its_diagnosis_here() -> None:
    assert len(BUGS) >= 10
    assert sorted(b.key for b in BUGS) == sorted(ANSWERS)


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.key)
def test_the_planted_bug_is_caught(bug: Bug) -> None:
    with pytest.raises(RAISES[bug.tool]):
        bug.check(bug.planted)


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.key)
def test_edugrads_own_version_passes_the_same_check(bug: Bug) -> None:
    bug.check(bug.correct)


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.key)
def test_exactly_one_choice_is_right(bug: Bug) -> None:
    assert [c for c in bug.choices if bug.is_answer(c)] == [ANSWERS[bug.key]]


def test_gradcheck_passes_the_bugs_that_need_another_tool() -> None:
    """The reason those two bugs name another tool: their derivative is right."""
    x = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=dtypes.float64, requires_grad=True)
    assert gradcheck(missing_save.Exp.apply, [x])
    assert gradcheck(log_softmax_shift.log_softmax, [x])


def test_the_sgd_bug_agrees_with_torch_on_the_first_step_only() -> None:
    """Why its check compares every step, not the first alone."""
    first, second = optimizer_steps(sgd_decay_order.SGD, torch.optim.SGD, 2, **sgd_decay_order.OPTIONS)
    expect_close("step 1", *first)
    with pytest.raises(TorchMismatch, match="step 2"):
        expect_close("step 2", *second)


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.key)
def test_the_grader_accepts_the_right_diagnosis_only(bug: Bug) -> None:
    check = diagnosis_check(bug)
    check.run(Solution(**{bug.key: ANSWERS[bug.key].upper() + " "}))  # case and spaces do not matter
    for wrong in [c for c in bug.choices if c != ANSWERS[bug.key]]:
        with pytest.raises(Failure, match="is not what is wrong"):
            check.run(Solution(**{bug.key: wrong}))
    with pytest.raises(Failure, match="is none of the choices"):
        check.run(Solution(**{bug.key: "no idea"}))


def test_fresh_answers_score_zero_with_what_to_do_and_the_reference_full_marks() -> None:
    tasks = [t for t in load_tasks() if t.group == "bugs"]
    assert [t.name for t in tasks] == [b.key for b in BUGS]
    for task in tasks:
        (fresh,) = grade_task(task, reference=False)
        assert not fresh.passed and fresh.message.startswith("not diagnosed yet")
        assert f"exercises.bugs.{task.name}" in fresh.hint
        (reference,) = grade_task(task, reference=True)
        assert reference.passed, reference.message
    assert all(REGISTRY[b.key].extra["bug"] is b for b in BUGS)


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.key)
def test_the_symptom_runs_and_reports(bug: Bug) -> None:
    report = bug.symptom()
    assert isinstance(report, str) and report


def test_expect_close_names_the_worst_element_and_accepts_equal_infinities() -> None:
    expect_close("x", np.array([np.inf, 1.0]), np.array([np.inf, 1.0 + 1e-7]))
    with pytest.raises(TorchMismatch, match=r"x differs from torch's at element \(1,\): edugrad 2.0, torch 1.0"):
        expect_close("x", np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    with pytest.raises(TorchMismatch, match="edugrad -inf, torch 0.0"):
        expect_close("x", np.array([-np.inf]), np.array([0.0]))


def test_the_command_line_fails_fresh_answers_and_passes_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bugs"]) == 1
    fresh = capsys.readouterr().out
    assert "0/11" in fresh and "not diagnosed yet" in fresh
    assert main(["bugs", "--reference"]) == 0
    assert "11/11" in capsys.readouterr().out
