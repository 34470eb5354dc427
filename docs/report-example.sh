#!/usr/bin/env bash
# Makes docs/report-example.png and docs/report-example-tpe.png: two 60-trial studies of the
# built-in `wine` task (an MLP on scikit-learn's wine data, 23 hyperparameters) in one
# storage, one by Rocket (data subsets on, the default) and one by TPE (full data only),
# their reports, and a full-page screenshot of each in headless Chromium at 1280 px. The
# Rocket report's ledger sets the TPE study's full-data-only curve beside its own. Run from
# the project root after `make test` (which installs chromium); a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
export OMP_NUM_THREADS=1
db="sqlite:///$work/wine.db"
.venv/bin/rocket tune wine --trials 60 --seed 0 --storage "$db"
.venv/bin/rocket tune wine --trials 60 --seed 0 --sampler tpe --study-name tpe-wine --storage "$db"
.venv/bin/rocket report --storage "$db" --study rocket-wine --out "$work/report"
.venv/bin/rocket report --storage "$db" --study tpe-wine --out "$work/report-tpe"
.venv/bin/python - "$work" <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, "tests/report")
from cdp_browser import Browser  # the test suite's small Chrome DevTools client

work = Path(sys.argv[1])
for report, png in (("report", "report-example.png"), ("report-tpe", "report-example-tpe.png")):
    with Browser() as browser:
        browser.open(work / report / "index.html")
        browser.screenshot(Path("docs") / png)
        if browser.console_errors:
            sys.exit(f"console errors: {browser.console_errors}")
PY
echo "wrote docs/report-example.png and docs/report-example-tpe.png (studies and reports in $work)"
