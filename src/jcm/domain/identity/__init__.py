"""Who acts: organisations and their roles, users, API tokens and the access rules."""
