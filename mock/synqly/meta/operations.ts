import { operationTable } from '../../core/pipeline.ts';
import type { operations } from '../../generated/synqly.ts';
import type { SynqlyPrincipal } from '../auth.ts';
import { engineOpenApiDocument, managementOpenApiDocument } from './model.ts';

/** Both answer the document itself, not wrapped in `result`. */
export const metaOperations = operationTable<SynqlyPrincipal, operations>({
  meta_managementOpenapiSpec: async () => ({ status: 200, body: await managementOpenApiDocument() }),
  meta_engineOpenapiSpec: async () => ({ status: 200, body: engineOpenApiDocument(await managementOpenApiDocument()) }),
});
