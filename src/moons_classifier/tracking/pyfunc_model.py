"""The MLflow model logged for each trained network: raw feature columns in, probabilities out.

MLflow logs this file as a "model from code" and runs it to build the model when the model is
loaded; the scaler (the project's JSON) and the state_dict (read with ``weights_only=True``)
and the model's parameters (JSON) are plain data artifacts, so loading the model unpickles no object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import set_model
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from mlflow.pyfunc import PythonModel, PythonModelContext

from moons_classifier.datasets import StandardScalerDataset, TorchStateDictDataset
from moons_classifier.models import load_model, scaled_probabilities
from moons_classifier.params import ModelParams
from moons_classifier.schemas import TableError, points_schema, validated_table


class ScaledNetwork(PythonModel):
    """The scaler and the network together: each row's probability of class 1."""

    def load_context(self, context: PythonModelContext) -> None:
        """Rebuild the scaler and the network from the model's artifacts."""
        self.scaler = StandardScalerDataset(filepath=context.artifacts["scaler"]).load()
        state_dict = TorchStateDictDataset(
            filepath=context.artifacts["state_dict"]
        ).load()
        self.features = list(self.scaler.feature_names_in_)
        self.schema = points_schema(self.features)
        self.network = load_model(
            state_dict,
            len(self.features),
            ModelParams.model_validate_json(
                Path(context.artifacts["model_params"]).read_text()
            ),
        )

    def predict(
        self,
        context: PythonModelContext,
        model_input: pd.DataFrame,
        params: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """The ``probability`` column, computed as the inference pipeline computes it, once
        the rows pass the inference input's schema for the model's features (a refused
        request is a 400 whose message names each failure's column, row and fix)."""
        try:
            points = validated_table(model_input, self.schema)
        except TableError as error:
            message = " ".join(failure.message for failure in error.failures)
            raise MlflowException(message, INVALID_PARAMETER_VALUE) from None
        return pd.DataFrame(
            {"probability": scaled_probabilities(self.scaler, self.network, points)}
        )


set_model(ScaledNetwork())
