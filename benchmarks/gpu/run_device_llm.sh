#!/bin/sh
# The language-model backend on the GPU (second device call of the session; README.md beside
# this file). .whl/ holds optuna and transformers 5.25 with what the image lacks or has too old.
set -u
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD/src PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
python3 -c 'import transformers, torch; print(transformers.__version__, torch.cuda.get_device_name(0))'
TP="python3 benchmarks/llm/throughput.py --task cifar10 --group 8 --stages 3"
# The tiny model on one CPU thread (GPU hidden) beside the tests, then on the GPU alone.
CUDA_VISIBLE_DEVICES= timeout 240 $TP --shape tiny --threads 1 --out $OUT/throughput-cpu.md \
    > $OUT/throughput-cpu.log 2>&1 &
timeout 110 python3 -m pytest -q -p no:cacheprovider -n 6 tests/agent/llm \
    > $OUT/pytest-llm-cuda.log 2>&1; echo "pytest rc $?"; tail -3 $OUT/pytest-llm-cuda.log
timeout 60 $TP --shape tiny --out $OUT/throughput-gpu.md > $OUT/throughput-gpu.log 2>&1
echo "tiny gpu rc $?"
# A randomly initialised model of Qwen2.5-0.5B's shape: the compute of the real one.
timeout 120 $TP --shape qwen2.5-0.5b --out $OUT/throughput-qwen-gpu.md \
    > $OUT/throughput-qwen-gpu.log 2>&1; echo "qwen gpu rc $?"
wait; cat $OUT/throughput-*.md; tail -3 $OUT/throughput-*.log
