"""``StandardScalerDataset``: a fitted scaler as JSON numbers, each checked when loaded."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from kedro.io.core import DatasetError
from sklearn.preprocessing import StandardScaler

from moons_classifier.datasets._atomic import _JSONFileDataset


class StandardScalerDataset(_JSONFileDataset):
    """A fitted ``StandardScaler`` stored as JSON numbers, so loading it cannot run code."""

    _FIELDS = ("mean_", "var_", "scale_")

    def load(self) -> StandardScaler:
        """Rebuild a plain ``StandardScaler`` from the stored statistics, each checked."""
        try:
            stored = json.loads(self._read_bytes())
            scaler = StandardScaler()
            scaler.n_features_in_ = int(stored["n_features_in_"])
            scaler.n_samples_seen_ = int(stored["n_samples_seen_"])
            for name in self._FIELDS:
                setattr(scaler, name, np.asarray(stored[name], dtype=np.float64))
            if "feature_names_in_" in stored:
                scaler.feature_names_in_ = np.asarray(
                    stored["feature_names_in_"], dtype=object
                )
            _check_scaler(scaler)
        except (ValueError, KeyError, TypeError) as error:
            raise DatasetError(
                f"{self._get_load_path()} is not a scaler written by this project "
                f"({type(error).__name__}: {error}). Re-run the data_processing pipeline."
            ) from error
        return scaler

    def save(self, data: StandardScaler) -> None:
        """Write the scaler's fitted statistics."""
        stored: dict[str, Any] = {
            name: getattr(data, name).tolist() for name in self._FIELDS
        }
        stored["n_features_in_"] = int(data.n_features_in_)
        stored["n_samples_seen_"] = int(np.max(data.n_samples_seen_))
        if hasattr(data, "feature_names_in_"):
            stored["feature_names_in_"] = data.feature_names_in_.tolist()
        self._write_bytes(json.dumps(stored, indent=2).encode())


def _check_scaler(scaler: StandardScaler) -> None:
    """Every statistic has one finite entry per named feature, and each scale is its variance's root."""
    n_features = scaler.n_features_in_
    if n_features < 1 or scaler.n_samples_seen_ < 1:
        raise ValueError(
            f"n_features_in_={n_features} and n_samples_seen_={scaler.n_samples_seen_} "
            "must be at least 1"
        )
    names = getattr(scaler, "feature_names_in_", np.arange(n_features))
    if names.shape != (n_features,) or len(set(names)) < n_features:
        raise ValueError(
            f"feature_names_in_ must name {n_features} distinct features; got {names.tolist()}"
        )
    for name in StandardScalerDataset._FIELDS:
        values = getattr(scaler, name)
        if values.shape != (n_features,) or not np.isfinite(values).all():
            raise ValueError(
                f"{name} must hold {n_features} finite numbers, one per feature; got "
                f"{values.tolist()}"
            )
    expected_scale = np.where(scaler.var_ > 0, np.sqrt(np.abs(scaler.var_)), 1.0)
    if (scaler.var_ < 0).any() or not np.allclose(
        scaler.scale_, expected_scale, rtol=1e-9, atol=0
    ):
        raise ValueError(
            f"scale_ {scaler.scale_.tolist()} must be the square root of var_ "
            f"{scaler.var_.tolist()} (1 where the variance is 0), every one positive"
        )
