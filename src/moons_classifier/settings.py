"""Project settings; see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

import warnings

from moons_classifier.cluster_hooks import ClusterHooks
from moons_classifier.config import CachingConfigLoader
from moons_classifier.hooks import RunChecksHooks
from moons_classifier.runs.hooks import ArtifactRunHooks
from moons_classifier.tracking import tracking_hooks
from moons_classifier.tracking.config import project_path

# Kedro 1.7 and kedro-mlflow (and this project, for it) register their resolvers with
# OmegaConf 2.4's deprecated register_new_resolver(); a user can do nothing about it.
# Ignored only where they call it, rather than bounding omegaconf below 2.4, which would
# hold back its fixes. Kedro imports these settings before it creates the config loader:
# in `kedro run`, `python -m moons_classifier` and any KedroSession.
warnings.filterwarnings(
    "ignore",
    message=r"register_new_resolver\(\) is deprecated",
    category=UserWarning,
    module=(
        r"kedro\.config\.omegaconf_config|kedro_mlflow\.framework\.hooks\.mlflow_hook"
        r"|moons_classifier\.tracking\.hooks"
    ),
)

# pluggy calls the hooks registered last first: before the first node, the run checks
# refuse a run that cannot succeed, then the artifact run pins its inputs and takes the
# lock, then the Dask cluster starts; all before the tracking hooks start an MLflow run.
# After the run, the cluster closes, then the manifest is written and the lock released.
HOOKS = (ClusterHooks(), ArtifactRunHooks(), RunChecksHooks(), *tracking_hooks())

# Kedro imports and registers kedro-mlflow's hooks in every session, and they would open
# the tracking store and create every dataset before knowing whether the run is tracked;
# tracking_hooks() calls them itself, only in a tracked run (tracking/hooks.py).
DISABLE_HOOKS_FOR_PLUGINS = ("kedro_mlflow",)

# Kedro's OmegaConfigLoader, parsing unchanged files once per process (a sweep's worker).
CONFIG_LOADER_CLASS = CachingConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # An environment overrides single keys (mlp.model.hidden_units) and keeps the rest.
    "merge_strategy": {"parameters": "soft"},
    # conf/base/mlflow.yml keeps the tracking store under the project: ${project_path:...}
    "custom_resolvers": {"project_path": project_path},
}
