#!/usr/bin/env bash
# pr-comment.sh <key> <file>: puts <file> on the pull request as the comment for <key>, editing
# that comment on later pushes instead of adding another. Needs GH_TOKEN, GITHUB_REPOSITORY and
# PR_NUMBER (the workflow sets them).
set -euo pipefail

key="$1"
file="$2"
: "${GH_TOKEN:?GH_TOKEN is required}" "${GITHUB_REPOSITORY:?}" "${PR_NUMBER:?}"

tag="<!-- data-infra:${key} -->"
# GitHub refuses comments over 65536 characters.
body="${tag}
$(head -c 60000 "$file")"
if [ "$(wc -c <"$file")" -gt 60000 ]; then body+=$'\n\n… (truncated; the full text is in the job log)'; fi

id="$(gh api --paginate "repos/${GITHUB_REPOSITORY}/issues/${PR_NUMBER}/comments" \
    --jq ".[] | select(.body | startswith(\"${tag}\")) | .id" | head -n 1)"
if [ -n "$id" ]; then
    gh api --method PATCH "repos/${GITHUB_REPOSITORY}/issues/comments/${id}" -f body="$body" >/dev/null
    echo "updated comment ${id} (${key})"
else
    gh api --method POST "repos/${GITHUB_REPOSITORY}/issues/${PR_NUMBER}/comments" -f body="$body" >/dev/null
    echo "created comment (${key})"
fi
