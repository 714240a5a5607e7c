"""``kedro sweep``: an Optuna search over models and training settings on a Dask cluster.

Each trial is a Kedro session of the project run inside a warm Dask worker (or, with
``--isolation process``, a ``kedro run`` process of its own), writing into its own folder
(``base_location``); the pipelines know nothing of sweeps.
"""
