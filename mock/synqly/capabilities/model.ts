import { errors } from '../../core/errors.ts';
import { CONNECTORS, CONNECTOR_BY_ID, connectorOf, providerById, providers, providersOf, type ConnectorDef, type ProviderDef } from './catalogue.ts';
import { providerConfigSchema } from './provider-configs.ts';

/** capabilities_*: views over the catalogue (capabilities/catalogue.ts); nothing here is stored. */

export type ConnectorExpand = 'providers';
export type ProviderExpand = 'connector' | 'operations' | 'request_body' | 'provider_config';

const providerName = (id: string) => id.slice(id.indexOf('_') + 1);

export function providerBaseView(p: ProviderDef) {
  return {
    id: p.id,
    name: providerName(p.id),
    fullname: p.fullname,
    vendor: p.vendor,
    description: p.description,
    connector_id: connectorOf(p.id)!,
    release: { availability: p.availability ?? CONNECTOR_BY_ID.get(connectorOf(p.id)!)!.availability, environments: p.environments ?? ['prod', 'test'] },
  };
}

export function connectorView(c: ConnectorDef, expand: readonly string[] = []) {
  const providers = providersOf(c.id);
  return {
    id: c.id,
    name: c.id,
    fullname: c.fullname,
    description: c.description,
    provider_ids: providers.map((p) => p.id),
    ...(expand.includes('providers') ? { providers: providers.map(providerBaseView) } : {}),
    connector: c.id,
    release: { availability: c.availability },
  };
}

function operationsView(p: ProviderDef, withRequestBody: boolean) {
  const connector = CONNECTOR_BY_ID.get(connectorOf(p.id)!)!;
  return connector.operations.map((op) => {
    const id = `${connector.id}_${op.name}`;
    const supported = !(p.unsupported ?? []).includes(op.name);
    return {
      id,
      name: op.name,
      fullname: op.fullname,
      description: op.description,
      request_method: op.method,
      request_path: op.path,
      supported,
      ...(op.required_fields ? { required_fields: [...op.required_fields] } : {}),
      ...(op.response_fields ? { supported_response_fields: [...op.response_fields] } : {}),
      ...(op.filters ? { filters: op.filters.map((f) => ({ ...f, operators: [...f.operators], ...(f.values ? { values: [...f.values] } : {}) })) } : {}),
      ...(op.orders ? { orders: op.orders.map((name) => ({ name, directions: ['asc', 'desc'] })) } : {}),
      ...(withRequestBody && op.body ? { request_body: { required: true, schema: structuredClone(op.body) } } : {}),
    };
  });
}

export function providerView(p: ProviderDef, expand: readonly string[] = []) {
  const connectorId = connectorOf(p.id)!;
  return {
    ...providerBaseView(p),
    connector: expand.includes('connector') ? connectorView(CONNECTOR_BY_ID.get(connectorId)!) : connectorId,
    ...(expand.includes('operations') || expand.includes('request_body') ? { operations: operationsView(p, expand.includes('request_body')) } : {}),
    ...(expand.includes('provider_config') ? { provider_config: providerConfigSchema(p.config) } : {}),
  };
}

export function listConnectors(expand: readonly string[] = []) {
  return CONNECTORS.map((c) => connectorView(c, expand));
}

export function listProviders(expand: readonly string[] = []) {
  return providers().map((p) => providerView(p, expand));
}

export function getProvider(providerId: string, expand: readonly string[] = []) {
  const p = providerById(providerId);
  if (!p) {
    throw errors.notFound(`provider ${providerId} is not in the catalogue`, {
      parameter: { id: 'providerId', location: 'path', value: providerId },
      remediation: 'list the providers with GET /v1/capabilities/providers',
    });
  }
  return providerView(p, expand);
}
