"""Article 6.2 reporting use cases: the cooperative-approach register and the AEF reports."""
