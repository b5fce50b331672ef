#!/usr/bin/env bash
# runner-labels.sh VAR [VAR…]: the repository variables that choose the self-hosted runners inside
# the VPC (`runs-on: ${{ fromJSON(vars.VAR) }}`) hold something `runs-on` can use. Each VAR's value
# comes in the environment variable of the same name (the step passes `${{ vars.VAR }}` through
# `env:`). Unset (a new repository, a fork, a typo in the name) or not a JSON list of labels, the
# jobs that need it would fail at `runs-on` with an expression error that does not say what to set,
# so a job on GitHub's runners that every VPC job needs runs this first and names the fix.
# Allowed, as runs-on takes them: a non-empty JSON list of non-empty strings, one non-empty JSON
# string, or an object choosing a runner group, {"group": "…", "labels": […]} (either key, no other). Prints one line per good variable with its labels; one `::error::` per bad variable, then
# exits 1 after checking them all. Whether a runner with those labels is online it cannot know:
# a job then waits in the queue.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: runner-labels.sh VAR [VAR…]" >&2
    exit 2
fi

workflows="$(dirname "${BASH_SOURCE[0]}")/../workflows"

# The jobs whose runs-on reads vars.<name>, as "file: job, job; file: job": read from the workflows,
# so the message stays right when a job is added or renamed.
jobs_using() {
    local files=("$workflows"/*.y*ml)
    [ -f "${files[0]}" ] || return 0
    awk -v var="$1" '
        FNR == 1 { in_jobs = 0 }
        /^jobs:/ { in_jobs = 1; next }
        /^[^ #]/ { in_jobs = 0 }
        in_jobs && /^  [A-Za-z0-9_-]+:[ \t]*$/ { job = $1; sub(/:$/, "", job) }
        in_jobs && /^    runs-on:/ && match($0, "vars\\." var "([^A-Za-z0-9_]|$)") {
            f = FILENAME; sub(/.*\//, "", f)
            out = out (f == last ? ", " : (out == "" ? "" : "; ") f ": ") job
            last = f
        }
        END { printf "%s", out }
    ' "${files[@]}"
}

# Workflow commands end at a newline; a value may hold one (GitHub escapes them this way).
escape() {
    local s="$1"
    s="${s//'%'/'%25'}"
    s="${s//$'\r'/'%0D'}"
    s="${s//$'\n'/'%0A'}"
    printf '%s' "$s"
}

failed=0
for name in "$@"; do
    if ! [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
        echo "runner-labels.sh: '$name' is not a variable name" >&2
        exit 2
    fi
    value="${!name-}"
    # In GitHub Actions `${{ vars.X }}` of a variable that does not exist is the empty string.
    if [[ "$value" =~ ^[[:space:]]*$ ]]; then
        holds="is unset (or empty)"
    else
        # Why the value is refused, or "" when it is fine. -s: exactly one JSON value, not `"a" "b"`.
        if ! reason="$(printf '%s' "$value" | jq -rs '
                def blank: type != "string" or test("^\\s*$");
                def labels:
                    if type == "string" then (if blank then "an empty label" else "" end)
                    elif type == "array" then
                        (if length == 0 then "an empty list"
                         elif any(.[]; blank) then "a list with an empty or non-string label"
                         else "" end)
                    else "a JSON \(type)" end;
                if length != 1 then "not one JSON value"
                else .[0] |
                    if type == "object" then
                        (if length == 0 or (keys - ["group", "labels"] | length) > 0 then "an object other than {\"group\": …, \"labels\": …}"
                         elif has("group") and (.group | blank) then "an empty or non-string group"
                         elif has("labels") and (.labels | labels) != "" then "labels that are \(.labels | labels)"
                         else "" end)
                    else labels end
                end' 2>/dev/null)"; then
            reason="not valid JSON"
        fi
        if [ -z "$reason" ]; then
            echo "$name: the jobs that need it run on a runner $(printf '%s' "$value" | jq -r '
                def all_of: "with all of the labels " + ([.] | flatten | join(", "));
                if type == "object" then
                    ([if has("group") then "of the group " + .group else empty end, if has("labels") then (.labels | all_of) else empty end] | join(" "))
                else all_of end')"
            continue
        fi
        holds="holds '${value}' (${reason})"
    fi
    pool="$(printf '%s' "$name" | sed -nE 's/^DATA_INFRA_([A-Z0-9]+)_RUNNER_LABELS$/\1/p' | tr 'A-Z' 'a-z')"
    example="[\"self-hosted\",\"linux\",\"data-infra${pool:+-$pool}\"]"
    jobs="$(jobs_using "$name")"
    echo "::error title=${name}::$(escape "Repository variable ${name} ${holds}. It must be a JSON list of one or more non-empty runner labels (or a single label as a JSON string, or a runner group as {\"group\": \"…\", \"labels\": [ … ]}), e.g. ${example}. Set it in Settings → Secrets and variables → Actions → Variables. Needed by the runs-on of: ${jobs:-the jobs that read vars.${name}} (docs/guardrails.md, \"Network checks run where the network is\").")"
    failed=1
done
exit "$failed"
