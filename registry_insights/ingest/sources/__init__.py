"""Adapters for registries other than a bare distribution registry, and the
reverse-proxy access logs that work in front of any of them (docs/registry-sources.md)."""
