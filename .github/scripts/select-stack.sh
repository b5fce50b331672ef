#!/usr/bin/env bash
# select-stack.sh <stack>: select <stack> for a deploy job, run from the project directory.
# Pulumi takes a stack's secrets data key from the committed stack file's `encryptedkey` line, not
# from the state (pulumi/pulumi#5650): a stack file without it makes every run create a fresh data
# key (re-keying the stack's secrets on each deploy) and makes roles that may only kms:Decrypt
# (preview, verify) fail. So the one-off bootstrap is `pulumi stack init --secrets-provider …` and
# its `encryptedkey` line is committed (README, "Adding a country"). This script:
#   - an existing stack whose file has `encryptedkey`: selects it;
#   - a stack the backend does not have yet: creates it with the stack file's secretsprovider and,
#     unless the file already held that data key, stops with the line to commit;
#   - an existing stack whose file has no `encryptedkey`: stops with how to recover the line.
set -euo pipefail

stack="${1:?usage: select-stack.sh <stack>}"
file="Pulumi.${stack}.yaml"
provider="$(sed -n 's/^secretsprovider: *//p' "$file")"
key() { sed -n 's/^encryptedkey: *//p' "$file"; }

committed="$(key)"
exists="$(GITHUB_OUTPUT='' "$(dirname "$0")/stack-exists.sh" "$stack" | sed -n 's/^exists=//p')"
if [ "$exists" = true ]; then
    if [ -z "$committed" ]; then
        echo "::error::${file} has no encryptedkey line, so this run would encrypt ${stack}'s secrets with a new data key. Recover the stack's key from its state and commit it to ${file} (then rerun):"
        echo "  echo \"encryptedkey: \$(pulumi stack export --stack ${stack} | jq -r .deployment.secrets_providers.state.encryptedkey)\" >> ${file}"
        exit 1
    fi
    pulumi stack select --stack "$stack"
    exit 0
fi

pulumi stack init "$stack" --secrets-provider "$provider"
created="$(key)"
if [ -n "$created" ] && [ "$created" = "$committed" ]; then
    exit 0
fi
echo "::error::Created stack ${stack} now, with a new data key. Commit this encryptedkey line to ${file} on main, then rerun this job:"
echo "encryptedkey: ${created}"
{
    echo "### Stack \`${stack}\` created: commit its data key"
    echo
    echo "Add this line to \`${file}\` (the one-off bootstrap of README \"Adding a country\"), then rerun:"
    echo
    echo '```yaml'
    echo "encryptedkey: ${created}"
    echo '```'
} >>"${GITHUB_STEP_SUMMARY:-/dev/null}"
exit 1
