"""Helpers for developing and testing searchkit (a local OpenSearch node); never
imported by the library itself."""
