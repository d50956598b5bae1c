import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import type { ConnxioCaller } from '../auth.ts';
import { decodedBody, modelEnv, mutateCompany, principalOf, readCompany } from '../context.ts';
import { deleteSecurityConfig, getSecurityConfig, listSecurityConfigs, upsertSecurityConfig } from './model.ts';

export const securityConfigsOperations = operationTable<ConnxioCaller, operations>({
  list_security_configs: (ctx) => ({ body: listSecurityConfigs(readCompany(ctx)) }),
  get_security_config: (ctx) => ({ body: getSecurityConfig(readCompany(ctx), ctx.params.id) }),
  create_security_config: async (ctx) => {
    const { config } = await mutateCompany(ctx, (company) => upsertSecurityConfig(company, decodedBody(ctx.body), principalOf(ctx).key.name, modelEnv(ctx)));
    return { body: config };
  },
  delete_security_config: async (ctx) => {
    await mutateCompany(ctx, (company) => deleteSecurityConfig(company, ctx.params.id));
    return { status: 204 };
  },
});
