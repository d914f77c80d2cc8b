"""Webhook subscriptions, the delivery log and the delivery worker's round."""
