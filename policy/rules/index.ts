// Every guardrail of data-infra, in the order docs/guardrails.md lists them. Only policy/index.ts
// turns this list into a PolicyPack (constructing one starts the analyzer server); the offline
// evaluator (tools/policy) and the tests use the list directly.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    auroraBackupRetention,
    auroraDeletionProtection,
    auroraEnhancedMonitoring,
    auroraIamAuth,
    auroraInstanceNotPublic,
    auroraMasterPasswordGenerated,
    auroraPerformanceInsights,
    auroraStorageEncrypted,
} from "./aurora";
import { dynamodbEncryption, dynamodbPointInTimeRecovery } from "./dynamodb";
import { iamNoWildcards, iamTrustScoped } from "./iam";
import {
    k8sIngressInternal,
    k8sNamespaceDefaultDeny,
    k8sNoPrivilegeOrHostNamespaces,
    k8sPdbForReplicated,
    k8sReadinessProbe,
    k8sReadOnlyRootFilesystem,
    k8sResources,
    k8sRunAsNonRoot,
} from "./kubernetes";
import { dnsPrivateZone, sgDatabasePortsFromSecurityGroups, sgNoPublicIngress } from "./network";
import {
    s3CrossAccountDeleteRecoverable,
    s3CrossAccountNamedPrincipals,
    s3DenyInsecureTransport,
    s3Encryption,
    s3NoPublicPrincipal,
    s3PublicAccessBlock,
    s3Retention,
} from "./s3";
import { explicitProviders, noPlainSecrets, statefulResourcesProtected } from "./stack";

export const PACK_NAME = "data-infra-guardrails";

export type Rule = ResourceValidationPolicy | StackValidationPolicy;

export const RULES: readonly Rule[] = [
    s3PublicAccessBlock,
    s3Encryption,
    s3DenyInsecureTransport,
    s3NoPublicPrincipal,
    s3CrossAccountNamedPrincipals,
    s3Retention,
    s3CrossAccountDeleteRecoverable,
    auroraStorageEncrypted,
    auroraDeletionProtection,
    auroraBackupRetention,
    auroraIamAuth,
    auroraInstanceNotPublic,
    auroraEnhancedMonitoring,
    auroraPerformanceInsights,
    auroraMasterPasswordGenerated,
    dynamodbPointInTimeRecovery,
    dynamodbEncryption,
    sgNoPublicIngress,
    sgDatabasePortsFromSecurityGroups,
    iamNoWildcards,
    iamTrustScoped,
    k8sNoPrivilegeOrHostNamespaces,
    k8sRunAsNonRoot,
    k8sResources,
    k8sReadinessProbe,
    k8sReadOnlyRootFilesystem,
    k8sNamespaceDefaultDeny,
    k8sIngressInternal,
    k8sPdbForReplicated,
    dnsPrivateZone,
    statefulResourcesProtected,
    explicitProviders,
    noPlainSecrets,
];

export function isStackRule(rule: Rule): rule is StackValidationPolicy {
    return "validateStack" in rule;
}
