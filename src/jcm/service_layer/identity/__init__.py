"""Identity use cases: the register of organisations and roles, users, sessions, tokens."""
