"""`python -m mlx_bridge`: serve JSON-RPC 2.0 on stdin/stdout, one message per line."""

from __future__ import annotations

import argparse
import os
import platform
import sys


def _die_with_parent() -> None:
    """On Linux, ask the kernel for SIGTERM when the parent dies, so a bridge busy in a long forward
    pass does not outlive a client killed with SIGKILL (stdin EOF covers the idle case everywhere)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlx_bridge", description=__doc__)
    parser.add_argument("--log-level", default=os.environ.get("MLX_BRIDGE_LOG_LEVEL", "info"),
                        choices=["debug", "info", "warning", "error"])
    parser.add_argument("--max-request-bytes", type=int, default=None,
                        help="longest accepted request line (default 16 MiB)")
    parser.add_argument("--memory-limit-mb", type=int, default=None,
                        help="refuse work estimated to exceed this much memory (default: 90%% of the device's)")
    parser.add_argument("--device", choices=["default", "cpu", "gpu"], default="default")
    args = parser.parse_args(argv)

    _die_with_parent()
    # Protocol messages go to the real stdout; everything else that prints (libraries, C code)
    # lands on stderr, so a stray print can never corrupt the stream.
    protocol_out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from .server import DEFAULT_MAX_REQUEST_BYTES, Server, configure_logging

    configure_logging(args.log_level)
    try:
        import mlx.core as mx
        import mlx_lm
    except ValueError as error:
        # mlx_lm raises the open-file soft limit on import and fails when the hard limit is too low.
        print(f"mlx_bridge: cannot import mlx_lm: {error} (raise the open-file limit: ulimit -n 4096)",
              file=sys.stderr)
        return 3
    except ImportError as error:
        print(f"mlx_bridge: cannot import mlx: {error} (run `pnpm bridge:setup`)", file=sys.stderr)
        return 3
    if args.device != "default":
        mx.set_default_device(mx.cpu if args.device == "cpu" else mx.gpu)

    from .engine import Engine

    engine = Engine(memory_limit_bytes=args.memory_limit_mb * 2**20 if args.memory_limit_mb else None)
    versions = {
        "mlx_version": mx.__version__,
        "mlx_lm_version": mlx_lm.__version__,
        "python_version": platform.python_version(),
    }
    server = Server(engine, protocol_out, versions, args.max_request_bytes or DEFAULT_MAX_REQUEST_BYTES)
    code = server.serve(sys.stdin.buffer)
    sys.stderr.flush()
    # The reader thread may still sit in a blocking read; do not wait for it.
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
