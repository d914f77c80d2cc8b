"""The MQTT entry point: the subscriber process that feeds batch intake (``jcm mrv subscribe``)."""
