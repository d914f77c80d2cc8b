"""Document use cases: the store behind its port (``service_layer.ports.DocumentStore``)."""
