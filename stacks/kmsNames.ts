// Aliases of the customer-managed keys (issue "secrets at rest under a key we control"). Per env:
// an alias name is unique in an account and region, and an account may hold more than one env.
import type { Env } from "./config";

export const kmsAlias = {
    /** Barragem's secret file `nu-secrets-<country>-<env>/barragem_secret_config.json`. */
    barragemSecret: (env: Env) => `alias/${env}-barragem-secret`,
    /** Storage of Barragem's Aurora clusters. */
    auroraStorage: (env: Env) => `alias/${env}-barragem-aurora-storage`,
};
