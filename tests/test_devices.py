"""Device names resolve to devices this machine has, or are refused naming those it has."""

from __future__ import annotations

import pytest
import torch

from moons_classifier.devices import available_devices, resolve_device


def test_resolve_device_names_devices_that_exist():
    assert resolve_device("cpu") == torch.device("cpu")
    assert str(resolve_device("auto")).split(":")[0] in {
        name.split(":")[0] for name in available_devices()
    }


@pytest.mark.parametrize(
    "name", [f"cuda:{torch.cuda.device_count()}", "cuda:3", "mps", "gpu"]
)
def test_resolve_device_refuses_an_unavailable_device(name):
    if name == "cuda:3" and torch.cuda.device_count() > 3:  # noqa: PLR2004
        pytest.skip("this machine has a cuda:3")
    if name == "mps" and torch.backends.mps.is_available():
        pytest.skip("this machine has mps")
    with pytest.raises(ValueError, match=f"'{name}'") as error:
        resolve_device(name)
    assert f": {', '.join(available_devices())})" in str(error.value)
