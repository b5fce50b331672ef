#!/usr/bin/env bash
# aws-cli.sh: the runner has the AWS CLI. The program's Kubernetes providers authenticate to EKS by
# running `aws eks get-token` (components/kubernetesProviders.ts), and the self-hosted runners
# inside the VPC are not GitHub's images: without the CLI, pulumi fails deep inside a provider
# with "exec: aws: executable file not found". Fail first, with the set-up instruction.
set -euo pipefail

if ! version="$(aws --version 2>&1)"; then
    echo "::error::The AWS CLI (aws) is not on this runner's PATH; the Kubernetes providers run 'aws eks get-token'. Install AWS CLI v2 on the VPC runners (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html; docs/guardrails.md, \"Set-up\")."
    exit 1
fi
echo "$version"
