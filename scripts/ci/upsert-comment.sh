#!/usr/bin/env bash
# Usage: upsert-comment.sh REPO PR STACK BODY_FILE
#
# Posts BODY_FILE as the comment of STACK on pull request PR of REPO (owner/name), or edits the
# comment posted before (found by its first line, "<!-- mta-sts-preview:STACK -->", and its
# author $COMMENT_AUTHOR, default github-actions[bot]), so each stack has one comment that new
# pushes update in place. Uses the GitHub CLI (gh) with $GH_TOKEN.
set -euo pipefail

repo=${1:?usage: upsert-comment.sh REPO PR STACK BODY_FILE}
pr=${2:?usage: upsert-comment.sh REPO PR STACK BODY_FILE}
stack=${3:?usage: upsert-comment.sh REPO PR STACK BODY_FILE}
body=${4:?usage: upsert-comment.sh REPO PR STACK BODY_FILE}
author=${COMMENT_AUTHOR:-github-actions[bot]}

[[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || { echo "upsert-comment: bad repository '$repo'" >&2; exit 2; }
[[ $pr =~ ^[0-9]+$ ]] || { echo "upsert-comment: bad pull request number '$pr'" >&2; exit 2; }
[[ $stack =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || { echo "upsert-comment: bad stack name '$stack'" >&2; exit 2; }
[[ $author =~ ^[A-Za-z0-9_.-]+(\[bot\])?$ ]] || { echo "upsert-comment: bad author '$author'" >&2; exit 2; }
[[ -f $body ]] || { echo "upsert-comment: no body file '$body'" >&2; exit 2; }

marker="<!-- mta-sts-preview:${stack} -->"
if [[ $(head -n 1 "$body") != "$marker" ]]; then
    echo "upsert-comment: $body does not start with $marker" >&2
    exit 2
fi

filter=".[] | select(.user.login == \"${author}\" and (.body | startswith(\"${marker}\"))) | .id"
existing=$(gh api --paginate "repos/${repo}/issues/${pr}/comments" --jq "$filter" | head -n 1)
if [[ -n $existing && ! $existing =~ ^[0-9]+$ ]]; then
    echo "upsert-comment: the comment listing gave '$existing', not a comment id" >&2
    exit 2
elif [[ -n $existing ]]; then
    gh api --method PATCH "repos/${repo}/issues/comments/${existing}" -F "body=@${body}" >/dev/null
    echo "upsert-comment: updated comment ${existing} for stack ${stack}"
else
    gh api --method POST "repos/${repo}/issues/${pr}/comments" -F "body=@${body}" >/dev/null
    echo "upsert-comment: posted the comment for stack ${stack}"
fi
