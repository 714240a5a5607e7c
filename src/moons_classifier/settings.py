"""Project settings; see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

from moons_classifier.hooks import DeviceCheckHooks

HOOKS = (DeviceCheckHooks(),)

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}
