# Two entry points for a fresh machine; each creates and fills .venv on first use.
#   make run   - Rocket's main job: tune an MLP on scikit-learn's digits, SQLite storage
#   make test  - lint, type-check and the default test suite
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test venv clean browser bench bench-hebo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first and exactly pinned: the local CPU wheel, never the CUDA build from the registry.
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[test,postgres,report,llm,ray,dashboard]'
	touch $(STAMP)

venv: $(STAMP)

# Benchmark peers and suites (SMAC3, DEHB, mf-prior-bench) for 'rocket benchmark'. dehb 0.1.2 and
# mf-prior-bench 1.10 declare numpy<2 but run under numpy 2 (checked by tests/bench), so the
# project's numpy 2 is put back afterwards.
bench: $(STAMP)
	$(VENV)/bin/pip install --quiet -e '.[bench]' torch==2.13.0
	$(VENV)/bin/pip install --quiet 'numpy>=2' torch==2.13.0

# HEBO 0.3.6 pins numpy<1.25 (and pymoo 0.6.0), which the project's numpy 2 rules out, so it
# gets an environment of its own; the harness's 'hebo' optimizer runs its suggest/observe loop
# there as a subprocess (src/rocket_hpo/bench/_hebo_worker.py) and finds it at $$ROCKET_HEBO_PYTHON or here.
HEBO_VENV := .venv-hebo
$(HEBO_VENV)/.installed:
	$(PYTHON) -m venv $(HEBO_VENV)
	$(HEBO_VENV)/bin/pip install --quiet torch==2.13.0
	# Pinned to releases that support numpy 1.24 on Python 3.11 (pip's resolver otherwise
	# backtracks for tens of minutes); pymoo 0.6.0 builds from source.
	$(HEBO_VENV)/bin/pip install --quiet 'hebo==0.3.6' 'numpy==1.24.4' 'scipy==1.11.4' \
		'pandas==2.0.3' 'scikit-learn==1.3.2' 'GPy==1.13.2' 'pymoo==0.6.0' 'catboost==1.2.5' \
		torch==2.13.0
	touch $@

bench-hebo: $(HEBO_VENV)/.installed

run: $(STAMP)
	$(VENV)/bin/rocket tune

test: $(STAMP) browser
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

# The report's test opens the page in headless Chromium (Debian's package); as root, install
# it when missing, else that one test is skipped and says why.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium for the report's browser test"; \
		(apt-get install -y -q chromium >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
		|| echo "could not install chromium: the browser test will be skipped"; \
	fi

clean:
	rm -rf $(VENV)
