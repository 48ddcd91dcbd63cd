#!/usr/bin/env bash
# One scheduled salesforge run: forecast the latest sales export, score last week's
# forecasts against what happened (forecast.realized=auto), compare the data with the
# previous run (data.drift), and alert through the notifiers when a rule matches.
#
#   SALESFORGE_HOME   folder holding the runs and the run index (default: ~/salesforge)
#   SALES_FILE        the export to forecast (default: $SALESFORGE_HOME/inbox/sales.csv)
#   SALESFORGE_WEBHOOK_URL, SALESFORGE_SMTP_USER, SALESFORGE_SMTP_PASSWORD: notifier secrets
set -euo pipefail
home="${SALESFORGE_HOME:-$HOME/salesforge}"
sales="${SALES_FILE:-$home/inbox/sales.csv}"
salesforge="${SALESFORGE_BIN:-salesforge}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$home/runs"
cd "$home"
exec "$salesforge" run +experiment=scheduled \
  "data.path=$sales" \
  "runs.index=$home/runs/runs.db" \
  "hydra.run.dir=$home/runs/$stamp" \
  "$@"
