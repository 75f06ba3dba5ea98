"""The JSON-RPC loop: a reader thread parses stdin and answers the immediate methods; the worker
(the thread that owns mlx) runs the model methods one at a time in arrival order."""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable

from . import PROTOCOL_VERSION, __version__
from .protocol import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    REQUEST_CANCELLED,
    Params,
    RpcError,
    invalid_params,
)

log = logging.getLogger("mlx_bridge")

DEFAULT_MAX_REQUEST_BYTES = 16 * 2**20
# Methods the worker runs, in order, on the model thread.
WORKER_METHODS = {"load_model", "unload_model", "generate", "score", "score_batch", "tokenize", "count_tokens"}
IMMEDIATE_METHODS = {"initialize", "info", "shutdown", "$/cancelRequest"}
STREAM_NOTIFICATION = "generate/delta"


@dataclass
class Job:
    id: str | int | None
    method: str
    params: Any
    cancelled: bool = False
    running: bool = False


_STOP = object()


class Server:
    def __init__(self, engine: Any, out: BinaryIO, versions: dict[str, str],
                 max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES):
        self.engine = engine
        self.out = out
        self.versions = versions
        self.max_request_bytes = max_request_bytes
        self.jobs: "queue.Queue[Any]" = queue.Queue()
        self.pending: dict[str | int, Job] = {}
        self.lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.started = time.time()
        self.current: Job | None = None
        self.closing = False

    # --- output -----------------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode() + b"\n"
        with self.write_lock:
            try:
                self.out.write(data)
                self.out.flush()
            except (BrokenPipeError, OSError):
                # Nobody reads our answers any more: the client is gone.
                os._exit(0)

    def reply(self, id_: Any, result: Any) -> None:
        self.send({"jsonrpc": "2.0", "id": id_, "result": result})

    def reply_error(self, id_: Any, error: RpcError) -> None:
        self.send({"jsonrpc": "2.0", "id": id_, "error": error.to_json()})

    # --- reader thread ----------------------------------------------------------------------------

    def read_loop(self, stdin: BinaryIO) -> None:
        try:
            while True:
                line = stdin.readline(self.max_request_bytes + 1)
                if not line:
                    break
                if len(line) > self.max_request_bytes and not line.endswith(b"\n"):
                    while True:  # discard the rest of the oversized line
                        rest = stdin.readline(1 << 20)
                        if not rest or rest.endswith(b"\n"):
                            break
                    self.reply_error(None, RpcError(
                        INVALID_REQUEST, f"invalid request: line exceeds {self.max_request_bytes} bytes",
                        {"max_request_bytes": self.max_request_bytes}))
                    continue
                if not line.strip():
                    continue
                if self.handle_line(line):
                    return
        finally:
            self.shutdown_queue("stdin closed")

    def handle_line(self, line: bytes) -> bool:
        """Handles one message; returns True when the bridge must stop reading."""
        try:
            message = json.loads(line)
        except (ValueError, UnicodeDecodeError) as error:
            self.reply_error(None, RpcError(PARSE_ERROR, f"parse error: {error}"))
            return False
        if isinstance(message, list):
            self.reply_error(None, RpcError(INVALID_REQUEST, "invalid request: batch arrays are not supported; "
                                            "send one request per line (score_batch scores many items)"))
            return False
        if not isinstance(message, dict):
            self.reply_error(None, RpcError(INVALID_REQUEST, "invalid request: expected a JSON object"))
            return False
        id_ = message.get("id")
        has_id = "id" in message
        id_ok = id_ is None or (isinstance(id_, (str, int)) and not isinstance(id_, bool))
        reply_id = id_ if id_ok else None
        if message.get("jsonrpc") != "2.0":
            self.reply_error(reply_id, RpcError(INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"'))
            return False
        if not id_ok or (has_id and id_ is None):
            self.reply_error(None, RpcError(INVALID_REQUEST, "invalid request: id must be a string or an integer"))
            return False
        method = message.get("method")
        if not isinstance(method, str):
            self.reply_error(reply_id, RpcError(INVALID_REQUEST, 'invalid request: "method" must be a string'))
            return False
        params = message.get("params")
        if params is not None and not isinstance(params, dict):
            if has_id:
                self.reply_error(id_, invalid_params("params", "must be an object (named parameters)"))
            return False
        if method in IMMEDIATE_METHODS:
            return self.handle_immediate(id_ if has_id else None, has_id, method, params)
        if method not in WORKER_METHODS:
            if has_id:
                self.reply_error(id_, RpcError(METHOD_NOT_FOUND, f"method not found: {method}", {"method": method}))
            return False
        with self.lock:
            if has_id and id_ in self.pending:
                self.reply_error(None, RpcError(INVALID_REQUEST, f"invalid request: id {id_!r} is already in use"))
                return False
            if self.closing:
                self.reply_error(id_, RpcError(INTERNAL_ERROR, "bridge is shutting down"))
                return False
            job = Job(id_ if has_id else None, method, params)
            if has_id:
                self.pending[id_] = job
        self.jobs.put(job)
        return False

    def handle_immediate(self, id_: Any, has_id: bool, method: str, params: Any) -> bool:
        try:
            if method == "$/cancelRequest":
                target = (params or {}).get("id")
                if target is None or isinstance(target, bool) or not isinstance(target, (str, int)):
                    raise invalid_params("id", "must be the id of the request to cancel")
                cancelled = self.cancel(target)
                if has_id:
                    self.reply(id_, {"cancelled": cancelled})
                return False
            if method == "info":
                if has_id:
                    self.reply(id_, self.info())
                return False
            if method == "initialize":
                if has_id:
                    self.reply(id_, self.initialize_result())
                return False
            # shutdown: answer, refuse new work, cancel what is queued or running, then stop reading.
            with self.lock:
                self.closing = True
            self.shutdown_queue("bridge is shutting down")
            if has_id:
                self.reply(id_, {})
            return True
        except RpcError as error:
            if has_id:
                self.reply_error(id_, error)
            return False

    def cancel(self, target: str | int) -> bool:
        with self.lock:
            job = self.pending.get(target)
            if job is None or job.cancelled:
                return False
            job.cancelled = True
            queued = not job.running
            if queued:
                del self.pending[target]
        if queued:
            # Never started: answer now; the worker skips it when it comes up.
            self.reply_error(target, RpcError(REQUEST_CANCELLED, "request cancelled"))
        return True

    def shutdown_queue(self, reason: str) -> None:
        with self.lock:
            self.closing = True
            victims = [job for job in self.pending.values() if not job.cancelled]
            for job in victims:
                job.cancelled = True
            for job in victims:
                if not job.running:
                    del self.pending[job.id]  # type: ignore[arg-type]
        for job in victims:
            if not job.running:
                self.reply_error(job.id, RpcError(REQUEST_CANCELLED, f"request cancelled: {reason}"))
        self.jobs.put(_STOP)

    def initialize_result(self) -> dict[str, Any]:
        return {
            "protocol_version": PROTOCOL_VERSION,
            "bridge_version": __version__,
            **self.versions,
            "device": self.engine.device,
            "backend": self.engine.backend,
            "pid": os.getpid(),
            "max_request_bytes": self.max_request_bytes,
            "methods": sorted(WORKER_METHODS | IMMEDIATE_METHODS),
            "capabilities": {
                "chat_template": True,
                "stream": True,
                "stream_notification": STREAM_NOTIFICATION,
                "score": True,
                "score_batch": True,
                "cancel": True,
                "seed": True,
                "logit_bias": True,
            },
        }

    def info(self) -> dict[str, Any]:
        with self.lock:
            busy = self.current.id if self.current is not None else None
            queued = sum(1 for job in self.pending.values() if not job.running)
        return {
            **self.engine.info(),
            "busy": busy,
            "queued": queued,
            "pid": os.getpid(),
            "uptime_seconds": time.time() - self.started,
        }

    # --- worker (the mlx thread) ------------------------------------------------------------------

    def serve(self, stdin: BinaryIO) -> int:
        reader = threading.Thread(target=self.read_loop, args=(stdin,), name="jsonrpc-reader", daemon=True)
        reader.start()
        while True:
            job = self.jobs.get()
            if job is _STOP:
                return 0
            with self.lock:
                if job.cancelled:
                    continue
                job.running = True
                self.current = job
            try:
                self.run_job(job)
            finally:
                with self.lock:
                    self.current = None
                    if job.id is not None:
                        self.pending.pop(job.id, None)

    def run_job(self, job: Job) -> None:
        from .engine import Cancelled, cancelled_error, is_out_of_memory, oom_error

        def is_cancelled() -> bool:
            return job.cancelled

        emit: Callable[[str], None] | None = None
        if job.id is not None:
            index = 0

            def emit(delta: str) -> None:
                nonlocal index
                self.send({"jsonrpc": "2.0", "method": STREAM_NOTIFICATION,
                           "params": {"id": job.id, "index": index, "text": delta}})
                index += 1

        started = time.perf_counter()
        try:
            params = Params(job.params)
            handler = {
                "load_model": lambda: self.engine.load_model(params),
                "unload_model": lambda: self.engine.unload_model(params),
                "generate": lambda: self.engine.generate(params, emit, is_cancelled),
                "score": lambda: self.engine.score(params, is_cancelled),
                "score_batch": lambda: self.engine.score_batch(params, is_cancelled),
                "tokenize": lambda: self.engine.tokenize(params),
                "count_tokens": lambda: self.engine.count_tokens(params),
            }[job.method]
            result = handler()
        except Cancelled as error:
            log.info("%s %r cancelled", job.method, job.id)
            if job.id is not None:
                reason = "request cancelled: bridge is shutting down" if self.closing else "request cancelled"
                self.reply_error(job.id, cancelled_error(error.data, reason))
            return
        except RpcError as error:
            log.info("%s %r failed: %s", job.method, job.id, error.message)
            if job.id is not None:
                self.reply_error(job.id, error)
            return
        except Exception as error:  # noqa: BLE001 - the bridge must keep serving
            if is_out_of_memory(error):
                log.error("%s %r ran out of memory: %s", job.method, job.id, error)
                rpc = oom_error(error)
            else:
                log.error("%s %r crashed:\n%s", job.method, job.id, traceback.format_exc())
                rpc = RpcError(INTERNAL_ERROR, f"internal error: {type(error).__name__}: {error}")
            if job.id is not None:
                self.reply_error(job.id, rpc)
            return
        log.debug("%s %r done in %.3fs", job.method, job.id, time.perf_counter() - started)
        if job.id is not None:
            self.reply(job.id, result)


def configure_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
