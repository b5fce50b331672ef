#!/usr/bin/env bash
# The pipeline's stack list, read from the project's Pulumi.<env>-<country>.yaml files: a new
# country joins every workflow by adding its two stack files. Prints (and appends to
# $GITHUB_OUTPUT when set) JSON lists:
#   all=["prod-co","staging-co"]  staging=["staging-co"]  prod=["prod-co"]  countries=["co"]
# Refuses, with the fix in the message:
#   - a stack file that is not <staging|prod>-<country>;
#   - a prod stack without its staging sibling (prod only ever deploys after its own staging
#     stack deployed and verified in the same run);
#   - a stack file without `secretsprovider: awskms://alias/data-infra-<env>…`: every stack's
#     secrets are encrypted with its env's KMS key, never Pulumi's passphrase default, so the
#     first `pulumi stack init` (by hand, or the deploy job's select-stack.sh) creates it right.
# Warns (does not refuse) about a stack file without its `encryptedkey` line: see select-stack.sh.
set -euo pipefail

dir="${1:-.}"
shopt -s nullglob

all=()
staging=()
prod=()
countries=()
for file in "$dir"/Pulumi.*.yaml; do
    stack="$(basename "$file" .yaml)"
    stack="${stack#Pulumi.}"
    case "$stack" in
        staging-[a-z][a-z]) staging+=("$stack"); countries+=("${stack#staging-}") ;;
        prod-[a-z][a-z]) prod+=("$stack") ;;
        *)
            echo "stacks.sh: $(basename "$file") is not named Pulumi.<staging|prod>-<country>.yaml" >&2
            exit 1
            ;;
    esac
    env="${stack%%-*}"
    if ! grep -Eq "^secretsprovider: *[\"']?awskms://alias/data-infra-${env}([?\"']|$)" "$file"; then
        echo "stacks.sh: $(basename "$file") has no 'secretsprovider: awskms://alias/data-infra-${env}?region=us-east-1' line." >&2
        echo "  Add it (npm run new-country writes it), or create the stack once by hand and commit the lines it adds:" >&2
        echo "  pulumi stack init ${stack} --secrets-provider 'awskms://alias/data-infra-${env}?region=us-east-1'" >&2
        exit 1
    fi
    # Only a warning: a new country's pull request carries stack files that no backend knows yet.
    # Its first deploy creates the stack and stops with the line to commit (select-stack.sh).
    # On stderr (the runner reads workflow commands there too): stdout stays the lists.
    if ! grep -Eq '^encryptedkey: *[^ ]' "$file"; then
        echo >&2 "::warning file=$(basename "$file")::$(basename "$file") has no encryptedkey line (the stack's data key, pulumi/pulumi#5650). Bootstrap the stack once with: pulumi stack init ${stack} --secrets-provider 'awskms://alias/data-infra-${env}?region=us-east-1' and commit the encryptedkey line it adds; otherwise its first deploy creates the stack and stops with the line to commit."
    fi
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
prod=$(json "${prod[@]}")
countries=$(json "${countries[@]}")"
echo "$lines"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$lines" >>"$GITHUB_OUTPUT"; fi
