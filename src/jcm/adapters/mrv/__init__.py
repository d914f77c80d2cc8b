"""Digital MRV adapters: batch signatures, Parquet readings, the QA/QC job (Polars, pvlib,
Dask), the MRV tables, Mosquitto's configuration and evidence bundles.

**Parquet layout** (the contract between intake, the QA job and evidence bundles)::

    <data_dir>/mrv/readings/project=<project>/month=<YYYY-MM>/<name>.parquet

* one partition per project and calendar month (UTC) of the readings it holds;
* columns, in this order: ``device`` (string), ``seq`` (int64), ``pos`` (int32: the
  reading's index in its batch), ``ts`` (int64: UTC seconds), ``offset_min`` (int16: the
  UTC offset the device wrote), ``wh`` (int64);
* a file holds rows of whole or partial batches (a batch crossing a month boundary is split
  by month); the receipt of a batch (table ``mrv_batches``) lists its files, and only files
  named by receipts count (a file left by a crash before its receipts committed is not
  read, and is removed at the next start of intake).
"""
