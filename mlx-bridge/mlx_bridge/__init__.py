"""JSON-RPC 2.0 sidecar on stdio serving mlx_lm generation and teacher-forced scoring."""

__version__ = "0.1.0"

# Bumped on any incompatible change to a method, its params or its results; the client refuses a
# bridge whose major version differs from its own.
PROTOCOL_VERSION = "1.0"
