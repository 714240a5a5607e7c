"""Project settings; see https://docs.kedro.org/en/stable/configure/configuration_basics/."""

from moons_classifier.hooks import DeviceCheckHooks

HOOKS = (DeviceCheckHooks(),)

# Installed plugins whose auto-registered hooks `kedro run` does not need: kedro-viz's
# collect dataset statistics and run events for `kedro viz` (which works without them),
# kedro-telemetry's report usage (this project does not consent).
DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz", "kedro-telemetry")

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}
