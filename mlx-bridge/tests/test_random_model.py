"""The offline fixture builder: reuse of a finished build, vocabulary size, the parrot model."""

from __future__ import annotations

import json
from pathlib import Path

from mlx_bridge.random_model import build, default_cache_dir


def test_a_matching_build_is_reused(tiny_model):
    weights = Path(tiny_model) / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert build("tiny", default_cache_dir("tiny")) == Path(tiny_model)
    assert weights.stat().st_mtime_ns == before


def test_vocab_size_matches_the_tokenizer(tiny_model):
    config = json.loads((Path(tiny_model) / "config.json").read_text())
    tokenizer = json.loads((Path(tiny_model) / "tokenizer.json").read_text())
    size = len(tokenizer["model"]["vocab"]) + len([t for t in tokenizer["added_tokens"]
                                                   if t["content"] not in tokenizer["model"]["vocab"]])
    assert config["vocab_size"] == size == 512


def test_the_parrot_answers_any_chat_with_its_text(fresh_bridge):
    parrot = str(build("parrot", default_cache_dir("parrot")))
    b = fresh_bridge()
    b.call("load_model", {"model": parrot})
    for content in ("hello", "Write a post about the 2.0 release, please."):
        result = b.call("generate", {"messages": [{"role": "user", "content": content}], "max_tokens": 20})
        assert result["text"] == "Reply Text: Ship it"
        assert result["finish_reason"] == "stop"
