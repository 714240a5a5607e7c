"""The project's config loader: Kedro's results, with unchanged files parsed once."""

from __future__ import annotations

from pathlib import Path

import pytest
from kedro.config import MissingConfigException, OmegaConfigLoader

from moons_classifier.config import CachingConfigLoader


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    """A configuration folder: base parameters and a local environment."""
    (tmp_path / "base").mkdir()
    (tmp_path / "local").mkdir()
    (tmp_path / "base" / "parameters.yml").write_text("training:\n  lr: 0.1\n  n: 2\n")
    return tmp_path


def parameters(conf: Path, loader: type = CachingConfigLoader, **kwargs) -> dict:
    """The parameters ``loader`` loads from ``conf``."""
    return loader(str(conf), base_env="base", default_run_env="local", **kwargs)[
        "parameters"
    ]


def test_parsed_files_are_reused_while_unchanged(conf, monkeypatch):
    assert parameters(conf) == {"training": {"lr": 0.1, "n": 2}}
    reads = []
    read = OmegaConfigLoader._read_dir_configs

    def counted(self, *args, **kwargs):
        reads.append(args[0])
        return read(self, *args, **kwargs)

    monkeypatch.setattr(OmegaConfigLoader, "_read_dir_configs", counted)
    assert parameters(conf) == {"training": {"lr": 0.1, "n": 2}}
    assert reads == [], "unchanged files were parsed again"


def test_runtime_parameters_never_leak_into_the_next_load(conf):
    assert parameters(conf, runtime_params={"training": {"lr": 0.5}}) == {
        "training": {"lr": 0.5, "n": 2}
    }
    assert parameters(conf) == {"training": {"lr": 0.1, "n": 2}}


def test_an_edit_of_the_same_size_an_added_and_a_removed_file_are_seen(conf):
    assert parameters(conf)["training"]["lr"] == 0.1  # noqa: PLR2004
    (conf / "base" / "parameters.yml").write_text("training:\n  lr: 0.2\n  n: 2\n")
    assert parameters(conf)["training"]["lr"] == 0.2  # noqa: PLR2004
    (conf / "local" / "parameters.yml").write_text("training:\n  n: 3\n")
    assert parameters(conf, merge_strategy={"parameters": "soft"}) == {
        "training": {"lr": 0.2, "n": 3}
    }
    (conf / "local" / "parameters.yml").unlink()
    assert parameters(conf)["training"] == {"lr": 0.2, "n": 2}


def test_a_removed_folder_is_missing_as_for_kedros_loader(conf):
    assert parameters(conf)
    (conf / "base" / "parameters.yml").unlink()
    (conf / "base").rmdir()
    for loader in (OmegaConfigLoader, CachingConfigLoader):
        with pytest.raises(MissingConfigException):
            parameters(conf, loader)


def test_kedros_reader_still_has_the_signature_this_loader_overrides():
    assert OmegaConfigLoader._read_dir_configs.__code__.co_varnames[:6] == (
        "self",
        "conf_path",
        "patterns",
        "key",
        "processed_files",
        "read_environment_variables",
    )
