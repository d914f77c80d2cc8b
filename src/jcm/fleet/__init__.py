"""The PV fleet simulator: a client program standing for meters in the field.

It defines a fleet of PV meters for a project (each with its own Ed25519 key), generates
their readings from pvlib's clear-sky model with seeded weather noise, injects faults
(gaps, stuck meter, clock drift, counter rollover, forged signature, replay, night
generation) and sends the signed batches where intake takes them: MQTT, the HTTP API, or
CSV/Parquet files for import. Used by the demo, the tests and the benchmarks.

It is a separate client: it imports only ``jcm.domain`` and ``jcm.adapters.mrv.signatures``
(tests/unit/test_architecture.py checks it), so it can run on a machine with no registry.

* :mod:`jcm.fleet.definition` — the fleet, its file and the registration bodies;
* :mod:`jcm.fleet.solar` — the PV model;
* :mod:`jcm.fleet.faults` — fault specs and what each should trigger;
* :mod:`jcm.fleet.generate` — ``simulate``: the envelopes and where faults landed;
* :mod:`jcm.fleet.sinks` — choosing a sink; HTTP and file sinks (:mod:`jcm.fleet.publisher`: MQTT);
* :mod:`jcm.fleet.demo` — the demo's small fleet, end to end.
"""
