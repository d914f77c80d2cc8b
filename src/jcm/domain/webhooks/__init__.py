"""Webhooks: which changes an organisation hears of, how a delivery is retried (pure)."""
