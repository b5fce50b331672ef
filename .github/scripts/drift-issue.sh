#!/usr/bin/env bash
# drift-issue.sh open <stack> <log> | close <stack>
# Nightly drift detection's loud part: one open issue per drifted stack (labelled "drift"),
# updated with each failing night's preview, closed by the first clean night.
# Needs GH_TOKEN and GITHUB_REPOSITORY; RUN_URL links the workflow run.
set -euo pipefail

action="$1"
stack="$2"
: "${GH_TOKEN:?GH_TOKEN is required}" "${GITHUB_REPOSITORY:?}"
title="Drift detected in stack ${stack}"
run="${RUN_URL:-a scheduled drift check}"

existing="$(gh issue list --repo "$GITHUB_REPOSITORY" --label drift --state open --search "\"${title}\" in:title" \
    --json number,title --jq ".[] | select(.title == \"${title}\") | .number" | head -n 1)"

case "$action" in
    open)
        log="$3"
        body="\`pulumi preview --refresh --expect-no-changes --stack ${stack}\` found changes (${run}).
Someone or something changed these resources outside Pulumi. Either bring the code to what is
deployed, or run the pipeline to put the resources back; see docs/guardrails.md (Drift).

\`\`\`
$(tail -c 50000 "$log")
\`\`\`"
        if [ -n "$existing" ]; then
            gh issue comment "$existing" --repo "$GITHUB_REPOSITORY" --body "$body"
        else
            gh label create drift --repo "$GITHUB_REPOSITORY" --color B60205 --description "Infrastructure differs from the code" --force >/dev/null
            gh issue create --repo "$GITHUB_REPOSITORY" --title "$title" --label drift --body "$body"
        fi
        ;;
    close)
        if [ -n "$existing" ]; then
            gh issue close "$existing" --repo "$GITHUB_REPOSITORY" --comment "No drift in ${stack} any more (${run})."
        fi
        ;;
    *)
        echo "usage: drift-issue.sh open <stack> <log> | close <stack>" >&2
        exit 2
        ;;
esac
