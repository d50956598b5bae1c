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

const owner = (params: Record<string, unknown>) => params.ownerId as string;
const credential = (params: Record<string, unknown>) => params.credentialId as string;

export const credentialsOperations = operationTable<SynqlyPrincipal, operations>({
  credentials_list: (ctx) => {
    const page = listCredentials(readOrg(ctx), owner(ctx.params), ctx.query);
    return ok(page.items, { total: page.total });
  },
  credentials_create: async (ctx) => {
    const created = await mutateOrg(ctx, (org) => createCredential(org, owner(ctx.params), (ctx.body ?? {}), modelEnv(ctx)));
    return ok(credentialView(created));
  },
  credentials_get: (ctx) => ok(credentialView(getCredentialRecord(readOrg(ctx), owner(ctx.params), credential(ctx.params)).credential)),
  credentials_update: async (ctx) => {
    const updated = await mutateOrg(ctx, (org) => updateCredential(org, owner(ctx.params), credential(ctx.params), ctx.body, modelEnv(ctx)));
    return ok(credentialView(updated));
  },
  credentials_patch: async (ctx) => {
    const check = await updateBodyCheck(ctx, 'credentials_update');
    const patched = await mutateOrg(ctx, (org) => patchCredential(org, owner(ctx.params), credential(ctx.params), ctx.body, check, modelEnv(ctx)));
    return ok(credentialView(patched));
  },
  credentials_delete: async (ctx) => {
    await mutateOrg(ctx, (org) => deleteCredential(org, owner(ctx.params), credential(ctx.params)));
    return noContent();
  },
  credentials_lookup: (ctx) => ok(credentialView(lookupCredential(readOrg(ctx), credential(ctx.params)))),
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
