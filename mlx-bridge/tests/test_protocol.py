"""JSON-RPC behaviour: error codes, malformed input, cancellation, info while busy, shutdown, EOF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LONG = {"prompt": "Keep going", "max_tokens": 100_000, "temperature": 1.0, "seed": 1,
        "logit_bias": {"0": -1e9, "2": -1e9}, "stream": True}


def first_delta(bridge, id_):
    message = bridge.receive()
    assert message.get("method") == "generate/delta" and message["params"]["id"] == id_, message
    return message


@pytest.mark.parametrize("line,code", [
    (b"this is not json", -32700),
    (b'{"jsonrpc":"2.0","id":1,"method":"info"', -32700),
    (b"\xff\xfe{}", -32700),
    (b"[]", -32600),
    (b'[{"jsonrpc":"2.0","id":1,"method":"info"}]', -32600),
    (b'"just a string"', -32600),
    (b'{"id":1,"method":"info"}', -32600),
    (b'{"jsonrpc":"1.0","id":1,"method":"info"}', -32600),
    (b'{"jsonrpc":"2.0","id":{"a":1},"method":"info"}', -32600),
    (b'{"jsonrpc":"2.0","id":true,"method":"info"}', -32600),
    (b'{"jsonrpc":"2.0","id":1,"method":7}', -32600),
    (b'{"jsonrpc":"2.0","id":1,"method":"no_such_method"}', -32601),
    (b'{"jsonrpc":"2.0","id":1,"method":"generate","params":[1,2]}', -32602),
])
def test_malformed_lines_get_an_error_and_the_bridge_keeps_serving(bridge, line, code):
    bridge.send_raw(line + b"\n")
    message = bridge.receive()
    assert message["error"]["code"] == code, message
    assert bridge.call("generate", {"prompt": "still alive", "max_tokens": 2})["usage"]["completion_tokens"] >= 0


def test_blank_lines_are_ignored(bridge):
    bridge.send_raw(b"\n   \n\r\n")
    assert bridge.call("info")["default_model"]


@pytest.mark.parametrize("params,field", [
    ({"prompt": "x", "max_tokens": 0}, "max_tokens"),
    ({"prompt": "x", "max_tokens": "ten"}, "max_tokens"),
    ({"prompt": "x", "temperature": -1}, "temperature"),
    ({"prompt": "x", "top_p": 1.5}, "top_p"),
    ({"prompt": "x", "stop": [1]}, "stop"),
    ({"prompt": "x", "seed": 1.5}, "seed"),
    ({"prompt": "x", "logit_bias": {"99999": 1}}, "logit_bias.99999"),
    ({"prompt": "x", "max_tokns": 5}, "max_tokns"),
    ({"prompt": "x", "messages": [{"role": "user", "content": "y"}]}, "messages"),
    ({}, "messages"),
    ({"messages": [{"role": "robot", "content": "y"}]}, "messages[0].role"),
    ({"messages": [{"role": "user"}]}, "messages[0].content"),
])
def test_invalid_params_name_the_field(bridge, params, field):
    error = bridge.error("generate", params)
    assert error["code"] == -32602, error
    assert error["data"]["field"] == field
    assert field in error["message"]


def test_model_not_found_for_a_missing_path_and_an_unknown_hub_id(bridge, tmp_path):
    error = bridge.error("load_model", {"model": str(tmp_path / "nope")})
    assert error["code"] == -32001
    error = bridge.error("load_model", {"model": "reer-test/definitely-not-a-model"})  # HF_HUB_OFFLINE=1
    assert error["code"] == -32001
    error = bridge.error("load_model", {"model": "not a model id"})
    assert error["code"] == -32001
    assert bridge.call("info")["default_model"]  # the loaded model is untouched


def test_a_broken_model_directory_fails_to_load_with_its_own_code(bridge, tiny_model, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json", "model.safetensors"):
        (broken / name).write_bytes((Path(tiny_model) / name).read_bytes())
    config = json.loads((Path(tiny_model) / "config.json").read_text())
    (broken / "config.json").write_text(json.dumps({**config, "model_type": "no-such-architecture"}))
    error = bridge.error("load_model", {"model": str(broken)})
    assert error["code"] == -32003


def test_model_not_loaded_before_load_model(fresh_bridge):
    b = fresh_bridge()
    for method, params in [("generate", {"prompt": "x"}), ("score", {"prompt": "a", "continuation": "b"}),
                           ("tokenize", {"text": "x"}), ("unload_model", {"model": "m"})]:
        assert b.error(method, params)["code"] == -32000


def test_out_of_memory_is_reported_and_the_bridge_keeps_serving(fresh_bridge, tiny_model):
    b = fresh_bridge("--memory-limit-mb", "1")
    b.call("load_model", {"model": tiny_model})
    error = b.error("score", {"prompt": "A long prompt. " * 40, "continuation": "and more " * 40})
    assert error["code"] == -32002
    assert "out of memory" in error["message"]
    assert b.call("score", {"prompt": "a", "continuation": "b"})["tokens"]


def test_an_oversized_line_is_rejected_and_the_bridge_keeps_serving(fresh_bridge, tiny_model):
    b = fresh_bridge("--max-request-bytes", "2048")
    b.send("generate", {"prompt": "x" * 5000})
    error = b.receive()["error"]
    assert error["code"] == -32600 and "2048" in error["message"]
    b.call("load_model", {"model": tiny_model})
    assert b.call("generate", {"prompt": "x", "max_tokens": 1})["finish_reason"] in ("length", "stop")


def test_cancel_stops_a_running_generation_at_the_next_token(bridge):
    id_ = bridge.send("generate", LONG)
    first_delta(bridge, id_)
    cancel = bridge.send("$/cancelRequest", {"id": id_})
    seen = {}
    while len(seen) < 2:
        message = bridge.receive()
        if message.get("method") == "generate/delta":
            continue
        seen[message["id"]] = message
    assert seen[cancel]["result"] == {"cancelled": True}
    error = seen[id_]["error"]
    assert error["code"] == -32800
    assert error["data"]["completion_tokens"] < 100_000
    assert bridge.call("generate", {"prompt": "after", "max_tokens": 3})["usage"]["prompt_tokens"] > 0


def test_cancel_notification_and_queued_request(bridge):
    running = bridge.send("generate", LONG)
    first_delta(bridge, running)
    queued = bridge.send("score", {"prompt": "a", "continuation": "b"})
    bridge.send("$/cancelRequest", {"id": queued}, id_=None)  # a notification: no reply of its own
    message = bridge.receive()
    while message.get("method") == "generate/delta":
        message = bridge.receive()
    assert message["id"] == queued and message["error"]["code"] == -32800
    bridge.send("$/cancelRequest", {"id": running}, id_=None)
    response, _ = bridge.wait_for(running)
    assert response["error"]["code"] == -32800
    assert bridge.call("$/cancelRequest", {"id": 424242}) == {"cancelled": False}


def test_info_is_answered_while_a_generation_runs(bridge):
    running = bridge.send("generate", LONG)
    first_delta(bridge, running)
    info_id = bridge.send("info")
    message = bridge.receive()
    while message.get("method") == "generate/delta":
        message = bridge.receive()
    assert message["id"] == info_id
    info = message["result"]
    assert info["busy"] == running
    assert info["memory"]["active_bytes"] > 0 and info["memory"]["peak_bytes"] >= info["memory"]["active_bytes"]
    assert info["models"][0]["parameters"] == 106_816
    bridge.send("$/cancelRequest", {"id": running}, id_=None)
    response, _ = bridge.wait_for(running)
    assert response["error"]["code"] == -32800


def test_duplicate_ids_in_flight_are_rejected(bridge):
    bridge.send("generate", LONG, id_="dup")
    first_delta(bridge, "dup")
    bridge.send("score", {"prompt": "a", "continuation": "b"}, id_="dup")
    message = bridge.receive()
    while message.get("method") == "generate/delta":
        message = bridge.receive()
    assert message["error"]["code"] == -32600 and "already in use" in message["error"]["message"]
    bridge.send("$/cancelRequest", {"id": "dup"}, id_=None)
    response, _ = bridge.wait_for("dup")
    assert response["error"]["code"] == -32800


def test_shutdown_answers_cancels_running_work_and_exits(fresh_bridge, tiny_model):
    b = fresh_bridge()
    b.call("load_model", {"model": tiny_model})
    running = b.send("generate", LONG)
    first_delta(b, running)
    shutdown = b.send("shutdown")
    replies = {}
    while len(replies) < 2:
        message = b.receive()
        if "id" in message:
            replies[message["id"]] = message
    assert replies[shutdown]["result"] == {}
    assert replies[running]["error"]["code"] == -32800
    assert b.proc.wait(timeout=20) == 0


def test_stdin_eof_ends_the_bridge_even_mid_generation(fresh_bridge, tiny_model):
    b = fresh_bridge()
    b.call("load_model", {"model": tiny_model})
    running = b.send("generate", LONG)
    first_delta(b, running)
    assert b.proc.stdin is not None
    b.proc.stdin.close()
    assert b.proc.wait(timeout=20) == 0
