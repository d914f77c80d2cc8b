"""The programme's numbers: its dated, sourced reference figures and targets (``facts``) and
the pure computations the dashboard draws from them and from the ledger (``figures``):
Japanese fiscal years, cumulative series, progress to a target, partner countries over
time and the projects' funnel."""
