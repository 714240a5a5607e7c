"""``TorchStateDictDataset``: a model's tensors, loaded without unpickling any object."""

from __future__ import annotations

import io

import torch
from kedro.io.core import DatasetError

from moons_classifier.datasets._atomic import _AtomicFileDataset


class TorchStateDictDataset(_AtomicFileDataset):
    """A model's ``state_dict``, saved with ``torch.save`` and loaded with ``weights_only=True``."""

    def load(self) -> dict[str, torch.Tensor]:
        """Load the tensors on the CPU; pickled code is refused, not run."""
        data = self._read_bytes()
        try:
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as error:
            raise DatasetError(
                f"{self._get_load_path()} is not a plain state_dict of tensors and was "
                f"not loaded ({type(error).__name__}: {str(error).splitlines()[0]}). "
                "Only files written by torch.save(model.state_dict()) are accepted."
            ) from error
        if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
        ):
            raise DatasetError(
                f"{self._get_load_path()} holds a {type(state).__name__}, not a "
                "state_dict mapping parameter names to tensors."
            )
        return dict(state)

    def save(self, data: dict[str, torch.Tensor]) -> None:
        """Save the tensors, moved to the CPU."""
        buffer = io.BytesIO()
        torch.save({name: t.detach().cpu() for name, t in data.items()}, buffer)
        self._write_bytes(buffer.getvalue())
