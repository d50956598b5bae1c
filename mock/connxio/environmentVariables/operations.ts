import type { OperationTable } from '../../core/pipeline.ts';
import type { ConnxioCaller } from '../auth.ts';
import { modelEnv, mutateCompany, principalOf, readCompany } from '../context.ts';
import { deleteEnvironmentVariable, getEnvironmentVariable, listEnvironmentVariables, upsertEnvironmentVariable, type EnvironmentVariableRequest } from './model.ts';

export const environmentVariablesOperations: OperationTable<ConnxioCaller> = {
  list_environment_variables: (ctx) => ({ body: listEnvironmentVariables(readCompany(ctx)) }),
  get_environment_variable: (ctx) => ({ body: getEnvironmentVariable(readCompany(ctx), ctx.params.id as string) }),
  create_environment_variable: async (ctx) => {
    const { variable } = await mutateCompany(ctx, (company) =>
      upsertEnvironmentVariable(company, ctx.body as EnvironmentVariableRequest, principalOf(ctx).key.name, modelEnv(ctx)),
    );
    return { body: variable };
  },
  delete_environment_variable: async (ctx) => {
    await mutateCompany(ctx, (company) => deleteEnvironmentVariable(company, ctx.params.id as string));
    return { status: 204 };
  },
};
