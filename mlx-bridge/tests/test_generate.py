"""initialize, load_model, generate (seeds, stop strings, streaming), tokenize, count_tokens."""

from __future__ import annotations

import pytest

import mlx_lm

CHAT = [{"role": "system", "content": "You write posts."}, {"role": "user", "content": "Announce the release."}]


@pytest.fixture(scope="module")
def direct(tiny_model):
    return mlx_lm.load(tiny_model)


@pytest.fixture(scope="module")
def no_eos(direct):
    _, tokenizer = direct
    return {str(t): -1e9 for t in tokenizer.eos_token_ids}


def test_initialize_reports_versions_device_and_capabilities(bridge):
    result = bridge.call("initialize", {"client": {"name": "pytest"}})
    assert result["protocol_version"] == "1.0"
    assert result["mlx_version"] and result["mlx_lm_version"] and result["bridge_version"]
    assert result["device"] in ("cpu", "gpu")
    assert result["capabilities"]["score"] and result["capabilities"]["stream"]


def test_load_model_reports_the_model_and_caches_it(bridge, tiny_model):
    first = bridge.call("load_model", {"model": tiny_model})
    assert first["cached"] is True  # the fixture loaded it already
    assert first["parameters"] == 106_816
    assert first["dtype"] == "float32" and first["quantization"] is None
    assert first["chat_template"] is True and first["vocab_size"] == 512
    assert first["memory"]["active_bytes"] > 0


def test_same_seed_gives_the_same_text_and_another_seed_differs(bridge, no_eos):
    params = {"messages": CHAT, "max_tokens": 24, "temperature": 1.0, "logit_bias": no_eos}
    a = bridge.call("generate", {**params, "seed": 7})
    b = bridge.call("generate", {**params, "seed": 7})
    c = bridge.call("generate", {**params, "seed": 8})
    assert a["text"] == b["text"] and a["text"]
    assert c["text"] != a["text"]
    assert a["finish_reason"] == "length"
    assert a["usage"]["completion_tokens"] == 24
    assert a["usage"]["prompt_tokens"] == bridge.call("count_tokens", {"messages": CHAT})["count"]
    assert a["timings"]["generation_tps"] > 0


def test_prompt_generation_matches_mlx_lm_in_process(bridge, direct, no_eos):
    model, tokenizer = direct
    expected = mlx_lm.generate(model, tokenizer, "Five lessons", max_tokens=12,
                               logits_processors=mlx_lm.sample_utils.make_logits_processors(
                                   logit_bias={int(k): v for k, v in no_eos.items()}))
    got = bridge.call("generate", {"prompt": "Five lessons", "max_tokens": 12, "temperature": 0,
                                   "logit_bias": no_eos})
    assert got["text"] == expected


def test_stop_string_cuts_the_text_before_it(bridge, no_eos):
    params = {"prompt": "The quick brown", "max_tokens": 40, "temperature": 1.0, "seed": 3, "logit_bias": no_eos}
    full = bridge.call("generate", params)["text"]
    assert len(full) > 12
    stop = full[8:11]
    cut = full.index(stop)
    result = bridge.call("generate", {**params, "stop": [stop, "never-appears"]})
    assert result["text"] == full[:cut]
    assert result["finish_reason"] == "stop"
    assert result["stop_sequence"] == stop


def test_streaming_sends_ordered_deltas_before_the_response(bridge, no_eos):
    params = {"prompt": "Hmm, maybe", "max_tokens": 30, "temperature": 1.0, "seed": 11, "logit_bias": no_eos}
    plain = bridge.call("generate", params)
    id_ = bridge.send("generate", {**params, "stream": True})
    response, notes = bridge.wait_for(id_)
    assert notes, "no deltas were streamed"
    assert all(n["method"] == "generate/delta" and n["params"]["id"] == id_ for n in notes)
    assert [n["params"]["index"] for n in notes] == list(range(len(notes)))
    assert "".join(n["params"]["text"] for n in notes) == response["result"]["text"] == plain["text"]


def test_streaming_with_a_stop_string_never_leaks_the_stop(bridge, no_eos):
    params = {"prompt": "Numbers like", "max_tokens": 40, "temperature": 1.0, "seed": 5, "logit_bias": no_eos}
    full = bridge.call("generate", params)["text"]
    stop = full[10:14]
    id_ = bridge.send("generate", {**params, "stop": [stop], "stream": True})
    response, notes = bridge.wait_for(id_)
    streamed = "".join(n["params"]["text"] for n in notes)
    assert streamed == response["result"]["text"] == full[:full.index(stop)]


def test_eos_ends_generation_with_stop_and_is_not_counted(bridge, direct):
    _, tokenizer = direct
    eos = sorted(tokenizer.eos_token_ids)[0]
    result = bridge.call("generate", {"prompt": "Ship small", "max_tokens": 10, "logit_bias": {str(eos): 1e9}})
    assert result["finish_reason"] == "stop"
    assert result["usage"]["completion_tokens"] == 0
    assert result["text"] == ""


def test_tokenize_and_count_tokens(bridge, direct):
    _, tokenizer = direct
    text = "Unicode matters: café 🎉"
    result = bridge.call("tokenize", {"text": text})
    assert result["ids"] == tokenizer.encode(text, add_special_tokens=False)
    assert len(result["offsets"]) == len(result["ids"])
    assert bridge.call("count_tokens", {"text": text})["count"] == len(result["ids"])
    chat_ids = tokenizer.apply_chat_template(CHAT, add_generation_prompt=True)
    assert bridge.call("count_tokens", {"messages": CHAT})["count"] == len(chat_ids)


def test_unload_then_generate_reports_model_not_loaded(fresh_bridge, tiny_model):
    b = fresh_bridge()
    b.call("load_model", {"model": tiny_model})
    assert b.call("unload_model", {"model": tiny_model})["unloaded"] == [tiny_model]
    error = b.error("generate", {"prompt": "x", "max_tokens": 2})
    assert error["code"] == -32000
    assert b.call("info")["models"] == []
