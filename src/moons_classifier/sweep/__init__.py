"""``kedro sweep``: an Optuna search over models and training settings on a Dask cluster.

Each trial is a ``kedro run`` of the project in its own process on a worker, writing into
its own folder (``--params base_location=...``); the pipelines know nothing of sweeps.
"""
