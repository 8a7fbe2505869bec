"""examples/names.py, the makemore-style word generator: the word list is read and encoded as makemore does,
a short run of each model beats the uniform guess on held-out words, prints the table and saves weights that
load into the model."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from itertools import product
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from edugrad.nn import load


@pytest.fixture
def word_list(tmp_path: Path) -> Path:
    """600 made-up words of two or three syllables, one per line, plus lines the reader must skip."""
    syllables = ["ba", "ko", "ri", "tel", "mun", "sa", "do", "vin"]
    words = ["".join(p) for p in product(syllables, repeat=3)][:500] + ["".join(p) for p in product(syllables,
                                                                                                repeat=2)]
    path = tmp_path / "words"
    path.write_text("\n".join(words + ["Koba", "can't", "naïve", ""]) + "\n", encoding="utf-8")
    return path


def test_read_words_keeps_distinct_lower_case_words_of_a_to_z(example: Callable[[str], ModuleType],
                                                               tmp_path: Path) -> None:
    path = tmp_path / "w"
    path.write_text("Apple\napple\ncan't\nnaïve\nzoo\n\nX-ray\nbee\n", encoding="utf-8")
    assert example("names").read_words(path) == ["apple", "bee", "zoo"]


def test_encode_puts_each_word_between_end_tokens(example: Callable[[str], ModuleType]) -> None:
    inputs, targets = example("names").encode(["ab", "c"], max_len=3)
    np.testing.assert_array_equal(inputs, [[0, 1, 2, 0], [0, 3, 0, 0]])
    np.testing.assert_array_equal(targets, [[1, 2, 0, -1], [3, 0, -1, -1]])


def test_each_model_beats_the_uniform_guess_and_saves(run_example: Callable[..., str],
                                                      example: Callable[[str], ModuleType], word_list: Path,
                                                      tmp_path: Path, png: Callable[[Path], bool]) -> None:
    out = run_example("names.py", "--words", word_list, "--steps", "40", "--batch-size", "32", "--lr", "2e-2",
                      "--samples", "5", "--out", tmp_path)
    table = dict(re.findall(r"^\| (\w+) \| [0-9,]+ \| ([0-9.]+) \|$", out, flags=re.MULTILINE))
    names = example("names")
    assert set(table) == set(names.MODELS), out
    for name, loss in table.items():
        assert float(loss) < math.log(27) - 0.3, f"{name}: test loss {loss} after 40 steps\n{out}"
        model = names.build(name, 27, block_size=10, context=3)  # 9 letters at most: ".kobarivin"
        model.load_state_dict(load(tmp_path / f"names-{name}.safetensors"))
    assert png(tmp_path / "names.png")
    samples = re.findall(r"samples \(\* = not a training word\): (.*)$", out, flags=re.MULTILINE)
    assert len(samples) == 4 and all(len(line.split(", ")) == 5 for line in samples)


def test_a_missing_word_list_says_how_to_install_one(example: Callable[[str], ModuleType], tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="apt install wamerican"):
        example("names").read_words(tmp_path / "none")
