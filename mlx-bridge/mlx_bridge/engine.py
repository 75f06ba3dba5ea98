"""Model loading, generation and teacher-forced scoring on mlx_lm.

Every method here runs on the bridge's worker thread: mlx streams are per thread, so all mlx work
stays on the thread that imported mlx_lm. `info()` is the exception: it only reads a snapshot and
allocator counters, so the reader thread may call it while a generation runs.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import mlx.core as mx
import mlx_lm
from mlx.utils import tree_flatten
from mlx_lm.sample_utils import make_logits_processors, make_sampler

from .protocol import (
    MODEL_LOAD_FAILED,
    MODEL_NOT_FOUND,
    MODEL_NOT_LOADED,
    OUT_OF_MEMORY,
    REQUEST_CANCELLED,
    Params,
    RpcError,
    invalid_params,
)

log = logging.getLogger("mlx_bridge")

REER_CLIP = -2.0
HF_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
CHAT_ROLES = {"system", "user", "assistant", "tool"}
# Rows of float32 logits converted at once when scoring; bounds the T x V float32 buffer.
SCORE_CHUNK_BYTES = 256 * 2**20
# Tokens per padded forward pass in score_batch.
SCORE_BATCH_TOKENS = 4096


@dataclass
class LoadedModel:
    name: str
    path: str
    model: Any
    tokenizer: Any
    config: dict[str, Any]
    parameters: int
    dtype: str
    quantization: dict[str, Any] | None
    adapter_path: str | None
    revision: str | None
    load_seconds: float
    num_layers: int = 0
    kv_bytes_per_token: int = 0

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "path": self.path,
            "parameters": self.parameters,
            "dtype": self.dtype,
            "quantization": self.quantization,
            "adapter_path": self.adapter_path,
            "revision": self.revision,
            "vocab_size": len(self.tokenizer),
            "chat_template": bool(self.tokenizer.has_chat_template),
            "load_seconds": round(self.load_seconds, 3),
        }


class Cancelled(Exception):
    def __init__(self, data: dict[str, Any] | None = None):
        super().__init__("cancelled")
        self.data = data


def memory_stats() -> dict[str, int]:
    return {
        "active_bytes": int(mx.get_active_memory()),
        "peak_bytes": int(mx.get_peak_memory()),
        "cache_bytes": int(mx.get_cache_memory()),
    }


def is_out_of_memory(error: BaseException) -> bool:
    if isinstance(error, MemoryError):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and (
        "out of memory" in text or "unable to allocate" in text or "malloc" in text
    )


def _is_hub_lookup_error(error: BaseException) -> bool:
    names = {type(e).__name__ for e in (error, error.__cause__, error.__context__) if e is not None}
    return bool(names & {
        "RepositoryNotFoundError", "RevisionNotFoundError", "LocalEntryNotFoundError",
        "GatedRepoError", "EntryNotFoundError", "OfflineModeIsEnabled", "HFValidationError",
        "ConnectionError", "HTTPError",
    })


class Engine:
    def __init__(self, memory_limit_bytes: int | None = None):
        self.models: dict[str, LoadedModel] = {}
        self.default_model: str | None = None
        self._lock = threading.Lock()
        self._snapshot: list[dict[str, Any]] = []
        info = mx.device_info() if hasattr(mx, "device_info") else {}
        device_memory = int(info.get("memory_size", 0) or 0)
        if not device_memory and hasattr(os, "sysconf"):
            device_memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        self.memory_limit_bytes = memory_limit_bytes or (int(device_memory * 0.9) if device_memory else None)
        self.device = "gpu" if mx.default_device() == mx.gpu else "cpu"
        if self.device == "cpu":
            self.backend = "cpu"
        else:
            self.backend = "cuda" if mx.cuda.is_available() else "metal"

    # --- models ---------------------------------------------------------------------------------

    def load_model(self, params: Params) -> dict[str, Any]:
        name = params.string("model", required=True, non_empty=True)
        adapter_path = params.string("adapter_path", non_empty=True)
        revision = params.string("revision", non_empty=True)
        params.done()
        assert name is not None
        existing = self.models.get(name)
        if existing and existing.adapter_path == adapter_path and existing.revision == revision:
            self.default_model = name
            return {**existing.describe(), "cached": True, "memory": memory_stats()}

        local = Path(name).expanduser()
        if not local.exists():
            looks_like_path = name.startswith(("/", ".", "~")) or "\\" in name or name.count("/") > 1
            if looks_like_path or not HF_REPO_ID.match(name):
                raise RpcError(MODEL_NOT_FOUND, f"model not found: {name} is neither an existing directory "
                               "nor a Hugging Face repo id", {"model": name})
        if adapter_path is not None and not Path(adapter_path).expanduser().exists():
            raise invalid_params("adapter_path", f"{adapter_path} does not exist")

        if existing:
            self._drop(name)
        started = time.perf_counter()
        source = str(local) if local.exists() else name
        try:
            model, tokenizer, config = mlx_lm.load(
                source,
                adapter_path=str(Path(adapter_path).expanduser()) if adapter_path else None,
                revision=revision,
                return_config=True,
            )
        except FileNotFoundError as error:
            raise RpcError(MODEL_NOT_FOUND, f"model not found: {name}: {error}", {"model": name}) from error
        except Exception as error:  # noqa: BLE001 - classified below
            if is_out_of_memory(error):
                raise
            if not local.exists() and _is_hub_lookup_error(error):
                raise RpcError(MODEL_NOT_FOUND, f"model not found on the Hugging Face Hub: {name}: {error}",
                               {"model": name}) from error
            raise RpcError(MODEL_LOAD_FAILED, f"could not load {name}: {type(error).__name__}: {error}",
                           {"model": name}) from error
        weights = dict(tree_flatten(model.parameters()))
        parameters = int(sum(v.size for v in weights.values()))
        dtypes = sorted({str(v.dtype).replace("mlx.core.", "") for v in weights.values()})
        quant = config.get("quantization") or config.get("quantization_config")
        quantization = {k: quant[k] for k in ("bits", "group_size", "mode") if k in quant} if quant else None
        layers = int(config.get("num_hidden_layers", 0) or 0)
        heads = int(config.get("num_key_value_heads") or config.get("num_attention_heads") or 0)
        hidden = int(config.get("hidden_size", 0) or 0)
        head_dim = int(config.get("head_dim") or (hidden // int(config.get("num_attention_heads") or 1)))
        loaded = LoadedModel(
            name=name,
            path=str(local.resolve()) if local.exists() else source,
            model=model,
            tokenizer=tokenizer,
            config=config,
            parameters=parameters,
            dtype=dtypes[0] if len(dtypes) == 1 else ",".join(dtypes),
            quantization=quantization,
            adapter_path=adapter_path,
            revision=revision,
            load_seconds=time.perf_counter() - started,
            num_layers=layers,
            kv_bytes_per_token=2 * layers * heads * head_dim * 4,
        )
        self.models[name] = loaded
        self.default_model = name
        self._publish()
        log.info("loaded %s (%d parameters) in %.2fs", name, parameters, loaded.load_seconds)
        return {**loaded.describe(), "cached": False, "memory": memory_stats()}

    def unload_model(self, params: Params) -> dict[str, Any]:
        name = params.string("model", non_empty=True)
        params.done()
        if name is not None and name not in self.models:
            raise RpcError(MODEL_NOT_LOADED, f"model not loaded: {name}", {"model": name})
        names = [name] if name is not None else list(self.models)
        for n in names:
            self._drop(n)
        mx.clear_cache()
        return {"unloaded": names, "memory": memory_stats()}

    def _drop(self, name: str) -> None:
        self.models.pop(name, None)
        if self.default_model == name:
            self.default_model = next(reversed(self.models), None) if self.models else None
        self._publish()

    def _publish(self) -> None:
        with self._lock:
            self._snapshot = [m.describe() for m in self.models.values()]

    def _resolve(self, params: Params) -> LoadedModel:
        name = params.string("model", non_empty=True)
        if name is None:
            if self.default_model is None:
                raise RpcError(MODEL_NOT_LOADED, "model not loaded: call load_model first")
            name = self.default_model
        loaded = self.models.get(name)
        if loaded is None:
            raise RpcError(MODEL_NOT_LOADED, f"model not loaded: {name}: call load_model first", {"model": name})
        return loaded

    def info(self) -> dict[str, Any]:
        with self._lock:
            models = list(self._snapshot)
        return {
            "models": models,
            "default_model": self.default_model,
            "memory": memory_stats(),
            "memory_limit_bytes": self.memory_limit_bytes,
            "device": self.device,
            "backend": self.backend,
        }

    def _check_memory(self, needed: int, what: str) -> None:
        limit = self.memory_limit_bytes
        if limit is None:
            return
        available = limit - int(mx.get_active_memory())
        if needed > available:
            raise RpcError(OUT_OF_MEMORY, f"out of memory: {what} needs about {needed} bytes; "
                           f"{max(available, 0)} of the {limit}-byte limit are free",
                           {"needed_bytes": needed, "limit_bytes": limit})

    # --- prompts ----------------------------------------------------------------------------------

    def _prompt_ids(self, lm: LoadedModel, params: Params) -> list[int]:
        messages = params.object_list("messages")
        prompt = params.string("prompt")
        if (messages is None) == (prompt is None):
            raise invalid_params("messages", "give exactly one of messages or prompt")
        tokenizer = lm.tokenizer
        if prompt is not None:
            bos = tokenizer.bos_token
            return list(tokenizer.encode(prompt, add_special_tokens=bos is None or not prompt.startswith(bos)))
        assert messages is not None
        if not messages:
            raise invalid_params("messages", "must not be empty")
        chat = []
        for m in messages:
            role = m.string("role", required=True)
            content = m.string("content", required=True)
            m.done()
            if role not in CHAT_ROLES:
                raise invalid_params(m.field("role"), f"must be one of {', '.join(sorted(CHAT_ROLES))}")
            chat.append({"role": role, "content": content})
        if not tokenizer.has_chat_template:
            raise invalid_params("messages", f"{lm.name} has no chat template; send a prompt instead")
        ids = tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=True)
        return list(ids)

    # --- generation -------------------------------------------------------------------------------

    def generate(self, params: Params, emit: Callable[[str], None] | None,
                 is_cancelled: Callable[[], bool]) -> dict[str, Any]:
        lm = self._resolve(params)
        ids = self._prompt_ids(lm, params)
        max_tokens = params.integer("max_tokens", default=256, minimum=1)
        temperature = params.number("temperature", default=0.0, minimum=0.0)
        top_p = params.number("top_p", default=1.0, minimum=0.0, maximum=1.0)
        top_k = params.integer("top_k", default=0, minimum=0)
        min_p = params.number("min_p", default=0.0, minimum=0.0, maximum=1.0)
        repetition_penalty = params.number("repetition_penalty", minimum=0.0)
        logit_bias = params.int_float_map("logit_bias")
        stops = [s for s in params.string_list("stop") if s]
        seed = params.integer("seed", minimum=0, maximum=2**63 - 1)
        stream = params.boolean("stream")
        params.done()
        assert max_tokens is not None and temperature is not None and top_p is not None
        assert top_k is not None and min_p is not None
        vocab = len(lm.tokenizer)
        if logit_bias:
            bad = [t for t in logit_bias if not 0 <= t < vocab]
            if bad:
                raise invalid_params(f"logit_bias.{bad[0]}", f"token id out of range [0, {vocab})")
        self._check_memory(lm.kv_bytes_per_token * (len(ids) + max_tokens), "the KV cache for this generation")

        sampler = make_sampler(temp=temperature, top_p=top_p if top_p < 1.0 else 0.0, min_p=min_p, top_k=top_k)
        processors = make_logits_processors(logit_bias=logit_bias, repetition_penalty=repetition_penalty)
        if seed is not None:
            mx.random.seed(seed)

        holdback = max((len(s) for s in stops), default=1) - 1
        text = ""
        emitted = 0
        completion_tokens = 0
        finish_reason = "length"
        stop_sequence: str | None = None
        started = time.perf_counter()
        first_token_at: float | None = None
        last = None

        def flush(upto: int) -> None:
            nonlocal emitted
            if upto > emitted:
                if stream and emit is not None:
                    emit(text[emitted:upto])
                emitted = upto

        for response in mlx_lm.stream_generate(lm.model, lm.tokenizer, mx.array(ids), max_tokens,
                                               sampler=sampler, logits_processors=processors):
            if is_cancelled():
                raise Cancelled({"text": text[:emitted], "completion_tokens": completion_tokens})
            last = response
            if first_token_at is None:
                first_token_at = time.perf_counter()
            eos = response.finish_reason == "stop"
            if not eos:
                completion_tokens += 1
            text += response.text
            if stops:
                hits = [(text.find(s, emitted), s) for s in stops]
                hits = [(i, s) for i, s in hits if i >= 0]
                if hits:
                    cut, stop_sequence = min(hits, key=lambda h: (h[0], -len(h[1])))
                    text = text[:cut]
                    flush(cut)
                    finish_reason = "stop"
                    break
            if response.finish_reason is not None:
                finish_reason = response.finish_reason
                flush(len(text))
                break
            flush(len(text) - holdback)
        else:
            flush(len(text))
        elapsed = time.perf_counter() - started
        gen_seconds = elapsed - ((first_token_at or started) - started)
        return {
            "text": text,
            "finish_reason": finish_reason,
            "stop_sequence": stop_sequence,
            "usage": {"prompt_tokens": len(ids), "completion_tokens": completion_tokens},
            "timings": {
                "total_seconds": elapsed,
                "time_to_first_token_seconds": (first_token_at - started) if first_token_at else None,
                "prompt_tps": last.prompt_tps if last else None,
                "generation_tps": (completion_tokens / gen_seconds) if gen_seconds > 0 and completion_tokens else None,
                "peak_memory_bytes": int(mx.get_peak_memory()),
            },
        }

    # --- tokens -----------------------------------------------------------------------------------

    def tokenize(self, params: Params) -> dict[str, Any]:
        lm = self._resolve(params)
        text = params.string("text", required=True)
        add_special = params.boolean("add_special_tokens", default=False)
        params.done()
        assert text is not None
        enc = lm.tokenizer._tokenizer(text, add_special_tokens=add_special, return_offsets_mapping=True)
        ids = list(enc["input_ids"])
        return {
            "ids": ids,
            "tokens": lm.tokenizer.convert_ids_to_tokens(ids),
            "offsets": [list(o) for o in enc["offset_mapping"]],
        }

    def count_tokens(self, params: Params) -> dict[str, Any]:
        lm = self._resolve(params)
        if params.has("text"):
            text = params.string("text", required=True)
            add_special = params.boolean("add_special_tokens", default=False)
            params.done()
            assert text is not None
            return {"count": len(lm.tokenizer.encode(text, add_special_tokens=add_special))}
        ids = self._prompt_ids(lm, params)
        params.done()
        return {"count": len(ids)}

    # --- scoring ----------------------------------------------------------------------------------

    def score(self, params: Params, is_cancelled: Callable[[], bool]) -> dict[str, Any]:
        lm = self._resolve(params)
        item = self._read_item(params, "")
        params.done()
        return self._score_items(lm, [item], is_cancelled)[0]

    def score_batch(self, params: Params, is_cancelled: Callable[[], bool]) -> dict[str, Any]:
        lm = self._resolve(params)
        items = params.object_list("items", required=True)
        params.done()
        assert items is not None
        if not items:
            raise invalid_params("items", "must not be empty")
        prepared = []
        for i, p in enumerate(items):
            prepared.append(self._read_item(p, f"items[{i}]."))
            p.done()
        return {"results": self._score_items(lm, prepared, is_cancelled)}

    @staticmethod
    def _read_item(params: Params, prefix: str) -> tuple[str, str, str]:
        prompt = params.string("prompt", required=True)
        continuation = params.string("continuation", required=True, non_empty=True)
        assert prompt is not None and continuation is not None
        return prompt, continuation, prefix

    def _encode_for_scoring(self, lm: LoadedModel, prompt: str, continuation: str, prefix: str):
        """Tokenizes prompt + continuation once and finds the continuation's tokens by offsets."""
        full = prompt + continuation
        bos = lm.tokenizer.bos_token
        add_special = bos is None or not full.startswith(bos)
        hf = lm.tokenizer._tokenizer
        try:
            enc = hf(full, add_special_tokens=add_special, return_offsets_mapping=True,
                     return_special_tokens_mask=True)
        except NotImplementedError as error:
            raise invalid_params(f"{prefix}continuation",
                                 f"{lm.name}'s tokenizer reports no character offsets") from error
        ids = list(enc["input_ids"])
        offsets = enc["offset_mapping"]
        special = enc.get("special_tokens_mask") or [0] * len(ids)
        cut = len(prompt)
        # Template-added specials (BOS/EOS) are zero-width; special tokens written in the text are not.
        positions = [j for j, ((s, e), sp) in enumerate(zip(offsets, special)) if e > cut and not (sp and s == e)]
        if not positions:
            raise invalid_params(f"{prefix}continuation", "produced no tokens")
        if positions[0] == 0:
            raise invalid_params(f"{prefix}prompt", "must produce at least one token before the continuation")
        # Tokens can straddle the boundary (BPE merges across it) or share a character (a multi-byte
        # character split into byte tokens): spans are built from end offsets so they tile the
        # continuation exactly, each token owning the characters since the previous token's end.
        spans = []
        previous = 0
        for n, j in enumerate(positions):
            end = len(continuation) if n == len(positions) - 1 else min(max(offsets[j][1] - cut, previous),
                                                                         len(continuation))
            spans.append((previous, end))
            previous = end
        return ids, positions, spans

    def _score_items(self, lm: LoadedModel, items: list[tuple[str, str, str]],
                     is_cancelled: Callable[[], bool]) -> list[dict[str, Any]]:
        encoded = [self._encode_for_scoring(lm, p, c, prefix) for p, c, prefix in items]
        vocab = int(lm.config.get("vocab_size") or len(lm.tokenizer))
        longest = max(len(ids) for ids, _, _ in encoded)
        self._check_memory(longest * vocab * 8 + lm.kv_bytes_per_token * longest, "scoring")
        results: list[dict[str, Any] | None] = [None] * len(encoded)
        # Group similar lengths so padding stays small; right padding leaves real positions untouched
        # under the causal mask.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
        group: list[int] = []
        for index in order + [-1]:
            if index >= 0:
                width = max([len(encoded[i][0]) for i in group] + [len(encoded[index][0])])
                if not group or width * (len(group) + 1) <= SCORE_BATCH_TOKENS:
                    group.append(index)
                    continue
            if is_cancelled():
                raise Cancelled({"completed": sum(r is not None for r in results)})
            for i, result in zip(group, self._score_group(lm, [encoded[i] for i in group],
                                                          [items[i][1] for i in group])):
                results[i] = result
            group = [index] if index >= 0 else []
        return [r for r in results if r is not None]

    def _score_group(self, lm: LoadedModel, group, continuations: list[str]) -> list[dict[str, Any]]:
        width = max(len(ids) for ids, _, _ in group)
        pad = lm.tokenizer.pad_token_id or 0
        batch = mx.array([ids + [pad] * (width - len(ids)) for ids, _, _ in group])
        logits = lm.model(batch[:, :-1])
        vocab = logits.shape[-1]
        chunk_rows = max(1, SCORE_CHUNK_BYTES // (vocab * 4))
        out = []
        for b, ((ids, positions, spans), continuation) in enumerate(zip(group, continuations)):
            rows_index = mx.array([j - 1 for j in positions])
            targets = mx.array([ids[j] for j in positions])
            pieces = []
            for start in range(0, len(positions), chunk_rows):
                rows = logits[b][rows_index[start:start + chunk_rows]].astype(mx.float32)
                chosen = mx.take_along_axis(rows, targets[start:start + chunk_rows, None], axis=-1)[:, 0]
                pieces.append(chosen - mx.logsumexp(rows, axis=-1))
            logprobs = mx.concatenate(pieces) if len(pieces) > 1 else pieces[0]
            values = logprobs.tolist()
            tokens = []
            for j, (s, e), lp in zip(positions, spans, values):
                lp = lp if math.isfinite(lp) else -1e30
                tokens.append({"token": continuation[s:e], "id": ids[j], "logprob": lp, "start": s, "end": e})
            n = len(tokens)
            out.append({
                "tokens": tokens,
                "mean_nll": -sum(t["logprob"] for t in tokens) / n,
                "clipped_mean_nll": -sum(min(0.0, max(REER_CLIP, t["logprob"])) for t in tokens) / n,
                "prompt_tokens": positions[0],
                "continuation_tokens": n,
            })
        return out


def cancelled_error(data: dict[str, Any] | None, reason: str = "request cancelled") -> RpcError:
    return RpcError(REQUEST_CANCELLED, reason, data)


def oom_error(error: BaseException) -> RpcError:
    return RpcError(OUT_OF_MEMORY, f"out of memory: {error}")
