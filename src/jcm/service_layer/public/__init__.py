"""What the registry shows to everyone and to signed-in readers: read-only views over the
ledger, the project cycle and the funded portfolio, as typed results that the web pages,
their CSV/XLSX exports and the API all render (one query per view)."""
