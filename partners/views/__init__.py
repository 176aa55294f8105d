"""The partner API v1 (read-only): DRF generic views over partners.selectors."""
