"""Article 6.2 reporting: the Agreed Electronic Format (AEF), computed from ledger facts.

* :mod:`.nomenclature` — the controlled values and formats of the UNFCCC nomenclature.
* :mod:`.register` — cooperative approaches, authorisations and authorised entities.
* :mod:`.facts` — what the ledger records, as the derivation reads it.
* :mod:`.tables` — the five V2 tables and a Party's report.
* :mod:`.derive` — the five tables of a Party and a reported year, from the facts.
* :mod:`.checks` — the local consistency checks and the cross-Party reconciliation.
* :mod:`.formats` — the stacked CSV and the JSON form.
* :mod:`.submissions` — draft, submitted, superseded; versions X.Y.
"""
