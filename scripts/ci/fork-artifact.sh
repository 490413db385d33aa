#!/usr/bin/env bash
# Usage: fork-artifact.sh DIR PR HEAD_SHA
#
# Adds to DIR (which holds STACK.md comment bodies) what preview-comment.yml needs to post them
# for a pull request from a fork: the pull request's number and the commit that was previewed.
set -euo pipefail

dir=${1:?usage: fork-artifact.sh DIR PR HEAD_SHA}
pr=${2:?usage: fork-artifact.sh DIR PR HEAD_SHA}
head_sha=${3:?usage: fork-artifact.sh DIR PR HEAD_SHA}
[[ $pr =~ ^[0-9]+$ ]] || { echo "fork-artifact: bad pull request number '$pr'" >&2; exit 2; }
[[ $head_sha =~ ^[0-9a-f]{40}$ ]] || { echo "fork-artifact: bad commit '$head_sha'" >&2; exit 2; }
mkdir -p "$dir"
echo "$pr" >"$dir/pr-number"
echo "$head_sha" >"$dir/head-sha"
