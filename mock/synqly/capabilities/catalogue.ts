import displayData from './provider-display.json' with { type: 'json' };
import { providerConfigs, type ProviderConfigDef } from './provider-configs.ts';

/**
 * The connector and provider catalogue. The 17 connectors are the vendor's CategoryId enum; the
 * 169 providers are the vendor's ProviderConfigId values, each with the vendor's provider config
 * variant (specs/synqly-provider-configs.json, provider-configs.ts), which the integrations family
 * enforces and `expand=provider_config` describes. The display strings are the twin's (the vendor
 * does not publish them): provider-display.json for products the twin named before, made from the
 * id otherwise. Operations are the connector's (a provider lists only those it does not support).
 */

export type Availability = 'internal' | 'in-development' | 'pre-release' | 'deprecated' | 'generally-available';

export interface ConnectorOperationDef {
  /** without the connector prefix, e.g. query_tickets */
  name: string;
  fullname: string;
  description: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  filters?: Array<{ name: string; type: 'string' | 'datetime' | 'enum' | 'boolean' | 'number'; operators: string[]; values?: string[] }>;
  orders?: string[];
  required_fields?: string[];
  response_fields?: string[];
  body?: Record<string, unknown>;
}

export interface ConnectorDef {
  id: string;
  fullname: string;
  description: string;
  availability: Availability;
  operations: ConnectorOperationDef[];
}

export interface ProviderDef {
  id: string;
  fullname: string;
  vendor: string;
  description: string;
  availability?: Availability;
  environments?: Array<'prod' | 'test'>;
  /** the vendor's provider config variant (fields, required flags, credential kinds) */
  config: ProviderConfigDef;
  /** connector operations this provider does not support */
  unsupported?: string[];
}

const time = (name = 'time') => ({ name, type: 'datetime' as const, operators: ['gt', 'gte', 'lt', 'lte'] });
const str = (name: string, operators = ['eq', 'ne', 'in', 'like']) => ({ name, type: 'string' as const, operators });
const enumF = (name: string, values: string[]) => ({ name, type: 'enum' as const, operators: ['eq', 'in'], values });
const SEVERITY = ['informational', 'low', 'medium', 'high', 'critical'];

const query = (connector: string, resource: string, label: string, filters: ConnectorOperationDef['filters'], fields: string[]): ConnectorOperationDef => ({
  name: `query_${resource}`,
  fullname: `Query ${label}`,
  description: `Returns the ${label.toLowerCase()} matching the filters, paged with a cursor.`,
  method: 'GET',
  path: `/v1/${connector}/${resource.replace(/_/g, '-')}`,
  filters,
  orders: ['time'],
  response_fields: fields,
});

const create = (connector: string, resource: string, label: string, required: string[], body: Record<string, unknown>): ConnectorOperationDef => ({
  name: `create_${resource}`,
  fullname: `Create ${label}`,
  description: `Creates a ${label.toLowerCase()} in the provider.`,
  method: 'POST',
  path: `/v1/${connector}/${resource.replace(/_/g, '-')}s`,
  required_fields: required,
  body,
});

