#!/usr/bin/env bash
# Makes docs/report-example.png: a Rocket study of the built-in `wine` task (an MLP on
# scikit-learn's wine data, 23 hyperparameters), its report, and a full-page screenshot of
# the report in headless Chromium. Run from the project root after `make test` (which
# installs chromium); about 30 minutes on the project's shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
.venv/bin/rocket tune wine --budget 8 --seed 0 --storage "sqlite:///$work/wine.db"
.venv/bin/rocket report --storage "sqlite:///$work/wine.db" --study rocket-wine --out "$work/report"
.venv/bin/python - "$work/report/index.html" docs/report-example.png <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, "tests/report")
from cdp_browser import Browser  # the test suite's small Chrome DevTools client

with Browser() as browser:
    browser.open(Path(sys.argv[1]))
    browser.screenshot(Path(sys.argv[2]))
    if browser.console_errors:
        sys.exit(f"console errors: {browser.console_errors}")
PY
echo "wrote docs/report-example.png (study and report in $work)"
