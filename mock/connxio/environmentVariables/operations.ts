import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import type { ConnxioCaller } from '../auth.ts';
import { decodedBody, modelEnv, mutateCompany, principalOf, readCompany } from '../context.ts';
import { deleteEnvironmentVariable, getEnvironmentVariable, listEnvironmentVariables, upsertEnvironmentVariable } from './model.ts';

export const environmentVariablesOperations = operationTable<ConnxioCaller, operations>({
  list_environment_variables: (ctx) => ({ body: listEnvironmentVariables(readCompany(ctx)) }),
  get_environment_variable: (ctx) => ({ body: getEnvironmentVariable(readCompany(ctx), ctx.params.id) }),
  create_environment_variable: async (ctx) => {
    const { variable } = await mutateCompany(ctx, (company) =>
      upsertEnvironmentVariable(company, decodedBody(ctx.body), principalOf(ctx).key.name, modelEnv(ctx)),
    );
    return { body: variable };
  },
  delete_environment_variable: async (ctx) => {
    await mutateCompany(ctx, (company) => deleteEnvironmentVariable(company, ctx.params.id));
    return { status: 204 };
  },
});
