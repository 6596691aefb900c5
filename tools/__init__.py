"""Developer tools kept with the repository (not part of the simcheck package)."""
