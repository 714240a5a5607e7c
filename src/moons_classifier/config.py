"""The project's config loader: Kedro's, parsing each configuration folder's files once per
process while they stay unchanged."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from kedro.config import OmegaConfigLoader

Signature = tuple[tuple[str, str], ...]


class CachingConfigLoader(OmegaConfigLoader):
    """An ``OmegaConfigLoader`` that keeps the parsed YAML of each local folder and key
    until a file in it changes (its bytes), is added or is removed.

    A sweep's worker creates hundreds of sessions on the same files; each still merges
    and resolves them with its own runtime parameters. Files that read environment
    variables (credentials) are read every time.
    """

    _parsed: ClassVar[dict[tuple[Any, ...], tuple[Signature, dict[Path, Any]]]] = {}

    def _read_dir_configs(  # Kedro 1.7's reader of one folder's files for one key
        self,
        conf_path: str,
        patterns: Iterable[str],
        key: str,
        processed_files: set,
        read_environment_variables: bool | None = False,
    ) -> dict[Path, Any]:
        """The folder's parsed files for ``key``, from the cache while they are unchanged."""
        patterns = tuple(patterns)
        if (
            self._protocol != "file"
            or read_environment_variables
            or not self._fs.isdir(conf_path)
        ):
            return super()._read_dir_configs(
                conf_path, patterns, key, processed_files, read_environment_variables
            )
        signature = self._signature(conf_path, patterns)
        cache_key = (conf_path, patterns, key, self.ignore_hidden)
        cached = self._parsed.get(cache_key)
        if cached is None or cached[0] != signature:
            parsed = super()._read_dir_configs(conf_path, patterns, key, set())
            cached = self._parsed[cache_key] = (signature, parsed)
        processed_files.update(cached[1])
        # Merging modifies the first file's config in place: each load gets copies.
        return {path: copy.deepcopy(config) for path, config in cached[1].items()}

    def _signature(self, conf_path: str, patterns: tuple[str, ...]) -> Signature:
        """Each file the patterns match in the folder, with a digest of its bytes."""
        paths = {
            path
            for pattern in patterns
            for path in self._fs.glob(Path(f"{conf_path}/{pattern}").as_posix())
        }
        return tuple(
            (path, hashlib.blake2b(Path(path).read_bytes()).hexdigest())
            for path in sorted(paths)
            if Path(path).is_file()
        )
