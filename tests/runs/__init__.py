"""The artifact runs: the data folder's lock, the manifest and run selection."""
