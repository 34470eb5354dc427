#!/bin/sh
# Third device call of the session (README.md beside this file): the language-model tests
# that needed the kernels package, pretraining per device on one CPU thread, and the text
# tasks timed on a warm GPU (the first call's first task paid for CUDA's start-up).
set -u
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT" /tmp/weights
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD/src PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 ROCKET_DATA=$PWD/.gpudata
ROCKET="python3 -m rocket_hpo.app.cli"
CUDA_VISIBLE_DEVICES= OMP_NUM_THREADS=1 timeout 80 $ROCKET pretrain --sources synthetic --minutes 1 \
    --seed 0 --device cpu --out /tmp/weights/cpu1.pt --log $OUT/pretrain-cpu1.log > /dev/null 2>&1 &
timeout 80 python3 -m pytest -q -p no:cacheprovider -n 4 tests/agent/llm/test_llm_sampler.py \
    tests/agent/llm/test_llm_training.py > $OUT/pytest-llm-cuda-2.log 2>&1; echo "pytest rc $?"
tail -2 $OUT/pytest-llm-cuda-2.log
timeout 40 python3 benchmarks/gpu/tasks_device.py --out $OUT/tasks-gpu-warm.jsonl \
    --tasks wine trec sst2 charlm_trec > /dev/null 2>&1; echo "tasks rc $?"
wait; timeout 75 $ROCKET pretrain --sources synthetic --minutes 1 --seed 0 --device cuda \
    --out /tmp/weights/gpu.pt --log $OUT/pretrain-gpu-2.log; echo "pretrain rc $?"
wc -l $OUT/*.log $OUT/*.jsonl
