#!/usr/bin/env bash
# Usage: watch-issues.sh STATE_FILE
#
# One round of `mta-sts watch --all --no-smtp --format json --state STATE_FILE` (GitHub-hosted runners
# cannot reach port 25), then one GitHub issue per domain and problem: opened when it has none, its
# text updated when it changed, closed when the problem is gone (python -m pulumi_mta_sts.cli.watch_issues,
# which escapes every stranger's text for Markdown). Uses the GitHub CLI (gh) with $GH_TOKEN.
# Exit 0 when the issues match the round (problems or not), 2 when the round itself failed (usage,
# DNS unreachable): then no issue is touched. $MTA_STS names the mta-sts command, $PYTHON the
# interpreter it is installed in (defaults: mta-sts and python3 on PATH).
set -euo pipefail

state=${1:?usage: watch-issues.sh STATE_FILE}
mta_sts=${MTA_STS:-mta-sts}
python=${PYTHON:-python3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

code=0
"$mta_sts" watch --all --no-smtp --format json --state "$state" >"$work/watch.json" || code=$?
if [[ $code -ne 0 && $code -ne 1 ]]; then
    echo "watch-issues: mta-sts watch failed (exit $code); no issue was changed" >&2
    exit 2
fi
"$python" -m pulumi_mta_sts.cli.watch_issues "$work/watch.json"
