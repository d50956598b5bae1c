import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { modelEnv, mutateOrg, noContent, ok, readOrg } from '../context.ts';
import { updateBodyCheck } from '../patch-check.ts';
import {
  createCredential,
  credentialView,
  deleteCredential,
  getCredentialRecord,
  listCredentials,
  lookupCredential,
  patchCredential,
  updateCredential,
} from './model.ts';
import type { SynqlyFacts } from '../operation-facts.ts';
import type { TargetReading } from '../targets.ts';
import { findByIdOrName } from '../names.ts';

export const credentialsOperations = operationTable<SynqlyPrincipal, operations>({
  credentials_list: (ctx) => {
    const page = listCredentials(readOrg(ctx), ctx.params.ownerId, ctx.query);
    return ok(page.items, { total: page.total });
  },
  credentials_create: async (ctx) => {
    const created = await mutateOrg(ctx, (org) => createCredential(org, ctx.params.ownerId, (ctx.body ?? {}), modelEnv(ctx)));
    return ok(credentialView(created));
  },
  credentials_get: (ctx) => ok(credentialView(getCredentialRecord(readOrg(ctx), ctx.params.ownerId, ctx.params.credentialId).credential)),
  credentials_update: async (ctx) => {
    const updated = await mutateOrg(ctx, (org) => updateCredential(org, ctx.params.ownerId, ctx.params.credentialId, ctx.body, modelEnv(ctx)));
    return ok(credentialView(updated));
  },
  credentials_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'credentials_update');
    const patched = await mutateOrg(ctx, (org) => patchCredential(org, ctx.params.ownerId, ctx.params.credentialId, ctx.body, check, modelEnv(ctx)));
    return ok(credentialView(patched));
  },
  credentials_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteCredential(org, ctx.params.ownerId, ctx.params.credentialId));
    return noContent();
  },
  credentials_lookup: (ctx) => ok(credentialView(lookupCredential(readOrg(ctx), ctx.params.credentialId))),
});

/** `{ownerId}` names an account or an integration (or the organization itself) */
const ownerTarget: TargetReading = (t, params) => t.fromPath(params, { ownerMayBeAccount: true });

export const credentialsFacts: SynqlyFacts = {
  credentials_list: { target: ownerTarget },
  credentials_create: { target: ownerTarget },
  credentials_get: { target: ownerTarget },
  credentials_update: { target: ownerTarget },
  credentials_patch: { target: ownerTarget },
  credentials_delete: { target: ownerTarget },
  // the path names only the credential: the target is its owner
  credentials_lookup: {
    target: (t, params) => {
      t.fromPath(params);
      const credential = params.credentialId === undefined ? undefined : findByIdOrName(t.state.credentials, params.credentialId);
      if (credential?.account_id) t.accountById(credential.account_id);
      if (credential?.integration_id) t.integrationById(credential.integration_id);
    },
  },
};
