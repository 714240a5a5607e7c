"""A trained logistic model's weights and the threshold its evaluation selected."""

import torch

from tests.support.helpers import metrics_at

STATE_DICT = {
    "linear.weight": torch.tensor([[1.180625319480896, -1.8692580461502075]]),
    "linear.bias": torch.tensor([-0.059131260961294174]),
}
SELECTED = metrics_at(threshold=0.6767831444740295)
