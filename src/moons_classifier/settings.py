"""Project settings; see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

from moons_classifier.hooks import ProjectHooks

HOOKS = (ProjectHooks(),)

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # An environment overrides single keys (mlp.model.hidden_units) and keeps the rest.
    "merge_strategy": {"parameters": "soft"},
}
