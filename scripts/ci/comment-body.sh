#!/usr/bin/env bash
# Usage: comment-body.sh STACK MODE OUT
#
# Writes to OUT the pull-request comment for STACK, starting with the hidden marker
# "<!-- mta-sts-preview:STACK -->" that upsert-comment.sh finds it by:
#   MODE=preview  `pulumi preview --json` (stack ${PULUMI_STACK_PREFIX}STACK), read by
#                 `mta-sts preview-diff --live-dns` (needs the Pulumi backend and cloud
#                 credentials; the domain's MX hosts are looked up for the coverage notes);
#   MODE=plan     the offline `mta-sts plan --format markdown` (no credentials: a fork's PR).
# Exit 0 when the preview or plan succeeded, 1 when it failed (the body then says why), 2 usage.
# $MTA_STS names the mta-sts command (default: mta-sts on PATH).
set -euo pipefail

stack=${1:?usage: comment-body.sh STACK MODE OUT}
mode=${2:?usage: comment-body.sh STACK MODE OUT}
out=${3:?usage: comment-body.sh STACK MODE OUT}
mta_sts=${MTA_STS:-mta-sts}
limit=65000  # GitHub refuses comments over 65,536 characters

if [[ ! $stack =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
    echo "comment-body: '$stack' is not a stack name" >&2
    exit 2
fi

mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

escaped_tail() {  # the last lines of a log, HTML-escaped inside <pre> (no markup gets through)
    tail -n 40 "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

status=0
case $mode in
    preview)
        code=0
        pulumi preview --json --non-interactive --stack "${PULUMI_STACK_PREFIX:-}${stack}" \
            >"$work/preview.json" 2>"$work/pulumi.err" || code=$?
        diff_code=0
        "$mta_sts" preview-diff "$work/preview.json" --format markdown --live-dns >"$work/body.md" 2>"$work/diff.err" || diff_code=$?
        if [[ $diff_code -eq 2 ]]; then
            {
                echo "### MTA-STS preview: \`$stack\`"
                echo
                echo "**\`pulumi preview\` failed (exit $code) before it printed a preview.** Its last lines:"
                echo
                echo "<pre>"
                escaped_tail "$work/pulumi.err"
                escaped_tail "$work/diff.err"
                echo "</pre>"
            } >"$work/body.md"
            status=1
        elif [[ $diff_code -ne 0 || $code -ne 0 ]]; then
            status=1
        fi
        footer="From \`pulumi preview --json\` of stack \`${PULUMI_STACK_PREFIX:-}${stack}\`, read by \`mta-sts preview-diff\`."
        ;;
    plan)
        code=0
        "$mta_sts" plan --stack "$stack" --format markdown >"$work/body.md" 2>"$work/plan.err" || code=$?
        if [[ $code -ne 0 ]]; then
            {
                echo "### MTA-STS plan: \`$stack\`"
                echo
                echo "**\`mta-sts plan\` failed (exit $code):**"
                echo
                echo "<pre>"
                escaped_tail "$work/plan.err"
                echo "</pre>"
            } >"$work/body.md"
            status=1
        fi
        footer="Offline \`mta-sts plan\`: this run has no cloud credentials (e.g. a pull request from a fork), so it shows the desired state, not a \`pulumi preview\`."
        ;;
    *)
        echo "comment-body: MODE must be preview or plan, not '$mode'" >&2
        exit 2
        ;;
esac

{
    echo "<!-- mta-sts-preview:${stack} -->"
    cat "$work/body.md"
    echo
    echo "<sub>${footer} Updated for ${GITHUB_SHA:-this commit}.</sub>"
} >"$work/comment.md"

if [[ $(wc -m <"$work/comment.md") -gt $limit ]]; then
    head -c "$limit" "$work/comment.md" >"$out"
    printf '\n\n_... cut to fit a GitHub comment._\n' >>"$out"
else
    cp "$work/comment.md" "$out"
fi
exit "$status"
