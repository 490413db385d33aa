#!/usr/bin/env bash
# Usage: post-fork-comments.sh DIR
#
# Posts the comments a pull request from a fork could not post itself (its token is read-only):
# DIR is the artifact the preview workflow uploaded (pr-number, head-sha, one STACK.md per
# stack). Run by preview-comment.yml on workflow_run, which has a write token and runs only the
# default branch's code, so the artifact is treated as untrusted: the pull request must still be
# at the commit the run previewed ($HEAD_SHA, from the event), names must be stack names, and
# each body must start with its stack's marker. Needs $REPO (owner/name) and $GH_TOKEN.
set -euo pipefail

dir=${1:?usage: post-fork-comments.sh DIR}
repo=${REPO:?REPO (owner/name) is required}
head_sha=${HEAD_SHA:?HEAD_SHA (the previewed commit) is required}
here=$(cd "$(dirname "$0")" && pwd)

pr=$(tr -d '[:space:]' <"$dir/pr-number")
[[ $pr =~ ^[0-9]{1,10}$ ]] || { echo "post-fork-comments: bad pull request number" >&2; exit 2; }
current=$(gh api "repos/${repo}/pulls/${pr}" --jq .head.sha)
if [[ $current != "$head_sha" ]]; then
    echo "post-fork-comments: pull request #${pr} is not at ${head_sha} (now ${current}): nothing posted" >&2
    exit 0
fi

for body in "$dir"/*.md; do
    [[ -f $body ]] || continue
    stack=$(basename "$body" .md)
    if [[ ! $stack =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
        echo "post-fork-comments: skipping $body: not a stack name" >&2
        continue
    fi
    "$here/upsert-comment.sh" "$repo" "$pr" "$stack" "$body"
done
