#!/usr/bin/env bash
# Usage: affected-stacks.sh BASE HEAD
#
# Prints the stacks (one name per line, sorted) that the change from BASE to HEAD affects:
# every stack when the program changes (components/, stacks/__main__.py, Pulumi.yaml,
# pyproject.toml), else the stacks whose stacks/Pulumi.<name>.yaml changed and still exists at
# HEAD. A BASE of zeros or one the clone does not have (a new branch, a shallow clone) means
# every stack. Needs the history between BASE and HEAD (actions/checkout with fetch-depth: 0).
# A removed stack file is reported on stderr: destroying a stack is left to a person.
set -euo pipefail

base=${1:?usage: affected-stacks.sh BASE HEAD}
head=${2:?usage: affected-stacks.sh BASE HEAD}
stacks_dir=${STACKS_DIR:-stacks}
name_pattern='^[A-Za-z0-9][A-Za-z0-9_.-]*$'

stack_of() {  # stacks/Pulumi.<name>.yaml -> <name> (nothing for other paths or unsafe names)
    local file=$1 name
    [[ $file == "$stacks_dir"/Pulumi.*.yaml && $file != */*/*/* ]] || return 0
    name=${file#"$stacks_dir"/Pulumi.}
    name=${name%.yaml}
    if [[ $name =~ $name_pattern && $name != */* ]]; then
        echo "$name"
    else
        echo "affected-stacks: ignoring $file: not a valid stack name" >&2
    fi
}

all_stacks() {
    git ls-tree --name-only "$head" -- "$stacks_dir/" | while IFS= read -r file; do stack_of "$file"; done | sort -u
}

if [[ $base =~ ^0+$ ]] || ! git cat-file -e "${base}^{commit}" 2>/dev/null; then
    all_stacks
    exit 0
fi

changed=$(git diff --name-only "${base}...${head}")
while IFS= read -r file; do
    case $file in
        components/* | "$stacks_dir/__main__.py" | Pulumi.yaml | pyproject.toml)
            all_stacks
            exit 0
            ;;
    esac
done <<<"$changed"

while IFS= read -r file; do
    name=$(stack_of "$file")
    [[ -n $name ]] || continue
    if git cat-file -e "${head}:${file}" 2>/dev/null; then
        echo "$name"
    else
        echo "affected-stacks: $file was removed: destroy stack $name by hand (pulumi destroy) if that is meant" >&2
    fi
done <<<"$changed" | sort -u
