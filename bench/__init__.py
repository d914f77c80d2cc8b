"""Performance benchmark of the JCM registry: ``python -m bench`` (see docs/benchmarks.md).

Measures committed single transfers, batched transfers and issuance on SQLite and
PostgreSQL at several ledger sizes, each configuration in its own process so that peak
memory is per configuration, and appends the results to ``docs/benchmarks.md``.
"""