export const CONNECTORS: ConnectorDef[] = [
  {
    id: 'appsec',
    fullname: 'Application Security',
    description: 'Query application security findings and applications from SAST, DAST and SCA tools.',
    availability: 'generally-available',
    operations: [
      query('appsec', 'findings', 'Findings', [enumF('severity', SEVERITY), time('last_seen_time')], ['id', 'severity', 'title', 'application']),
      query('appsec', 'applications', 'Applications', [str('name')], ['id', 'name']),
      { name: 'get_finding', fullname: 'Get Finding', description: 'Returns one finding.', method: 'GET', path: '/v1/appsec/findings/{findingId}' },
    ],
  },
  {
    id: 'assets',
    fullname: 'Assets',
    description: 'Query and create devices and other assets in asset inventories and CMDBs.',
    availability: 'generally-available',
    operations: [
      query('assets', 'devices', 'Devices', [str('device.hostname'), str('device.os.name'), time('last_seen_time')], ['device.uid', 'device.hostname', 'device.ip']),
      create('assets', 'asset', 'Asset', ['name'], { type: 'object', required: ['name'], properties: { name: { type: 'string' }, ip: { type: 'string' } } }),
      query('assets', 'applications', 'Applications', [str('name')], ['name', 'version']),
    ],
  },
  {
    id: 'chat',
    fullname: 'Chat',
    description: 'List conversations and send messages in chat platforms.',
    availability: 'pre-release',
    operations: [
      query('chat', 'conversations', 'Conversations', [str('name')], ['id', 'name']),
      create('chat', 'message', 'Message', ['conversation_id', 'content'], {
        type: 'object',
        required: ['conversation_id', 'content'],
        properties: { conversation_id: { type: 'string' }, content: { type: 'string' } },
      }),
    ],
  },
  {
    id: 'cloudsecurity',
    fullname: 'Cloud Security',
    description: 'Query cloud posture findings, threats and cloud resource inventory.',
    availability: 'generally-available',
    operations: [
      query('cloudsecurity', 'compliance_findings', 'Compliance Findings', [enumF('severity', SEVERITY), time()], ['id', 'severity', 'compliance']),
      query('cloudsecurity', 'cloud_resource_inventory', 'Cloud Resource Inventory', [str('cloud.provider')], ['resource.uid', 'cloud.region']),
      query('cloudsecurity', 'threats', 'Threats', [enumF('severity', SEVERITY), time()], ['id', 'severity', 'title']),
    ],
  },
  {
    id: 'custom',
    fullname: 'Custom',
    description: 'Call operations of a custom provider described by a provider definition.',
    availability: 'in-development',
    operations: [{ name: 'execute', fullname: 'Execute Operation', description: 'Runs one operation of the custom provider.', method: 'POST', path: '/v1/custom/{operationId}' }],
  },
  {
    id: 'edr',
    fullname: 'Endpoint Detection & Response',
    description: 'Query endpoints, alerts and threats; quarantine endpoints and manage IOCs.',
    availability: 'generally-available',
    operations: [
      query('edr', 'endpoints', 'Endpoints', [str('device.hostname'), str('device.os.name'), time('last_seen_time')], ['device.uid', 'device.hostname']),
      query('edr', 'alerts', 'Alerts', [enumF('severity', SEVERITY), time()], ['id', 'severity', 'finding_info.title']),
      query('edr', 'threats', 'Threats', [enumF('severity', SEVERITY), time()], ['id', 'severity']),
      {
        name: 'network_quarantine',
        fullname: 'Network Quarantine',
        description: 'Connects or disconnects endpoints from the network.',
        method: 'POST',
        path: '/v1/edr/quarantine',
        required_fields: ['endpoint_ids', 'state'],
        body: { type: 'object', required: ['endpoint_ids', 'state'], properties: { endpoint_ids: { type: 'array', items: { type: 'string' } }, state: { type: 'string', enum: ['connect', 'disconnect'] } } },
      },
      query('edr', 'iocs', 'IOCs', [str('type')], ['id', 'type', 'value']),
    ],
  },
  {
    id: 'emailsecurity',
    fullname: 'Email Security',
    description: 'Query email threats and remediate messages.',
    availability: 'pre-release',
    operations: [
      query('emailsecurity', 'threats', 'Threats', [time()], ['id', 'subject', 'sender']),
      { name: 'remediate_message', fullname: 'Remediate Message', description: 'Removes a message from mailboxes.', method: 'POST', path: '/v1/emailsecurity/messages/{messageId}/remediate' },
    ],
  },
  {
    id: 'endpointmanagement',
    fullname: 'Endpoint Management',
    description: 'Query managed devices and their installed software and patches.',
    availability: 'pre-release',
    operations: [
      query('endpointmanagement', 'devices', 'Devices', [str('device.hostname'), time('last_seen_time')], ['device.uid', 'device.hostname']),
      query('endpointmanagement', 'software', 'Software', [str('name')], ['name', 'version']),
    ],
  },
  {
    id: 'identity',
    fullname: 'Identity',
    description: 'Query users, groups and audit logs; enable, disable and force logout users.',
    availability: 'generally-available',
    operations: [
      query('identity', 'users', 'Users', [str('user.name'), str('user.email_addr')], ['user.uid', 'user.name', 'user.email_addr']),
      query('identity', 'groups', 'Groups', [str('name')], ['uid', 'name']),
      query('identity', 'audit_log', 'Audit Log', [time()], ['time', 'activity_name', 'actor']),
      { name: 'disable_user', fullname: 'Disable User', description: 'Disables a user.', method: 'POST', path: '/v1/identity/users/{userId}/disable' },
      { name: 'enable_user', fullname: 'Enable User', description: 'Enables a user.', method: 'POST', path: '/v1/identity/users/{userId}/enable' },
    ],
  },
  {
    id: 'incidentresponse',
    fullname: 'Incident Response',
    description: 'Query and create incidents in incident-response platforms.',
    availability: 'in-development',
    operations: [
      query('incidentresponse', 'incidents', 'Incidents', [enumF('severity', SEVERITY), time()], ['id', 'title', 'status']),
      create('incidentresponse', 'incident', 'Incident', ['title'], { type: 'object', required: ['title'], properties: { title: { type: 'string' }, severity: { type: 'string' } } }),
    ],
  },
  {
    id: 'networksecurity',
    fullname: 'Network Security',
    description: 'Query network alerts and manage address blocks on firewalls.',
    availability: 'pre-release',
    operations: [
      query('networksecurity', 'alerts', 'Alerts', [enumF('severity', SEVERITY), time()], ['id', 'severity', 'src_endpoint.ip']),
      { name: 'block_address', fullname: 'Block Address', description: 'Adds an address to a block list.', method: 'POST', path: '/v1/networksecurity/blocks' },
    ],
  },
  {
    id: 'notifications',
    fullname: 'Notifications',
    description: 'Send notifications to people and channels.',
    availability: 'generally-available',
    operations: [
      create('notifications', 'notification', 'Notification', ['summary'], { type: 'object', required: ['summary'], properties: { summary: { type: 'string' }, body: { type: 'string' } } }),
      { name: 'get_notification', fullname: 'Get Notification', description: 'Returns one notification.', method: 'GET', path: '/v1/notifications/{notificationId}' },
    ],
  },
  {
    id: 'siem',
    fullname: 'SIEM',
    description: 'Query events and investigations from SIEMs and log platforms.',
    availability: 'generally-available',
    operations: [
      query('siem', 'events', 'Events', [str('class_name', ['eq', 'in']), time()], ['time', 'class_uid', 'message']),
      query('siem', 'investigations', 'Investigations', [enumF('status', ['new', 'in_progress', 'closed']), time()], ['id', 'title', 'status']),
      { name: 'get_investigation', fullname: 'Get Investigation', description: 'Returns one investigation.', method: 'GET', path: '/v1/siem/investigations/{investigationId}' },
      query('siem', 'log_providers', 'Log Providers', [], ['name']),
    ],
  },
  {
    id: 'sink',
    fullname: 'Sink',
    description: 'Write OCSF events to log and data destinations.',
    availability: 'generally-available',
    operations: [
      {
        name: 'post_events',
        fullname: 'Post Events',
        description: 'Writes a batch of events to the destination.',
        method: 'POST',
        path: '/v1/sink/events',
        required_fields: ['events'],
        body: { type: 'array', items: { type: 'object' } },
      },
    ],
  },
  {
    id: 'storage',
    fullname: 'Storage',
    description: 'List, upload, download and delete files in object storage.',
    availability: 'generally-available',
    operations: [
      { name: 'list_files', fullname: 'List Files', description: 'Lists the files under a path.', method: 'GET', path: '/v1/storage/files/{path}' },
      { name: 'upload_file', fullname: 'Upload File', description: 'Uploads a file.', method: 'POST', path: '/v1/storage/files/{path}' },
      { name: 'download_file', fullname: 'Download File', description: 'Downloads a file.', method: 'GET', path: '/v1/storage/files/download/{path}' },
      { name: 'delete_file', fullname: 'Delete File', description: 'Deletes a file.', method: 'DELETE', path: '/v1/storage/files/{path}' },
    ],
  },
  {
    id: 'ticketing',
    fullname: 'Ticketing',
    description: 'Create, query and update tickets, comments and attachments in ticketing systems.',
    availability: 'generally-available',
    operations: [
      query('ticketing', 'tickets', 'Tickets', [enumF('status', ['open', 'in_progress', 'done']), enumF('priority', ['low', 'medium', 'high', 'critical']), time('created_at')], ['id', 'summary', 'status', 'priority']),
      { name: 'get_ticket', fullname: 'Get Ticket', description: 'Returns one ticket.', method: 'GET', path: '/v1/ticketing/tickets/{ticketId}' },
      create('ticketing', 'ticket', 'Ticket', ['summary', 'project'], {
        type: 'object',
        required: ['summary', 'project'],
        properties: { summary: { type: 'string' }, project: { type: 'string' }, description: { type: 'string' }, priority: { type: 'string' } },
      }),
      { name: 'patch_ticket', fullname: 'Patch Ticket', description: 'Patches a ticket with JSON Patch.', method: 'PATCH', path: '/v1/ticketing/tickets/{ticketId}' },
      query('ticketing', 'projects', 'Projects', [], ['id', 'name']),
      { name: 'create_comment', fullname: 'Create Comment', description: 'Adds a comment to a ticket.', method: 'POST', path: '/v1/ticketing/tickets/{ticketId}/comments' },
    ],
  },
  {
    id: 'vulnerabilities',
    fullname: 'Vulnerabilities',
    description: 'Query vulnerability findings, assets and scans from vulnerability scanners.',
    availability: 'generally-available',
    operations: [
      query('vulnerabilities', 'findings', 'Findings', [enumF('severity', SEVERITY), time('finding.last_seen_time')], ['finding.uid', 'severity', 'vulnerabilities']),
      query('vulnerabilities', 'assets', 'Assets', [str('device.hostname')], ['device.uid', 'device.hostname']),
      query('vulnerabilities', 'scans', 'Scans', [time()], ['id', 'name', 'status']),
    ],
  },
];

