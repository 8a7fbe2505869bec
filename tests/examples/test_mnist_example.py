"""The main job, examples/mnist.py: its command line, a short smoke run, the offline fallback, and a few hundred
steps on the real MNIST reaching over 96% test accuracy."""

from __future__ import annotations

import importlib.util
import inspect
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from edugrad.nn import datasets, load

ROOT = Path(__file__).resolve().parents[2]


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mnist_example", ROOT / "examples" / "mnist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_help_lists_the_options() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "mnist.py"), "--help"], capture_output=True,
                            text=True, check=True)
    for option in ("--epochs", "--batch-size", "--lr", "--dataset", "--data-dir", "--seed", "--save", "--plot"):
        assert option in result.stdout


def test_offline_run_falls_back_to_sklearn_digits_and_saves(no_local_data: None, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example()
    weights, curves = tmp_path / "w.safetensors", tmp_path / "curves.png"
    args = example.parse_args(["--epochs", "1", "--max-steps", "10", "--save", str(weights), "--plot", str(curves)])
    accuracy = example.train(args)
    err = capsys.readouterr().err
    assert "trains on scikit-learn's bundled 8x8" in err and "EDUGRAD_DATA" in err  # says where it looked
    assert 0.0 <= accuracy <= 1.0
    assert set(load(weights)) == {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias"}
    assert curves.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_explicit_dataset_does_not_fall_back(no_local_data: None) -> None:
    example = load_example()
    with pytest.raises(SystemExit, match="error:"):
        example.train(example.parse_args(["--dataset", "mnist", "--max-steps", "1"]))


def test_offline_fallback_tells_a_command_line_user_what_to_pass(no_local_data: None,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    example = load_example()
    assert example.load_data(example.parse_args([])).name == "sklearn-digits"
    err = capsys.readouterr().err
    assert "--data-dir folder/with/the/files" in err and "pass --data-dir with the folder" in err


def test_a_data_dir_that_does_not_exist_is_an_error_not_a_fallback(no_local_data: None, tmp_path: Path) -> None:
    example = load_example()
    with pytest.raises(SystemExit, match=r"--data-dir .*nowhere: no such folder\. It should hold the four IDX"):
        example.load_data(example.parse_args(["--data-dir", str(tmp_path / "nowhere")]))


def test_a_data_dir_is_the_only_folder_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--data-dir names the files to use: one lacking them is an error, even where another folder has MNIST."""
    mine, elsewhere = tmp_path / "mine", tmp_path / "data" / "mnist"
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    for folder, names in ((elsewhere, datasets.FILES), (mine, datasets.FILES[2:])):
        folder.mkdir(parents=True)
        for name in names:
            array = images if "images" in name else np.array([3, 7], dtype=np.uint8)
            header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
            (folder / name).write_bytes(header + array.tobytes())
    monkeypatch.setenv("EDUGRAD_DATA", str(tmp_path / "data"))
    example = load_example()
    with pytest.raises(SystemExit, match="does not hold the train split: .* lacks train-images-idx3-ubyte"):
        example.load_data(example.parse_args(["--data-dir", str(mine)]))
    data = example.load_data(example.parse_args(["--data-dir", str(elsewhere)]))
    assert data.name == "mnist" and data.train_labels.tolist() == [3, 7]
    np.testing.assert_array_equal(data.test_images, images)


def test_same_seed_gives_the_same_run(no_local_data: None, tmp_path: Path) -> None:
    example = load_example()
    args = ["--epochs", "1", "--max-steps", "5", "--save", str(tmp_path / "w.safetensors")]
    first = example.train(example.parse_args(args))
    weights = load(tmp_path / "w.safetensors")["fc.weight"].numpy()
    assert example.train(example.parse_args(args)) == first
    np.testing.assert_array_equal(load(tmp_path / "w.safetensors")["fc.weight"].numpy(), weights)


@pytest.mark.slow
def test_a_few_hundred_steps_on_real_mnist_pass_96_percent(real_mnist: Path, tmp_path: Path) -> None:
    example = load_example()
    args = example.parse_args(["--data-dir", str(real_mnist), "--epochs", "1", "--max-steps", "300",
                               "--batch-size", "64", "--save", str(tmp_path / "w.safetensors")])
    assert example.train(args) > 0.96


def test_the_docs_show_the_examples_model() -> None:
    """docs/mnist.md copies the SmallCNN class of the example; they must not drift apart."""
    page = (ROOT / "docs" / "mnist.md").read_text()
    source = inspect.getsource(load_example().SmallCNN)
    assert source in page, "docs/mnist.md shows a SmallCNN different from examples/mnist.py: copy it again"
