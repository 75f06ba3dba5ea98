#!/usr/bin/env bash
# The bridge benchmark on an offline NVIDIA machine (CUDA 13 driver, Python 3.12 with the NVIDIA CUDA 13
# libraries installed as wheels, e.g. PyTorch's cu130 image). Wheels come from WHEELS (default .whl):
#   mlx-0.32.4-cp312-*.whl, mlx_cpu-0.32.4-*.whl, mlx_lm-0.32.2-*.whl, and mlx_cuda_13_sm90.tar.xz:
#   the mlx-cuda-13 0.32.4 wheel's files with libmlx.so stripped and its fatbin cut to sm_90 SASS
#   (90 MB -> under the 64 MiB transfer limit of the device tool; see docs/decisions/mlx-bridge-protocol.md).
# Runs from the repository root; results go to $OUT (default /tmp/out).
set -uo pipefail
WHEELS=${WHEELS:-.whl}
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
SYS=$(python3 -c 'import site; print(site.getsitepackages()[0])')
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
nproc
pip_target() { python3 -m pip install -q --no-index --no-deps --no-compile --target "$@"; }
pip_target /tmp/site-lm "$WHEELS"/mlx_lm-*.whl || exit 1
pip_target /tmp/site-cpu "$WHEELS"/mlx-0.32.4-cp312-*.whl "$WHEELS"/mlx_cpu-*.whl || exit 1
pip_target /tmp/site-cuda "$WHEELS"/mlx-0.32.4-cp312-*.whl || exit 1
python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall('/tmp/site-cuda')" "$WHEELS/mlx_cuda_13_sm90.tar.xz" || exit 1
# libmlx.so finds cuBLAS, cuDNN, NCCL, NVRTC through $ORIGIN/../../nvidia/...: point that at the image's.
ln -sfn "$SYS/nvidia" /tmp/site-cuda/nvidia
ls "$SYS/nvidia"
export LD_LIBRARY_PATH=$(ls -d "$SYS"/nvidia/*/lib 2>/dev/null | tr '\n' ':')${LD_LIBRARY_PATH:-}
cd mlx-bridge
GPU="env PYTHONPATH=/tmp/site-cuda:/tmp/site-lm"
CPU="env PYTHONPATH=/tmp/site-cpu:/tmp/site-lm"
$GPU python3 -c "import mlx.core as mx; print(mx.__version__, mx.default_device(), mx.cuda.is_available()); a = mx.ones((512, 512)); print((a @ a).sum().item())" || exit 1
$GPU timeout 120 python3 -m mlx_bridge.random_model --preset bench-1b --dtype bfloat16 --out /tmp/m1b || exit 1
$GPU timeout 120 python3 bench/bench_bridge.py --model /tmp/m1b --mode both --max-tokens 256 --repeats 3 --rounds 2 > "$OUT/gpu-1b.json"
tail -c 600 "$OUT/gpu-1b.json"
$GPU timeout 60 python3 bench/bench_bridge.py --model /tmp/m1b --mode both --max-tokens 32 --repeats 3 --score-repeat 8 > "$OUT/gpu-1b-long-score.json"
tail -c 600 "$OUT/gpu-1b-long-score.json"
$CPU timeout 40 python3 -m mlx_bridge.random_model --preset bench-100m --out /tmp/m100m || exit 1
$CPU timeout 120 python3 bench/bench_bridge.py --model /tmp/m100m --mode both --max-tokens 128 --repeats 3 --rounds 2 > "$OUT/cpu-100m.json"
tail -c 600 "$OUT/cpu-100m.json"
