"""``JSONDataset``: a JSON document, written atomically and previewed by kedro-viz."""

from __future__ import annotations

import json
from typing import Any

from kedro.io.core import Version

from moons_classifier.datasets._atomic import _JSONFileDataset


class JSONDataset(_JSONFileDataset):
    """A JSON document, serialized in full before it is written, so a failure leaves no file."""

    def __init__(
        self,
        *,
        filepath: str,
        save_args: dict[str, Any] | None = None,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(filepath=filepath, version=version, metadata=metadata)
        self._save_args = {"indent": 2, **(save_args or {})}

    def load(self) -> Any:
        """The parsed document."""
        return json.loads(self._read_bytes())

    def save(self, data: Any) -> None:
        """Serialize ``data`` with ``json.dumps(**save_args)``, then write it atomically."""
        self._write_bytes(json.dumps(data, **self._save_args).encode())
