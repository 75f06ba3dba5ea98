"""Teacher-forced scoring against logits computed directly from the model."""

from __future__ import annotations

import math

import mlx.core as mx
import mlx_lm
import pytest

CASES = [
    ("Write a post about the release.\n", "<think>\nPlan the intent.\n</think>\n<answer>\nShip it!\n</answer>"),
    ("Hello", " world"),
    ("Hello wor", "ld and more"),  # the boundary falls inside a word: BPE merges across it
    ("Emoji at the edge ", "🎉 café 東京 naïve"),
    ("x", "y"),
]


@pytest.fixture(scope="module")
def direct(tiny_model):
    return mlx_lm.load(tiny_model)


def direct_logprobs(direct, prompt: str, continuation: str):
    """Log-probabilities of every next token of prompt + continuation, from one forward pass."""
    model, tokenizer = direct
    enc = tokenizer._tokenizer(prompt + continuation, add_special_tokens=True, return_offsets_mapping=True)
    ids = enc["input_ids"]
    logits = model(mx.array(ids)[None, :-1])[0].astype(mx.float32)
    logprobs = logits - mx.logsumexp(logits, axis=-1, keepdims=True)
    values = [logprobs[j - 1, ids[j]].item() for j in range(1, len(ids))]
    return ids, enc["offset_mapping"], values


@pytest.mark.parametrize("prompt,continuation", CASES)
def test_score_equals_logits_computed_directly(bridge, direct, prompt, continuation):
    result = bridge.call("score", {"prompt": prompt, "continuation": continuation})
    ids, offsets, values = direct_logprobs(direct, prompt, continuation)
    expected = [(ids[j], values[j - 1]) for j in range(1, len(ids)) if offsets[j][1] > len(prompt)]
    assert [t["id"] for t in result["tokens"]] == [i for i, _ in expected]
    for token, (_, logprob) in zip(result["tokens"], expected):
        assert token["logprob"] == pytest.approx(logprob, abs=1e-5)
    n = len(expected)
    assert result["mean_nll"] == pytest.approx(-sum(v for _, v in expected) / n, abs=1e-5)
    clipped = -sum(min(0.0, max(-2.0, v)) for _, v in expected) / n
    assert result["clipped_mean_nll"] == pytest.approx(clipped, abs=1e-5)
    assert 0 <= result["clipped_mean_nll"] <= 2
    assert result["continuation_tokens"] == n
    assert result["prompt_tokens"] + n == len(ids)


@pytest.mark.parametrize("prompt,continuation", CASES)
def test_offsets_tile_exactly_the_continuation(bridge, prompt, continuation):
    tokens = bridge.call("score", {"prompt": prompt, "continuation": continuation})["tokens"]
    assert tokens[0]["start"] == 0 and tokens[-1]["end"] == len(continuation)
    for before, after in zip(tokens, tokens[1:]):
        assert before["end"] == after["start"]
    assert all(t["start"] <= t["end"] for t in tokens)
    assert "".join(t["token"] for t in tokens) == continuation
    assert "".join(continuation[t["start"]:t["end"]] for t in tokens) == continuation


def test_batch_scoring_equals_one_by_one(bridge):
    items = [{"prompt": p, "continuation": c} for p, c in CASES]
    batch = bridge.call("score_batch", {"items": items})["results"]
    assert len(batch) == len(items)
    for item, got in zip(items, batch):
        single = bridge.call("score", item)
        assert [t["id"] for t in got["tokens"]] == [t["id"] for t in single["tokens"]]
        assert [(t["start"], t["end"]) for t in got["tokens"]] == [(t["start"], t["end"]) for t in single["tokens"]]
        for a, b in zip(got["tokens"], single["tokens"]):
            assert a["logprob"] == pytest.approx(b["logprob"], abs=1e-4)
        assert got["clipped_mean_nll"] == pytest.approx(single["clipped_mean_nll"], abs=1e-4)


def test_scores_rank_a_forced_continuation_as_likely(bridge, direct):
    """Greedy text is, token by token, the model's most likely: its NLL is below a shuffled text's."""
    greedy = bridge.call("generate", {"prompt": "The quick", "max_tokens": 12, "temperature": 0})["text"]
    likely = bridge.call("score", {"prompt": "The quick", "continuation": greedy})
    unlikely = bridge.call("score", {"prompt": "The quick", "continuation": greedy[::-1] + " zq#"})
    assert all(math.isfinite(t["logprob"]) for t in likely["tokens"])
    assert likely["mean_nll"] < unlikely["mean_nll"]


def test_score_rejects_an_empty_continuation_and_an_empty_prompt(bridge):
    error = bridge.error("score", {"prompt": "x", "continuation": ""})
    assert error["code"] == -32602 and error["data"]["field"] == "continuation"
    error = bridge.error("score", {"prompt": "", "continuation": "abc"})
    assert error["code"] == -32602 and error["data"]["field"] == "prompt"
    error = bridge.error("score_batch", {"items": [{"prompt": "a", "continuation": "b"}, {"prompt": "a"}]})
    assert error["code"] == -32602 and error["data"]["field"] == "items[1].continuation"
