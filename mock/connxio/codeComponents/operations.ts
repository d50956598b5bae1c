import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/connxio.ts';
import type { ConnxioCaller } from '../auth.ts';
import { decodedBody, modelEnv, mutateCompany, principalOf, readCompany } from '../context.ts';
import { deleteCodeComponent, deprecateCodeComponent, getCodeComponent, getCodeComponentVersions, listCodeComponents, renameCodeComponent, uploadCodeComponent } from './model.ts';

export const codeComponentsOperations = operationTable<ConnxioCaller, operations>({
  list_code_components: (ctx) => ({ body: listCodeComponents(readCompany(ctx)) }),
  get_code_component: (ctx) => ({ body: getCodeComponent(readCompany(ctx), ctx.params.id) }),
  get_code_component_versions: (ctx) => ({ body: getCodeComponentVersions(readCompany(ctx), ctx.params.id) }),
  upload_code_component: async (ctx) => ({
    body: await mutateCompany(ctx, (company) => uploadCodeComponent(company, decodedBody(ctx.body), principalOf(ctx).key.name, modelEnv(ctx))),
  }),
  deprecate_code_component: async (ctx) => {
    const version = ctx.query.version;
    await mutateCompany(ctx, (company) => deprecateCodeComponent(company, ctx.params.id, version, modelEnv(ctx)));
    return { status: 200 };
  },
  rename_code_component: async (ctx) => {
    await mutateCompany(ctx, (company) => renameCodeComponent(company, ctx.params.id, ctx.query.name, modelEnv(ctx)));
    return { status: 200 };
  },
  delete_code_component: async (ctx) => {
    await mutateCompany(ctx, (company) => deleteCodeComponent(company, ctx.params.id));
    return { status: 204 };
  },
});
