"""Fixtures: the tiny random model (built offline once into mlx-bridge/.cache) and a bridge process
spoken to over real pipes."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from mlx_bridge.random_model import build, default_cache_dir

BRIDGE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tiny_model() -> str:
    return str(build("tiny", default_cache_dir("tiny")))


class Bridge:
    """A bridge subprocess; every stdout line must be a JSON-RPC message."""

    def __init__(self, *args: str):
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlx_bridge", "--log-level", "debug", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=BRIDGE_DIR, env=env,
        )
        self.messages: "queue.Queue[dict[str, Any]]" = queue.Queue()
        self.stray: list[bytes] = []
        self.stderr: list[str] = []
        self.next_id = 0
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                self.stray.append(line)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.decode(errors="replace"))

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, method: str, params: Any = None, id_: Any = "auto") -> Any:
        if id_ == "auto":
            self.next_id += 1
            id_ = self.next_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if id_ is not None:
            message["id"] = id_
        if params is not None:
            message["params"] = params
        self.send_raw(json.dumps(message).encode() + b"\n")
        return id_

    def receive(self, timeout: float = 60) -> dict[str, Any]:
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message from the bridge in {timeout}s; stderr:\n{''.join(self.stderr[-20:])}")

    def wait_for(self, id_: Any, timeout: float = 60) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Returns the response to id_ and the notifications received before it."""
        notes: list[dict[str, Any]] = []
        while True:
            message = self.receive(timeout)
            if "method" in message:
                notes.append(message)
            elif message.get("id") == id_:
                return message, notes
            else:
                raise AssertionError(f"unexpected message while waiting for {id_}: {message}")

    def call(self, method: str, params: Any = None, timeout: float = 60) -> Any:
        response, _ = self.wait_for(self.send(method, params), timeout)
        if "error" in response:
            raise AssertionError(f"{method} failed: {response['error']}")
        return response["result"]

    def error(self, method: str, params: Any = None) -> dict[str, Any]:
        response, _ = self.wait_for(self.send(method, params))
        assert "error" in response, f"expected an error, got {response}"
        return response["error"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=20)
            except (subprocess.TimeoutExpired, BrokenPipeError):
                self.proc.kill()
                self.proc.wait()
        assert not self.stray, f"non-protocol output on stdout: {self.stray[:3]}"


@pytest.fixture(scope="module")
def bridge(tiny_model: str):
    b = Bridge()
    b.call("initialize")
    b.call("load_model", {"model": tiny_model})
    yield b
    b.close()


@pytest.fixture
def fresh_bridge():
    made: list[Bridge] = []

    def start(*args: str) -> Bridge:
        b = Bridge(*args)
        made.append(b)
        return b

    yield start
    for b in made:
        b.close()
