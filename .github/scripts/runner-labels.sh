#!/usr/bin/env bash
# runner-labels.sh VAR [VAR…]: the repository variables that choose the self-hosted runners inside
# the VPC (`runs-on: ${{ fromJSON(vars.VAR) }}`) hold something `runs-on` can use. Each VAR's value
# comes in the environment variable of the same name (the step passes `${{ vars.VAR }}` through
# `env:`). Unset (a new repository, a fork, a typo in the name) or not a JSON list of labels, the
# jobs that need it would fail at `runs-on` with an expression error that does not say what to set,
# so a job on GitHub's runners that every VPC job needs runs this first and names the fix.
# Reads JSON with node (on GitHub's runners and wherever this project's tests run). Allowed, as
# runs-on takes them: a non-empty JSON list of non-empty strings, one non-empty JSON
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
        # Why the value is refused ("" when it is fine), and what it chooses: node, which GitHub's
        # runners have, as every machine that runs this project's tests does (jq is not a given).
        verdict="$(printf '%s' "$value" | node -e '
            let text = "";
            process.stdin.on("data", (d) => (text += d)).on("end", () => {
                const blank = (v) => typeof v !== "string" || /^\s*$/.test(v);
                const kind = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
                const labels = (v) =>
                    typeof v === "string" ? (blank(v) ? "an empty label" : "")
                    : Array.isArray(v) ? (v.length === 0 ? "an empty list" : v.some(blank) ? "a list with an empty or non-string label" : "")
                    : `a JSON ${kind(v)}`;
                const allOf = (v) => `with all of the labels ${[v].flat().join(", ")}`;
                let v;
                try {
                    v = JSON.parse(text);
                } catch {
                    return console.log("refused\tnot valid JSON");
                }
                let why;
                if (kind(v) === "object") {
                    const keys = Object.keys(v);
                    why = keys.length === 0 || keys.some((k) => k !== "group" && k !== "labels") ? "an object other than {\"group\": …, \"labels\": …}"
                        : "group" in v && blank(v.group) ? "an empty or non-string group"
                        : "labels" in v && labels(v.labels) !== "" ? `labels that are ${labels(v.labels)}`
                        : "";
                    if (why === "") return console.log(`ok\t${["group" in v ? `of the group ${v.group}` : "", "labels" in v ? allOf(v.labels) : ""].filter(Boolean).join(" ")}`);
                } else {
                    why = labels(v);
                    if (why === "") return console.log(`ok\t${allOf(v)}`);
                }
                console.log(`refused\t${why}`);
            });')"
        reason="${verdict#*$'\t'}"
        if [ "${verdict%%$'\t'*}" = ok ]; then
            echo "$name: the jobs that need it run on a runner ${reason}"
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
