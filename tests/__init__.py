"""The project's tests; they log through ``tests/logging.yml``, which writes no file."""

import os
from pathlib import Path

os.environ.setdefault(
    "KEDRO_LOGGING_CONFIG", str(Path(__file__).with_name("logging.yml"))
)