// ---- providers: the vendor's ids and provider configs (provider-configs.ts), with the twin's display strings

interface Display {
  fullname: string;
  vendor: string;
  description: string;
  availability?: Availability;
  environments?: Array<'prod' | 'test'>;
  unsupported?: string[];
}

// the JSON module is typed by its literal data; Display is how the catalogue reads each entry
const DISPLAY = displayData as Record<string, Display>;

const titled = (words: string) =>
  words
    .split('_')
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');

/** display strings the vendor does not publish: kept from the twin's earlier catalogue, else made from the id */
function displayOf(def: ProviderConfigDef): Display {
  const known = DISPLAY[def.type];
  if (known) return known;
  const product = titled(def.type.slice(def.type.indexOf('_') + 1));
  if (def.type.includes('_mock')) {
    return { fullname: `Synqly mock ${product.replace(/ Mock$/, '')}`, vendor: 'Synqly', description: `In-memory ${def.category} provider for tests.`, environments: ['test'] };
  }
  return { fullname: product, vendor: product.split(' ')[0]!, description: `${product} through the ${def.category} connector.` };
}

export const CONNECTOR_BY_ID = new Map(CONNECTORS.map((c) => [c.id, c]));

let madeProviders: { all: ProviderDef[]; byId: Map<string, ProviderDef>; byConnector: Map<string, ProviderDef[]> } | undefined;

/** the providers, made from the provider configs when a request first needs them */
function providerCatalogue() {
  if (!madeProviders) {
    const all = providerConfigs().providers.map((config) => ({ id: config.type, ...displayOf(config), config }));
    const byConnector = new Map<string, ProviderDef[]>(CONNECTORS.map((c) => [c.id, all.filter((p) => connectorOf(p.id) === c.id)]));
    madeProviders = { all, byId: new Map(all.map((pr) => [pr.id, pr])), byConnector };
  }
  return madeProviders;
}

/** every provider, in catalogue order */
export function providers(): readonly ProviderDef[] {
  return providerCatalogue().all;
}

export function providerById(providerId: string): ProviderDef | undefined {
  return providerCatalogue().byId.get(providerId);
}

/** a connector's providers, in catalogue order */
export function providersOf(connectorId: string): readonly ProviderDef[] {
  return providerCatalogue().byConnector.get(connectorId) ?? [];
}

/** the connector of a provider id: its prefix before the first `_` */
export function connectorOf(providerId: string): string | undefined {
  const prefix = providerId.split('_')[0] ?? '';
  return CONNECTOR_BY_ID.has(prefix) ? prefix : undefined;
}
