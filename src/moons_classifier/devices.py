"""Which torch devices this machine has, and the one ``training.device`` names."""

from __future__ import annotations

import torch


def available_devices() -> list[str]:
    """Names of the devices torch can use on this machine."""
    devices = ["cpu"]
    devices += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        devices.append("mps")
    return devices


def resolve_device(name: str) -> torch.device:
    """Turn ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` into an available device."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise ValueError(
            f"training.device={name!r} is not a device name; use auto, cpu, cuda, "
            f"cuda:N or mps (available here: {', '.join(available_devices())})."
        ) from error
    usable = (
        device.type == "cpu"
        or (
            device.type == "cuda"
            and torch.cuda.is_available()
            and (device.index or 0) < torch.cuda.device_count()
        )
        or (device.type == "mps" and torch.backends.mps.is_available())
    )
    if not usable:
        raise ValueError(
            f"training.device={name!r} is not available on this machine "
            f"(available: {', '.join(available_devices())}). Set training.device to "
            "one of those, or to auto."
        )
    return device
