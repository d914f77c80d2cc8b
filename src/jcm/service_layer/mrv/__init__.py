"""Digital MRV use cases: devices, batch intake, QA/QC, automatic verification (issue 11)."""
