"""JSON-RPC 2.0 error codes, the error type handlers raise, and parameter validation."""

from __future__ import annotations

import math
from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Application codes, in the range JSON-RPC reserves for servers.
MODEL_NOT_LOADED = -32000
MODEL_NOT_FOUND = -32001
OUT_OF_MEMORY = -32002
MODEL_LOAD_FAILED = -32003
# LSP's code for a request the client cancelled.
REQUEST_CANCELLED = -32800


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def invalid_params(field: str, message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, f"invalid params: {field}: {message}", {"field": field})


class Params:
    """Reads one request's params by name, rejecting wrong types, bad ranges and unknown fields."""

    def __init__(self, raw: Any, prefix: str = ""):
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise invalid_params(prefix or "params", "must be an object (named parameters)")
        self._raw: dict[str, Any] = raw
        self._seen: set[str] = set()
        self._prefix = prefix

    def field(self, name: str) -> str:
        """The field's full name in error messages, e.g. `messages[0].role`."""
        return f"{self._prefix}{name}"

    def _get(self, name: str, required: bool) -> Any:
        self._seen.add(name)
        value = self._raw.get(name)
        if value is None and required:
            raise invalid_params(self.field(name), "is required")
        return value

    def has(self, name: str) -> bool:
        return self._raw.get(name) is not None

    def string(self, name: str, *, required: bool = False, default: str | None = None,
               non_empty: bool = False) -> str | None:
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise invalid_params(self.field(name), "must be a string")
        if non_empty and value == "":
            raise invalid_params(self.field(name), "must not be empty")
        return value

    def integer(self, name: str, *, default: int | None = None, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self._get(name, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid_params(self.field(name), "must be an integer")
        if minimum is not None and value < minimum:
            raise invalid_params(self.field(name), f"must be >= {minimum}")
        if maximum is not None and value > maximum:
            raise invalid_params(self.field(name), f"must be <= {maximum}")
        return value

    def number(self, name: str, *, default: float | None = None, minimum: float | None = None,
               maximum: float | None = None) -> float | None:
        value = self._get(name, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise invalid_params(self.field(name), "must be a finite number")
        if minimum is not None and value < minimum:
            raise invalid_params(self.field(name), f"must be >= {minimum}")
        if maximum is not None and value > maximum:
            raise invalid_params(self.field(name), f"must be <= {maximum}")
        return float(value)

    def boolean(self, name: str, *, default: bool = False) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise invalid_params(self.field(name), "must be a boolean")
        return value

    def string_list(self, name: str) -> list[str]:
        value = self._get(name, False)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid_params(self.field(name), "must be a string or an array of strings")
        return value

    def object_list(self, name: str, *, required: bool = False) -> list["Params"] | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, list):
            raise invalid_params(self.field(name), "must be an array")
        return [Params(item, f"{self.field(name)}[{i}].") for i, item in enumerate(value)]

    def int_float_map(self, name: str) -> dict[int, float] | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid_params(self.field(name), "must be an object of token id -> bias")
        out: dict[int, float] = {}
        for key, bias in value.items():
            try:
                token = int(key)
            except ValueError:
                raise invalid_params(f"{self.field(name)}.{key}", "key must be a token id") from None
            if isinstance(bias, bool) or not isinstance(bias, (int, float)) or not math.isfinite(bias):
                raise invalid_params(f"{self.field(name)}.{key}", "must be a finite number")
            out[token] = float(bias)
        return out

    def done(self) -> None:
        """Rejects fields nobody read, so a misspelt option is an error rather than ignored."""
        unknown = sorted(set(self._raw) - self._seen)
        if unknown:
            raise invalid_params(self.field(unknown[0]), "unknown field")
