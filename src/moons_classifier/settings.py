"""Project settings; see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

from moons_classifier.hooks import ProjectHooks
from moons_classifier.tracking import project_path, tracking_hooks

HOOKS = (ProjectHooks(), *tracking_hooks())

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # An environment overrides single keys (mlp.model.hidden_units) and keeps the rest.
    "merge_strategy": {"parameters": "soft"},
    # conf/base/mlflow.yml keeps the tracking store under the project: ${project_path:...}
    "custom_resolvers": {"project_path": project_path},
}
