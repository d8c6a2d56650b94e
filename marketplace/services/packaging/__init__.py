"""Packaging: the catalog, stations, bundles and their cover pictures, and the naming of
stations."""
