"""Builds random-weight Llama-style models offline, for tests and benchmarks.

    python -m mlx_bridge.random_model --preset tiny            # ~100k parameters, for tests
    python -m mlx_bridge.random_model --preset bench-100m      # ~105M parameters, CPU benchmark
    python -m mlx_bridge.random_model --preset bench-1b --dtype bfloat16 --out /tmp/m
    python -m mlx_bridge.random_model --preset parrot --say "Reply Text: Ship it"

`parrot` is the tiny model rewired into a bigram chain that answers any chat prompt with exactly
the `--say` text and then its end-of-turn token, so programs that parse the output (Ax) can be
tested end to end with deterministic text.

The directory holds what `mlx_lm.load` needs: config.json, model.safetensors, tokenizer.json and
tokenizer_config.json (with a ChatML chat template). Nothing is downloaded: the tokenizer is a
byte-level BPE trained with `tokenizers` on seeded synthetic text. A finished build writes
`build.json` last; a directory whose build.json matches the request is reused as is.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

BUILDER_VERSION = 1

PRESETS: dict[str, dict[str, int]] = {
    "tiny": dict(hidden_size=64, num_hidden_layers=2, intermediate_size=128, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=512),
    "parrot": dict(hidden_size=64, num_hidden_layers=2, intermediate_size=128, num_attention_heads=4,
                   num_key_value_heads=2, vocab_size=512),
    "bench-100m": dict(hidden_size=768, num_hidden_layers=14, intermediate_size=2048,
                       num_attention_heads=12, num_key_value_heads=12, vocab_size=8192),
    "bench-1b": dict(hidden_size=2048, num_hidden_layers=16, intermediate_size=8192,
                     num_attention_heads=32, num_key_value_heads=8, vocab_size=32000),
}

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

SEED_LINES = [
    "Announcing the new release of our R package for tidy survival analysis.",
    "Five lessons from a year of posting about data engineering every week.",
    "Hmm, maybe the hook should be a question. Wait, the reader is a busy analyst.",
    "<think>\nPlan the intent, then the reader, then the structure.\n</think>",
    "<answer>\nShip small, write the changelog first, thank the contributors.\n</answer>",
    "Unicode matters too: café, naïve, 東京, emoji 🎉 and accents like é.",
    "Numbers like 3.14, 2025 and 100% appear in posts; so do #hashtags and @mentions.",
    "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs.",
]


def default_cache_dir(preset: str) -> Path:
    return Path(__file__).resolve().parent.parent / ".cache" / f"{preset}-model"


def _synthetic_corpus(seed: int, words: int) -> list[str]:
    """Seeded pseudo-words, so larger vocabularies find enough merges to learn."""
    rng = random.Random(seed)
    syllables = [a + b for a in "bcdfghjklmnprstvwz" for b in "aeiou"] + ["th", "sh", "ch", "st", "nd"]
    lines = list(SEED_LINES)
    line: list[str] = []
    for _ in range(words):
        line.append("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
        if len(line) >= 12:
            lines.append(" ".join(line))
            line = []
    return lines


def build_tokenizer(vocab_size: int, seed: int, extra_lines: list[str] | None = None):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    # trim_offsets=False keeps a token's leading space inside its offsets, so spans tile the text.
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    corpus_words = 0 if vocab_size <= 600 else vocab_size * 6
    tokenizer.train_from_iterator(_synthetic_corpus(seed, corpus_words) + (extra_lines or []), trainer=trainer)
    # Pad to the exact size so every id the model can sample decodes.
    missing = vocab_size - tokenizer.get_vocab_size()
    if missing > 0:
        tokenizer.add_tokens([f"<|extra_{i}|>" for i in range(missing)])
    if tokenizer.get_vocab_size() != vocab_size:
        raise RuntimeError(f"tokenizer has {tokenizer.get_vocab_size()} tokens, expected {vocab_size}")
    return tokenizer


DEFAULT_PARROT_TEXT = "Reply Text: Ship it"


def _make_parrot(model, tokenizer, say: str) -> None:
    """Zeroes every block's output so each position's hidden state is its own token's embedding,
    then sets the LM head so that the end of a chat prompt ("\n") is followed by `say`'s tokens
    and then <|im_end|>. Every token of the chain must be distinct."""
    import mlx.core as mx

    newline = tokenizer.encode("\n").ids
    chain = newline + tokenizer.encode(say).ids + [tokenizer.token_to_id("<|im_end|>")]
    if len(set(chain[:-1])) != len(chain) - 1 or len(newline) != 1:
        raise ValueError(f"--say {say!r} must tokenize to distinct tokens and contain no newline")
    for layer in model.model.layers:
        layer.self_attn.o_proj.weight = mx.zeros_like(layer.self_attn.o_proj.weight)
        layer.mlp.down_proj.weight = mx.zeros_like(layer.mlp.down_proj.weight)
    embeddings = model.model.embed_tokens.weight
    norm = model.model.norm
    head = mx.zeros((embeddings.shape[0], embeddings.shape[1]), dtype=embeddings.dtype)
    for current, following in zip(chain, chain[1:]):
        hidden = norm(embeddings[current][None])[0]
        # A logit of 30 for the successor; other tokens get |cos| * 30, far below it.
        head[following] = 30.0 * hidden / mx.sum(hidden * hidden)
    model.lm_head.weight = head


def build(preset: str, out: Path, seed: int = 0, dtype: str = "float32", force: bool = False,
          say: str | None = None) -> Path:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if preset == "parrot":
        say = say or DEFAULT_PARROT_TEXT
    spec = {"builder": BUILDER_VERSION, "preset": preset, "seed": seed, "dtype": dtype, "say": say,
            **PRESETS[preset]}
    marker = out / "build.json"
    if not force and marker.exists():
        try:
            if json.loads(marker.read_text()) == spec:
                return out
        except (OSError, ValueError):
            pass
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_lm.models import llama

    dims = PRESETS[preset]
    # The parrot's reply is repeated in its corpus so its words become single, distinct tokens.
    tokenizer = build_tokenizer(dims["vocab_size"], seed, [say] * 200 if preset == "parrot" and say else None)
    tokenizer.save(str(out / "tokenizer.json"))
    eos_id = tokenizer.token_to_id("<|im_end|>")
    eot_id = tokenizer.token_to_id("<|endoftext|>")

    config = {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        **dims,
        "head_dim": dims["hidden_size"] // dims["num_attention_heads"],
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "max_position_embeddings": 4096,
        "tie_word_embeddings": preset != "parrot",
        "eos_token_id": [eos_id, eot_id],
        "bos_token_id": None,
        "torch_dtype": dtype,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2))
    (out / "tokenizer_config.json").write_text(json.dumps({
        # Without it transformers picks a tokenizer class from model_type with another pre-tokenizer.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "bos_token": None,
        "unk_token": None,
        "add_bos_token": False,
        "model_max_length": 4096,
        "chat_template": CHAT_TEMPLATE,
    }, indent=2))
    (out / "special_tokens_map.json").write_text(json.dumps({
        "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
    }))

    mx.random.seed(seed)
    model = llama.Model(llama.ModelArgs.from_dict(config))
    if preset == "parrot":
        assert say is not None
        _make_parrot(model, tokenizer, say)
    if dtype != "float32":
        model.set_dtype(getattr(mx, dtype))
    weights = dict(tree_flatten(model.parameters()))
    mx.eval(weights)
    mx.save_safetensors(str(out / "model.safetensors"), weights, metadata={"format": "mlx"})
    parameters = sum(v.size for v in weights.values())
    marker.write_text(json.dumps(spec))
    print(f"built {preset} model ({parameters:,} parameters, {dtype}) in {out}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlx_bridge.random_model", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    parser.add_argument("--out", type=Path, help="output directory (default: mlx-bridge/.cache/<preset>-model)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", choices=["float32", "float16", "bfloat16"], default="float32")
    parser.add_argument("--force", action="store_true", help="rebuild even when a matching build exists")
    parser.add_argument("--say", help=f"parrot preset: the reply (default {DEFAULT_PARROT_TEXT!r})")
    args = parser.parse_args(argv)
    out = build(args.preset, args.out or default_cache_dir(args.preset), args.seed, args.dtype, args.force,
                args.say)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
