# One more seed of the 16-task table (issue 15), from the root of a worktree of the commit:
# the references' seed (make_table.py) and `rocket tune` against them
# (tuned_vs_reference.py), in two processes that split the tasks about evenly by time:
#   nohup nice -n 5 sh benchmarks/tasks/run-seed.sh 3 A > benchmarks/tasks/tuned-seed3-A.log 2>&1 &
#   nohup nice -n 5 sh benchmarks/tasks/run-seed.sh 3 B > benchmarks/tasks/tuned-seed3-B.log 2>&1 &
# A: the references, then nine tasks; B: the other seven.
set -e
SEED=$1
export OMP_NUM_THREADS=1 PYTHONPATH=$PWD/src
T16="mnist cifar10 sst2 trec etth1_h24 etth1_h168 fsdd fsdd_speaker breast_cancer wine diabetes etth1_ot mnist_anomaly cancer_anomaly charlm_sst2 charlm_trec"
if [ "$2" = A ]; then
  .venv/bin/python benchmarks/tasks/make_table.py --seeds $SEED --tasks $T16
  .venv/bin/python benchmarks/tasks/tuned_vs_reference.py --seeds $SEED --tasks mnist trec charlm_sst2 charlm_trec mnist_anomaly etth1_h24 etth1_h168 etth1_ot breast_cancer
else
  .venv/bin/python benchmarks/tasks/tuned_vs_reference.py --seeds $SEED --tasks cifar10 fsdd sst2 fsdd_speaker wine diabetes cancer_anomaly
fi
