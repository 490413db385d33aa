#!/usr/bin/env bash
# Usage: preview-mode.sh
#
# Prints "preview" when this run can run `pulumi preview` (a Pulumi backend is configured —
# PULUMI_ACCESS_TOKEN, or PULUMI_BACKEND_URL with PULUMI_CONFIG_PASSPHRASE — and the pull request
# comes from this repository, so secrets are there), else "plan" (the offline `mta-sts plan`).
# Reads PR_REPO (the pull request's head repository) and REPO (this repository).
set -euo pipefail

if [[ -n ${PR_REPO:-} && ${PR_REPO} != "${REPO:-}" ]]; then
    echo plan
elif [[ -n ${PULUMI_ACCESS_TOKEN:-} || (-n ${PULUMI_BACKEND_URL:-} && -n ${PULUMI_CONFIG_PASSPHRASE:-}) ]]; then
    echo preview
else
    echo plan
fi
