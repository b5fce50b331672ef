#!/usr/bin/env bash
# stack-exists.sh <stack>: whether the state backend already has <stack>, as `exists=true|false`
# (stdout, and $GITHUB_OUTPUT when set). Pull-request previews and nightly drift run with the
# read-only preview role, which cannot create a stack: a new country's stacks are created by its
# first deploy (select-stack.sh, with the stack file's secretsprovider) or by the one-off
# `pulumi stack init` of the README. Until then the job says so and skips the preview on purpose;
# the pull request's offline plan shows what the stack will contain.
# Any other failure of the CLI (no credentials, backend unreachable) fails the step.
set -euo pipefail

stack="${1:?usage: stack-exists.sh <stack>}"
if ! listing="$(pulumi stack ls --json 2>&1)"; then
    echo "::error::pulumi stack ls failed, so whether ${stack} exists is unknown: ${listing}"
    exit 1
fi
if printf '%s' "$listing" | grep -Eq "\"name\": *\"([^\"]*/)?${stack}\""; then
    line="exists=true"
else
    line="exists=false"
    echo "::notice::Stack ${stack} does not exist in the backend yet: its first deploy creates it (secretsprovider from Pulumi.${stack}.yaml). Skipping pulumi preview on purpose; the offline plan shows what it will create."
fi
echo "$line"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$line" >>"$GITHUB_OUTPUT"; fi
