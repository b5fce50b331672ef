#!/usr/bin/env bash
# The pipeline's stack list, read from the project's Pulumi.<env>-<country>.yaml files: a new
# country joins every workflow by adding its two stack files. Prints (and appends to
# $GITHUB_OUTPUT when set) JSON lists:
#   all=["prod-co","staging-co"]  staging=["staging-co"]  prod=["prod-co"]
# Refuses a stack file that is not <staging|prod>-<country>, and a prod stack without its staging
# sibling: prod only ever deploys after its staging stack deployed and verified in the same run.
set -euo pipefail

dir="${1:-.}"
shopt -s nullglob

all=()
staging=()
prod=()
for file in "$dir"/Pulumi.*.yaml; do
    stack="$(basename "$file" .yaml)"
    stack="${stack#Pulumi.}"
    case "$stack" in
        staging-[a-z][a-z]) staging+=("$stack") ;;
        prod-[a-z][a-z]) prod+=("$stack") ;;
        *)
            echo "stacks.sh: $(basename "$file") is not named Pulumi.<staging|prod>-<country>.yaml" >&2
            exit 1
            ;;
    esac
    all+=("$stack")
done

for p in "${prod[@]}"; do
    sibling="staging-${p#prod-}"
    if [[ " ${staging[*]} " != *" $sibling "* ]]; then
        echo "stacks.sh: $p has no Pulumi.$sibling.yaml; a prod stack deploys only after its staging stack" >&2
        exit 1
    fi
done

json() {
    local out="" s
    for s in "$@"; do out+="${out:+,}\"$s\""; done
    printf '[%s]' "$out"
}

lines="all=$(json "${all[@]}")
staging=$(json "${staging[@]}")
prod=$(json "${prod[@]}")"
echo "$lines"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$lines" >>"$GITHUB_OUTPUT"; fi
