nice -n 10 .venv/bin/python benchmarks/runtime/chaos_workers.py --workers 8 --budget 2000 --storage postgresql://postgres@127.0.0.1:5432/test --out benchmarks/runtime/results/chaos_workers.json
