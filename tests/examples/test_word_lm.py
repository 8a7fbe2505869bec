"""examples/word_lm.py, the word-level LSTM: tokens, columns and BPTT chunks as described, and a short run
lowers the held-out perplexity, saves weights that load (the tied matrix once) and writes its PNG."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from edugrad.nn import load


def test_tokenize_splits_words_and_punctuation_and_ends_lines(example: Callable[[str], ModuleType]) -> None:
    tokens = example("word_lm").tokenize("O'er the Sea, my LORD!\n\n  \nAye.")
    assert tokens == ["o'er", "the", "sea", ",", "my", "lord", "!", "<eos>", "aye", ".", "<eos>"]


def test_chunks_cover_the_columns_with_targets_one_ahead(example: Callable[[str], ModuleType]) -> None:
    word_lm = example("word_lm")
    stream = word_lm.columns(np.arange(23), batch_size=2)  # 2 columns of 11, the 23rd token dropped
    np.testing.assert_array_equal(stream, [np.arange(11), np.arange(11, 22)])
    pieces = word_lm.chunks(stream, bptt=4)
    assert [x.shape for x, _ in pieces] == [(2, 4), (2, 4), (2, 2)]  # 10 inputs: the last token has no target
    for x, y in pieces:
        np.testing.assert_array_equal(y.numpy(), x.numpy() + 1)
    with pytest.raises(ValueError, match="3 tokens are too few for 2 columns"):
        word_lm.columns(np.arange(3), batch_size=2)


def test_a_short_run_lowers_the_perplexity_and_saves(run_example: Callable[..., str],
                                                     example: Callable[[str], ModuleType], english: Path,
                                                     tmp_path: Path, png: Callable[[Path], bool]) -> None:
    weights, curves = tmp_path / "lm.safetensors", tmp_path / "lm.png"
    out = run_example("word_lm.py", "--text", english, "--epochs", "2", "--size", "32", "--layers", "1",
                      "--batch-size", "4", "--bptt", "10", "--vocab", "40", "--save", weights, "--plot", curves)
    valid = [float(v) for v in re.findall(r"validation perplexity ([0-9.]+)", out)]
    test = float(re.search(r"test perplexity ([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    vocab = int(re.search(r"vocabulary ([0-9]+)", out).group(1))  # type: ignore[union-attr]
    assert len(valid) == 2 and valid[1] < valid[0] and test < vocab / 2, out
    assert png(curves)
    state = load(weights)
    model = example("word_lm").WordLM(vocab, 32, 1, 0.0)
    model.load_state_dict(state)
    assert model.decoder.weight is model.encoder.weight
    assert state["lstm.weight_ih_l0"].shape == (4 * 32, 32)  # torch's layout: the four gates stacked
