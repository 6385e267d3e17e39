"""The event schemas, one module per publishing service (erasure's shared events apart)."""
