"""examples/learn_mnist_tensor.py, the reference's learn_mnist with the Tensor API alone: 100 steps on the real
MNIST reach over 90% test accuracy (a smoke test of the Tensor-only path, which nn's tests do not cover)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_hundred_steps_on_real_mnist_pass_90_percent(real_mnist: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "learn_mnist_tensor.py"), "--data-dir",
                           str(real_mnist), "--steps", "100"], capture_output=True, text=True, timeout=600, check=True)
    accuracy = re.search(r"test accuracy ([0-9.]+)%", done.stdout)
    assert accuracy is not None, done.stdout
    assert float(accuracy.group(1)) > 90.0
