"""The chapter's reference numbers (``shared/reference/book-outputs.md``), for tests.

Values computed on another machine are compared with ``REFERENCE_TOLERANCE``: float32
results differ in the last bits between CPUs (MKL picks other kernels on AVX2 and
AVX-512), while bit-identity is tested only between computations on one machine.
"""

from __future__ import annotations

REFERENCE_TOLERANCE = 1e-6

BOOK = {
    "confusion": {
        "0.3": [[6, 3], [0, 11]],
        "0.5": [[7, 2], [1, 10]],
        "0.7": [[9, 0], [2, 9]],
    },
    "auroc": 0.9797979797979798,
    "aupr": 0.9854312354312356,
    "random": {"auroc": 0.505050505050505, "aupr": 0.570559046216941},
}

# torch 2.13 CPU builds on AMD EPYC (AVX2) and Intel Xeon (AVX-512) machines.
REFERENCE = {
    "weight": [[1.180625319480896, -1.8692580461502075]],
    "bias": [-0.059131260961294174],
    "train_loss": 0.3596454679965973,
    "val_loss": 0.2268758863210678,
    "scaler_mean": [0.4777135197972224, 0.2713435897181917],
    "scaler_scale": [0.8935265007624204, 0.596897396969705],
}
