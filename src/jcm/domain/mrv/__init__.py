"""Digital MRV: metering devices, signed reading batches, QA/QC rules and automatic
verification (issue 11). Pure rules only; Parquet, Polars, pvlib, MQTT and signatures live
in ``jcm.adapters.mrv``."""
