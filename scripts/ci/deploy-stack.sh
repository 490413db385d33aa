#!/usr/bin/env bash
# Usage: deploy-stack.sh STACK
#
# `pulumi up` for STACK (Pulumi stack ${PULUMI_STACK_PREFIX}STACK), then `mta-sts check` on the
# domain the stack exports (its `domain` output), as a sending MTA sees it. SMTP probes are
# skipped (--no-smtp: hosted runners cannot reach port 25). Exit: pulumi's when it fails, else
# the check's (1 when a check failed). $MTA_STS names the mta-sts command (default: on PATH).
set -euo pipefail

stack=${1:?usage: deploy-stack.sh STACK}
mta_sts=${MTA_STS:-mta-sts}
if [[ ! $stack =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
    echo "deploy-stack: '$stack' is not a stack name" >&2
    exit 2
fi
target="${PULUMI_STACK_PREFIX:-}${stack}"

pulumi up --yes --non-interactive --stack "$target"
domain=$(pulumi stack output domain --stack "$target")
if [[ ! $domain =~ ^[A-Za-z0-9.-]+$ ]]; then
    echo "deploy-stack: stack $target exports no usable domain output ('$domain')" >&2
    exit 1
fi
"$mta_sts" check "$domain" --no-smtp
