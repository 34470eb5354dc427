#!/bin/sh
# The GPU checks of one device session (README.md beside this file). Run from the repository
# root on a machine with CUDA and no network: optuna and its needs come as wheels in .whl/,
# the task data (mnist, text, timeseries) in .gpudata/. Everything it keeps goes to $OUT
# (at most 8 files come back from the device).
set -u
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT" /tmp/weights
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD/src PYTHONUNBUFFERED=1 ROCKET_DATA=$PWD/.gpudata
ROCKET="python3 -m rocket_hpo.app.cli"
nvidia-smi -L; python3 -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))'
T="mnist sst2 trec etth1_h24 etth1_h168 breast_cancer wine diabetes etth1_ot mnist_anomaly
   cancer_anomaly charlm_sst2 charlm_trec mnist_full etth1_multi"

# 1. The tasks on the CPU (one torch thread, GPU hidden), beside steps 2 and 3.
CUDA_VISIBLE_DEVICES= timeout 330 python3 benchmarks/gpu/tasks_device.py \
    --out $OUT/tasks-cpu.jsonl --tasks $T > /tmp/tasks-cpu.log 2>&1 &
# 2. The tests that touch torch (tasks, policy, pretraining, language model) with CUDA visible.
timeout 150 python3 -m pytest -q -p no:cacheprovider -n 6 tests/tasks tests/agent \
    tests/test_sampler.py > $OUT/pytest-cuda.log 2>&1; echo "pytest rc $?"
tail -4 $OUT/pytest-cuda.log
# 3. Each task's reference training on the GPU, the only job on it.
timeout 130 python3 benchmarks/gpu/tasks_device.py --out $OUT/tasks-gpu.jsonl --tasks $T \
    > /tmp/tasks-gpu.log 2>&1; echo "tasks-gpu rc $?"; tail -2 /tmp/tasks-gpu.log
# 4. One minute of pretraining on synthetic tasks: on the GPU, and on 4 CPU threads beside it.
CUDA_VISIBLE_DEVICES= OMP_NUM_THREADS=4 timeout 85 $ROCKET pretrain --sources synthetic \
    --minutes 1 --seed 0 --device cpu --out /tmp/weights/cpu.pt --log $OUT/pretrain-cpu.log \
    > /tmp/pretrain-cpu.out 2>&1 &
timeout 85 $ROCKET pretrain --sources synthetic --minutes 1 --seed 0 --device cuda \
    --out /tmp/weights/gpu.pt --log $OUT/pretrain-gpu.log; echo "pretrain-gpu rc $?"
wait; tail -2 /tmp/pretrain-cpu.out /tmp/tasks-cpu.log
cp /tmp/weights/gpu.json $OUT/pretrain-gpu.json; cp /tmp/weights/cpu.json $OUT/pretrain-cpu.json
# 5. A whole tuning run on the GPU: rocket tune on a built-in task, embedded SQLite storage.
timeout 50 $ROCKET tune trec --budget 2 --seed 0 --storage sqlite:////tmp/tune.db; echo "tune rc $?"
ls -la $OUT
