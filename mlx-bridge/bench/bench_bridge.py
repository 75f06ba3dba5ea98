"""Throughput of mlx_lm in-process and through the bridge, on the same model, inputs and settings.

    python bench/bench_bridge.py --model DIR --mode inprocess      # what bench/bridge.ts compares against
    python bench/bench_bridge.py --model DIR --mode both           # in-process and a Python JSON-RPC client
    python bench/bench_bridge.py --print-inputs                    # the shared inputs, as JSON

Generation: streaming, greedy, the same chat prompt; tokens per second over the whole call (prompt
processing included), counting generated tokens. Scoring: tokens of prompt + continuation per
second, against one direct forward pass over the same token ids. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

BRIDGE_DIR = Path(__file__).resolve().parent.parent

MESSAGES = [
    {"role": "system", "content": "You write short, specific posts for data people."},
    {"role": "user", "content": "Announce version 2.0 of our survival analysis package and thank the contributors."},
]
_WORDS = ("release notes survival curves tidy models thank contributors faster fitting fewer "
          "dependencies hazard ratios plots tutorial community feedback roadmap").split()
SCORE_PROMPT = "Write a post announcing the release.\n" + " ".join(_WORDS[i % len(_WORDS)] for i in range(20))
SCORE_CONTINUATION = "<think>\n" + " ".join(_WORDS[(i * 7) % len(_WORDS)] for i in range(60)) + "\n</think>"


def inputs() -> dict:
    return {"messages": MESSAGES, "score_prompt": SCORE_PROMPT, "score_continuation": SCORE_CONTINUATION}


def set_score_repeat(n: int) -> None:
    """Longer scoring inputs (the continuation repeated n times), for fast devices where ~300
    tokens take only milliseconds."""
    global SCORE_CONTINUATION
    SCORE_CONTINUATION = "\n".join([SCORE_CONTINUATION] * n)


def bench_inprocess(model_dir: str, max_tokens: int, repeats: int) -> dict:
    import mlx.core as mx
    import mlx_lm
    from mlx_lm.sample_utils import make_sampler

    model, tokenizer = mlx_lm.load(model_dir)
    prompt = mx.array(tokenizer.apply_chat_template(MESSAGES, add_generation_prompt=True))
    sampler = make_sampler(temp=0.0)

    cpu: dict[str, list[float]] = {"generate": [], "forward": []}

    def generate_once() -> tuple[int, float]:
        started, cpu_started = time.perf_counter(), time.process_time()
        tokens = 0
        text = ""
        for response in mlx_lm.stream_generate(model, tokenizer, prompt, max_tokens, sampler=sampler):
            text += response.text
            if response.finish_reason != "stop":
                tokens += 1
        cpu["generate"].append(time.process_time() - cpu_started)
        return tokens, time.perf_counter() - started

    full = tokenizer._tokenizer(SCORE_PROMPT + SCORE_CONTINUATION, add_special_tokens=True)["input_ids"]
    ids = mx.array(full)[None]

    def forward_once() -> float:
        started, cpu_started = time.perf_counter(), time.process_time()
        mx.eval(model(ids))
        cpu["forward"].append(time.process_time() - cpu_started)
        return time.perf_counter() - started

    generate_once()  # warm-up
    forward_once()
    cpu["generate"].clear()
    cpu["forward"].clear()
    gen = [generate_once() for _ in range(repeats)]
    fwd = [forward_once() for _ in range(repeats)]
    return {
        # cpu_seconds: CPU time of this process (all threads), steadier than wall time on a busy machine.
        "generate": {"tokens": gen[0][0], "seconds": [s for _, s in gen], "cpu_seconds": cpu["generate"]},
        "forward": {"tokens": len(full), "seconds": fwd, "cpu_seconds": cpu["forward"]},
        "device": "gpu" if mx.default_device() == mx.gpu else "cpu",
        "mlx_version": mx.__version__,
    }


class BridgeClient:
    """A minimal JSON-RPC client over the bridge's stdio, for machines without Node."""

    def __init__(self, python: str):
        self.proc = subprocess.Popen([python, "-m", "mlx_bridge", "--log-level", "warning"], cwd=BRIDGE_DIR,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def call(self, method: str, params: dict, on_delta=None):
        self.next_id += 1
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                          "params": params}).encode() + b"\n")
        self.proc.stdin.flush()
        while True:
            message = json.loads(self.proc.stdout.readline())
            if message.get("method") == "generate/delta":
                if on_delta:
                    on_delta(message["params"]["text"])
                continue
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            return message["result"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def bench_bridge(model_dir: str, max_tokens: int, repeats: int) -> dict:
    client = BridgeClient(sys.executable)
    client.call("initialize", {})
    client.call("load_model", {"model": str(Path(model_dir).resolve())})
    params = {"messages": MESSAGES, "max_tokens": max_tokens, "temperature": 0, "stream": True}
    score = {"prompt": SCORE_PROMPT, "continuation": SCORE_CONTINUATION}

    def generate_once() -> tuple[int, float]:
        started = time.perf_counter()
        parts: list[str] = []
        result = client.call("generate", params, parts.append)
        return result["usage"]["completion_tokens"], time.perf_counter() - started

    def score_once() -> tuple[int, float]:
        started = time.perf_counter()
        result = client.call("score", score)
        return result["prompt_tokens"] + result["continuation_tokens"], time.perf_counter() - started

    generate_once()
    score_once()
    gen = [generate_once() for _ in range(repeats)]
    sc = [score_once() for _ in range(repeats)]
    client.close()
    return {
        "generate": {"tokens": gen[0][0], "seconds": [s for _, s in gen]},
        "score": {"tokens": sc[0][0], "seconds": [s for _, s in sc]},
    }


def summary(results: dict) -> dict:
    def tps(entry: dict) -> float:
        return entry["tokens"] / statistics.median(entry["seconds"])

    out = {}
    if "inprocess" in results:
        out["inprocess_generate_tps"] = tps(results["inprocess"]["generate"])
        out["inprocess_forward_tps"] = tps(results["inprocess"]["forward"])
    if "bridge" in results:
        out["bridge_generate_tps"] = tps(results["bridge"]["generate"])
        out["bridge_score_tps"] = tps(results["bridge"]["score"])
    if len(out) == 4:
        out["generate_ratio"] = out["bridge_generate_tps"] / out["inprocess_generate_tps"]
        out["score_ratio"] = out["bridge_score_tps"] / out["inprocess_forward_tps"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model directory (build one with python -m mlx_bridge.random_model)")
    parser.add_argument("--mode", choices=["inprocess", "bridge", "both"], default="both")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate in-process and bridge runs this many times (both mode)")
    parser.add_argument("--score-repeat", type=int, default=1, help="repeat the scored continuation n times")
    parser.add_argument("--print-inputs", action="store_true")
    args = parser.parse_args()
    set_score_repeat(args.score_repeat)
    if args.print_inputs:
        print(json.dumps(inputs()))
        return 0
    if not args.model:
        parser.error("--model is required")
    results: dict = {"inprocess": None, "bridge": None}
    for _ in range(args.rounds):
        # Alternating rounds spread the machine's background load over both sides.
        if args.mode in ("inprocess", "both"):
            r = bench_inprocess(args.model, args.max_tokens, args.repeats)
            if results["inprocess"] is None:
                results["inprocess"] = r
            else:
                results["inprocess"]["generate"]["seconds"] += r["generate"]["seconds"]
                results["inprocess"]["forward"]["seconds"] += r["forward"]["seconds"]
        if args.mode in ("bridge", "both"):
            r = bench_bridge(args.model, args.max_tokens, args.repeats)
            if results["bridge"] is None:
                results["bridge"] = r
            else:
                results["bridge"]["generate"]["seconds"] += r["generate"]["seconds"]
                results["bridge"]["score"]["seconds"] += r["score"]["seconds"]
    results = {k: v for k, v in results.items() if v is not None}
    results["summary"] = summary(results)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
