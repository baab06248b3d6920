"""The model file is missing, not a GGUF, corrupt or truncated; the adapter is missing or does
not fit. Each is a PlannerError with a sentence that names the file and what to do, and the
planner can be built again from a good configuration in the same process.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from operatorx.agent.planner import Planner
from operatorx.backend import resolve_adapter
from operatorx.config import Config, ModelConfig
from operatorx.errors import PlannerError


def planner(path, adapter: str = "") -> Planner:
    return Planner.from_config(
        Config(model=ModelConfig(path=str(path), adapter=adapter, use_adapter=bool(adapter)))
    )


@pytest.fixture(scope="module")
def base_model(service_unavailable):
    if importlib.util.find_spec("llama_cpp") is None:
        service_unavailable("llama_cpp is not installed (run scripts/setup-venv.sh)")
    from operatorx.backend.models import default_base_model

    try:
        return default_base_model()
    except PlannerError as e:
        service_unavailable(str(e))


def test_missing_model_file(tmp_path):
    with pytest.raises(PlannerError) as caught:
        planner(tmp_path / "nope.gguf")
    assert f"The model file {tmp_path / 'nope.gguf'} does not exist" in str(caught.value)
    assert "[model] path" in str(caught.value)


def test_not_a_gguf_file(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"<!DOCTYPE html><html>404 Not Found</html>")
    with pytest.raises(PlannerError, match="is not a GGUF file \\(corrupt or a different format\\)"):
        planner(bad)


def test_unreadable_model_file(tmp_path):
    (tmp_path / "dir.gguf").mkdir()  # a directory where the file should be: not a file
    with pytest.raises(PlannerError, match="does not exist"):
        planner(tmp_path / "dir.gguf")


def test_missing_adapter_is_named():
    with pytest.raises(
        PlannerError, match="The adapter file /nonexistent/a.gguf does not exist.*--no-adapter"
    ):
        resolve_adapter(ModelConfig(adapter="/nonexistent/a.gguf"))


@pytest.mark.model
def test_corrupt_gguf(tmp_path, base_model):
    bad = tmp_path / "corrupt.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(8192))
    with pytest.raises(PlannerError) as caught:
        planner(bad)
    assert f"Cannot load the model file {bad}: it is corrupt, truncated" in str(caught.value)
    assert "(llama.cpp:" in str(caught.value)  # llama.cpp's own reason is passed on


@pytest.mark.model
def test_truncated_download_then_a_good_model(tmp_path, base_model):
    cut = tmp_path / "truncated.gguf"
    with base_model.open("rb") as f:
        cut.write_bytes(f.read(2_000_000))
    with pytest.raises(PlannerError) as caught:
        planner(cut)
    assert "corrupt, truncated" in str(caught.value)
    assert "not within the file bounds" in str(caught.value) or "llama.cpp" in str(caught.value)
    # The same process builds a planner from the good file right after.
    good = planner(base_model)
    assert good.describe().startswith(base_model.name)


@pytest.mark.model
def test_adapter_that_does_not_fit(tmp_path, base_model):
    bad = tmp_path / "adapter.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(4096))
    with pytest.raises(PlannerError) as caught:
        planner(base_model, adapter=str(bad))
    assert f"The adapter {bad} does not fit the base model" in str(caught.value)
    assert "--no-adapter" in str(caught.value)
