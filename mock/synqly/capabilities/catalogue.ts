/**
 * The twin's connector and provider catalogue, as data. The 17 connectors are the vendor's
 * CategoryId enum; the 169 providers match the size of the vendor's ProviderConfigId enum and its
 * per-connector counts (contract §6: assets 24, vulnerabilities 21, sink 20, ticketing 18,
 * identity 13, siem 13, appsec 12, edr 12, cloudsecurity 9, emailsecurity 5, notifications 5,
 * endpointmanagement 4, storage 4, chat 3, networksecurity 3, incidentresponse 2, custom 1).
 * Every id is `<connector>_<provider>`; the ids in the contract's sample table are the vendor's,
 * the others name real products of each market, and the display strings are the twin's (the vendor
 * does not publish them). Operations are the connector's (a provider lists only those it does not
 * support). Each provider lists its provider_config fields, which the integrations family enforces
 * (required fields, allowed credential kinds) and `expand=provider_config` describes.
 */

export type Availability = 'internal' | 'in-development' | 'pre-release' | 'deprecated' | 'generally-available';
export type InlineCredentialKind = 'token' | 'basic' | 'secret' | 'aws' | 'aws_role' | 'o_auth_client' | 'webhook_url' | 'tls_certificate';

export interface ConfigField {
  name: string;
  kind: 'string' | 'url' | 'boolean' | 'integer' | 'object' | 'array' | 'credential';
  required?: boolean;
  description: string;
  /** credential fields: the inline kinds accepted (each also as a `<kind>_id` reference) */
  credentials?: InlineCredentialKind[];
}

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
  fields: ConfigField[];
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

// ---- provider_config field templates

const url = (description = 'Base URL of the provider API.', required = true): ConfigField => ({ name: 'url', kind: 'url', required, description });
const credential = (kinds: InlineCredentialKind[], name = 'credential', required = true): ConfigField => ({
  name,
  kind: 'credential',
  required,
  credentials: kinds,
  description: `Credential: inline ${kinds.join(' | ')} or a stored credential reference (${kinds.map((k) => `${k}_id`).join(' | ')}).`,
});
const opt = (name: string, kind: ConfigField['kind'], description: string): ConfigField => ({ name, kind, description });
const req = (name: string, kind: ConfigField['kind'], description: string): ConfigField => ({ name, kind, required: true, description });
const skipTls = opt('skip_tls_verify', 'boolean', 'Skip TLS verification (self-signed certificates only).');

const p = (id: string, fullname: string, vendor: string, description: string, fields: ConfigField[], extra: Partial<ProviderDef> = {}): ProviderDef => ({
  id,
  fullname,
  vendor,
  description,
  fields,
  ...extra,
});

const MOCK = { environments: ['test'] as Array<'prod' | 'test'>, vendor: 'Synqly' };
const mock = (id: string, fullname: string, description: string, fields: ConfigField[] = []): ProviderDef =>
  p(id, fullname, MOCK.vendor, description, fields, { environments: MOCK.environments });

export const PROVIDERS: ProviderDef[] = [
  // appsec
  p('appsec_github_advanced_security', 'GitHub Advanced Security', 'GitHub', 'Code scanning and Dependabot alerts from GitHub.', [url('GitHub API URL.', false), credential(['token']), opt('owner', 'string', 'Organization or user owning the repositories.')]),
  p('appsec_snyk', 'Snyk', 'Snyk', 'Open source, code and container findings from Snyk.', [credential(['token']), req('org_id', 'string', 'Snyk organization id.'), url('Snyk API URL.', false)]),
  p('appsec_veracode', 'Veracode', 'Veracode', 'Static and dynamic analysis findings from Veracode.', [credential(['basic'])]),
  p('appsec_checkmarx_one', 'Checkmarx One', 'Checkmarx', 'SAST, SCA and IaC findings from Checkmarx One.', [url(), credential(['o_auth_client', 'token'])]),
  p('appsec_sonarqube', 'SonarQube', 'SonarSource', 'Vulnerabilities and security hotspots from SonarQube Server and SonarQube Cloud.', [url('SonarQube server URL.'), credential(['token']), opt('organization', 'string', 'SonarQube Cloud organization key.')]),
  p('appsec_semgrep', 'Semgrep AppSec Platform', 'Semgrep', 'Code, supply chain and secrets findings from Semgrep.', [credential(['token']), req('deployment_slug', 'string', 'Semgrep deployment slug.'), url('Semgrep API URL.', false)]),
  p('appsec_black_duck', 'Black Duck SCA', 'Black Duck Software', 'Open source vulnerabilities and license risks from Black Duck.', [url(), credential(['token'])]),
  p('appsec_mend', 'Mend.io', 'Mend', 'SCA and SAST findings from the Mend platform.', [url(), credential(['basic']), req('org_uuid', 'string', 'Mend organization UUID.')]),
  p('appsec_wiz_code', 'Wiz Code', 'Wiz', 'Code, secrets and IaC findings from Wiz Code.', [url(), credential(['o_auth_client'])]),
  p('appsec_invicti', 'Invicti DAST', 'Invicti', 'Dynamic scan findings and websites from Invicti.', [url(), credential(['basic'])]),
  p('appsec_gitlab', 'GitLab Application Security', 'GitLab', 'SAST, DAST and dependency scanning findings from GitLab Ultimate.', [credential(['token']), url('GitLab URL.', false), opt('group', 'string', 'Group whose projects are queried.')]),
  p('appsec_fortify_on_demand', 'OpenText Fortify on Demand', 'OpenText', 'Static and dynamic findings from Fortify on Demand.', [url(), credential(['o_auth_client', 'basic']), opt('tenant', 'string', 'Fortify on Demand tenant code.')]),
  // assets
  p('assets_armis_centrix', 'Armis Centrix', 'Armis', 'Device inventory from Armis Centrix.', [url(), credential(['token'])]),
  p('assets_axonius', 'Axonius', 'Axonius', 'Asset inventory from Axonius.', [url(), credential(['basic'])]),
  p('assets_crowdstrike', 'CrowdStrike Falcon Discover', 'CrowdStrike', 'Managed and unmanaged devices seen by CrowdStrike Falcon.', [url(), credential(['o_auth_client'])]),
  p('assets_nozomi_vantage', 'Nozomi Networks Vantage', 'Nozomi Networks', 'OT and IoT asset inventory from Nozomi Vantage.', [url(), credential(['basic', 'token'])]),
  p('assets_qualys_cloud', 'Qualys Cloud Platform (Assets)', 'Qualys', 'Host assets from the Qualys Cloud Platform.', [url(), credential(['basic'])]),
  p('assets_servicenow', 'ServiceNow CMDB', 'ServiceNow', 'Configuration items from the ServiceNow CMDB.', [url(), credential(['basic', 'o_auth_client'])]),
  p('assets_sevco', 'Sevco', 'Sevco Security', 'Unified asset inventory from Sevco.', [credential(['token']), req('org_id', 'string', 'Sevco organization id.')]),
  p('assets_tanium_cloud', 'Tanium Cloud (Assets)', 'Tanium', 'Endpoint inventory from Tanium Cloud.', [url(), credential(['token'])]),
  p('assets_claroty_xdome', 'Claroty xDome', 'Claroty', 'OT, IoT and medical device inventory from Claroty xDome.', [url(), credential(['token'])]),
  p('assets_sentinelone', 'SentinelOne Singularity (Assets)', 'SentinelOne', 'Agents and discovered devices from SentinelOne Singularity.', [url(), credential(['token'])]),
  p('assets_defender', 'Microsoft Defender for Endpoint (Assets)', 'Microsoft', 'Device inventory from Defender for Endpoint.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.')]),
  p('assets_jamf', 'Jamf Pro (Assets)', 'Jamf', 'Computer and mobile device inventory from Jamf Pro.', [url(), credential(['o_auth_client', 'basic'])]),
  p('assets_intune', 'Microsoft Intune (Assets)', 'Microsoft', 'Managed device inventory from Intune.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.')]),
  p('assets_runzero', 'runZero', 'runZero', 'Assets and services discovered by runZero.', [credential(['token']), url('runZero console URL.', false)]),
  p('assets_lansweeper', 'Lansweeper', 'Lansweeper', 'IT, OT and IoT asset inventory from Lansweeper.', [credential(['token']), req('site_id', 'string', 'Lansweeper site id.')]),
  p('assets_forescout', 'Forescout eyeSight', 'Forescout', 'Devices classified by Forescout eyeSight.', [url(), credential(['basic']), skipTls]),
  p('assets_tenable_cloud', 'Tenable Vulnerability Management (Assets)', 'Tenable', 'Assets from Tenable Vulnerability Management.', [credential(['token']), url('Tenable API URL.', false)]),
  p('assets_rapid7_insight_cloud', 'Rapid7 InsightVM (Assets)', 'Rapid7', 'Assets from Rapid7 InsightVM.', [url(), credential(['token'])]),
  p('assets_sophos', 'Sophos Central (Assets)', 'Sophos', 'Protected endpoints and servers from Sophos Central.', [credential(['o_auth_client']), url('Sophos Central API URL.', false)]),
  p('assets_wiz', 'Wiz (Assets)', 'Wiz', 'Cloud resource inventory from Wiz.', [url(), credential(['o_auth_client'])], { unsupported: ['create_asset'] }),
  p('assets_ivanti_neurons', 'Ivanti Neurons for Discovery', 'Ivanti', 'Device inventory from Ivanti Neurons.', [url(), credential(['o_auth_client'])]),
  p('assets_device42', 'Device42', 'Device42', 'Devices and configuration items from the Device42 CMDB.', [url(), credential(['basic'])]),
  p('assets_cisco_meraki', 'Cisco Meraki', 'Cisco', 'Network devices and clients from the Meraki Dashboard.', [credential(['token']), req('organization_id', 'string', 'Meraki organization id.')], { unsupported: ['create_asset', 'query_applications'] }),
  p('assets_bmc_helix', 'BMC Helix Discovery', 'BMC Software', 'Hosts and software discovered by BMC Helix Discovery.', [url(), credential(['token', 'basic'])]),
  // chat
  p('chat_slack', 'Slack (Chat)', 'Salesforce', 'Conversations and messages in Slack.', [credential(['token'])]),
  p('chat_teams', 'Microsoft Teams (Chat)', 'Microsoft', 'Conversations and messages in Microsoft Teams.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.')]),
  mock('chat_mock_chat', 'Synqly mock in-memory chat', 'In-memory chat provider for tests.'),
  // cloudsecurity
  p('cloudsecurity_crowdstrike', 'CrowdStrike Falcon Cloud Security', 'CrowdStrike', 'Cloud posture findings from CrowdStrike Falcon.', [url(), credential(['o_auth_client'])]),
  p('cloudsecurity_defender', 'Microsoft Defender for Cloud', 'Microsoft', 'Recommendations and alerts from Defender for Cloud.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.'), req('subscription_id', 'string', 'Azure subscription id.')]),
  p('cloudsecurity_wiz', 'Wiz', 'Wiz', 'Issues and cloud inventory from Wiz.', [url(), credential(['o_auth_client'])]),
  p('cloudsecurity_orca', 'Orca Security', 'Orca Security', 'Alerts, compliance findings and cloud inventory from Orca.', [url(), credential(['token'])]),
  p('cloudsecurity_prisma_cloud', 'Prisma Cloud', 'Palo Alto Networks', 'Posture alerts and cloud inventory from Prisma Cloud.', [url(), credential(['basic'])]),
  p('cloudsecurity_lacework', 'Lacework FortiCNAPP', 'Fortinet', 'Compliance findings and alerts from Lacework FortiCNAPP.', [url(), credential(['basic'])]),
  p('cloudsecurity_aws_security_hub', 'AWS Security Hub', 'Amazon Web Services', 'Findings aggregated by AWS Security Hub.', [credential(['aws', 'aws_role']), req('region', 'string', 'AWS region.')]),
  p('cloudsecurity_google_scc', 'Google Security Command Center', 'Google', 'Findings and assets from Security Command Center.', [credential(['secret']), req('organization_id', 'string', 'Google Cloud organization id.')]),
  p('cloudsecurity_sysdig', 'Sysdig Secure', 'Sysdig', 'Runtime threats and posture findings from Sysdig Secure.', [url(), credential(['token'])]),
  // custom
  p('custom_provider', 'Custom Provider', 'Synqly', 'A provider defined by a custom provider definition (customs API).', [req('custom_id', 'string', 'Id of the custom provider definition.'), credential(['token', 'basic', 'o_auth_client'], 'credential', false), url('Base URL of the target API.', false)], { availability: 'in-development' }),
  // edr
  p('edr_crowdstrike', 'CrowdStrike Falcon Insight EDR', 'CrowdStrike', 'Endpoints, alerts and containment in CrowdStrike Falcon Insight.', [url(), credential(['o_auth_client'])]),
  p('edr_defender', 'Microsoft Defender for Endpoint', 'Microsoft', 'Devices, alerts and isolation in Defender for Endpoint.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.'), url('Defender API URL.', false)]),
  p('edr_sentinelone', 'SentinelOne Singularity', 'SentinelOne', 'Agents, threats and network quarantine in SentinelOne.', [url(), credential(['token'])]),
  p('edr_sophos', 'Sophos Central', 'Sophos', 'Endpoints and alerts in Sophos Central.', [credential(['o_auth_client']), url('Sophos Central API URL.', false)]),
  p('edr_tanium', 'Tanium Threat Response', 'Tanium', 'Endpoints and alerts from Tanium Threat Response.', [url(), credential(['token'])]),
  p('edr_cybereason', 'Cybereason', 'Cybereason', 'Malops and sensors in Cybereason.', [url(), credential(['basic'])]),
  p('edr_cortex_xdr', 'Palo Alto Networks Cortex XDR', 'Palo Alto Networks', 'Endpoints, alerts and isolation in Cortex XDR.', [url(), credential(['token']), req('api_key_id', 'string', 'Cortex XDR API key id.')]),
  p('edr_carbon_black', 'Carbon Black Cloud', 'Broadcom', 'Devices, alerts and quarantine in Carbon Black Cloud.', [url(), credential(['token']), req('org_key', 'string', 'Carbon Black organization key.')]),
  p('edr_trellix', 'Trellix Endpoint Security (HX)', 'Trellix', 'Hosts, alerts and containment in Trellix HX.', [url(), credential(['basic']), skipTls]),
  p('edr_trend_vision_one', 'Trend Vision One', 'Trend Micro', 'Endpoints, workbench alerts and isolation in Trend Vision One.', [url(), credential(['token'])]),
  p('edr_harfanglab', 'HarfangLab EDR', 'HarfangLab', 'Agents, alerts and isolation in HarfangLab.', [url(), credential(['token'])]),
  p('edr_bitdefender', 'Bitdefender GravityZone', 'Bitdefender', 'Endpoints, incidents and isolation in GravityZone.', [url(), credential(['token'])]),
  // emailsecurity
  p('emailsecurity_abnormal_security', 'Abnormal Security', 'Abnormal Security', 'Email threats detected by Abnormal Security.', [credential(['token'])]),
  p('emailsecurity_mimecast', 'Mimecast', 'Mimecast', 'Email threats and remediation in Mimecast.', [credential(['o_auth_client'])]),
  p('emailsecurity_proofpoint', 'Proofpoint Targeted Attack Protection', 'Proofpoint', 'Threats in messages and clicks from Proofpoint TAP.', [credential(['basic']), url('TAP API URL.', false)]),
  p('emailsecurity_sublime', 'Sublime Security', 'Sublime Security', 'Flagged messages and remediation in Sublime.', [url(), credential(['token'])]),
  p('emailsecurity_defender', 'Microsoft Defender for Office 365', 'Microsoft', 'Email threats and remediation in Defender for Office 365.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.')]),
  // endpointmanagement
  p('endpointmanagement_intune', 'Microsoft Intune', 'Microsoft', 'Managed devices and apps in Intune.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.')]),
  p('endpointmanagement_jamf', 'Jamf Pro', 'Jamf', 'Managed Apple devices in Jamf Pro.', [url(), credential(['o_auth_client', 'basic'])]),
  p('endpointmanagement_kandji', 'Kandji', 'Kandji', 'Managed Apple devices and apps in Kandji.', [url(), credential(['token'])]),
  p('endpointmanagement_tanium', 'Tanium Cloud (Endpoint Management)', 'Tanium', 'Endpoints, software and patches in Tanium Cloud.', [url(), credential(['token'])]),
  // identity
  p('identity_entra_id', 'Microsoft Entra ID', 'Microsoft', 'Users, groups and sign-in audit logs in Entra ID.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.')]),
  p('identity_okta', 'Okta Identity', 'Okta', 'Users, groups and system log in Okta.', [url(), credential(['token', 'o_auth_client'])]),
  p('identity_pingone', 'PingOne', 'Ping Identity', 'Users and groups in PingOne.', [url(), credential(['o_auth_client']), req('environment_id', 'string', 'PingOne environment id.')]),
  p('identity_google_workspace', 'Google Workspace', 'Google', 'Users, groups and audit activity in Google Workspace.', [credential(['o_auth_client', 'secret']), opt('admin_email', 'string', 'Administrator to impersonate.')]),
  p('identity_cyberark', 'CyberArk Identity', 'CyberArk', 'Users, roles and audit events in CyberArk Identity.', [url(), credential(['o_auth_client'])]),
  p('identity_jumpcloud', 'JumpCloud', 'JumpCloud', 'Users, groups and Directory Insights events in JumpCloud.', [credential(['token']), opt('org_id', 'string', 'Organization id (multi-tenant administrators).')]),
  p('identity_duo', 'Cisco Duo', 'Cisco', 'Users, groups and authentication logs in Duo.', [url('Duo Admin API host URL.'), credential(['basic'])]),
  p('identity_onelogin', 'OneLogin', 'One Identity', 'Users, groups and events in OneLogin.', [url(), credential(['o_auth_client'])]),
  p('identity_auth0', 'Auth0', 'Okta', 'Users, roles and tenant logs in Auth0.', [url('Auth0 tenant domain URL.'), credential(['o_auth_client'])]),
  p('identity_sailpoint', 'SailPoint Identity Security Cloud', 'SailPoint', 'Identities, access profiles and audit events in SailPoint.', [url(), credential(['o_auth_client'])]),
  p('identity_ping_federate', 'PingFederate', 'Ping Identity', 'Users and audit events in PingFederate.', [url(), credential(['basic', 'o_auth_client']), skipTls]),
  p('identity_active_directory', 'Microsoft Active Directory', 'Microsoft', 'Users and groups in on-premises Active Directory over LDAPS.', [url('LDAPS URL of a domain controller.'), credential(['basic']), req('base_dn', 'string', 'Search base DN.'), skipTls], { unsupported: ['query_audit_log'] }),
  p('identity_aws_iam_identity_center', 'AWS IAM Identity Center', 'Amazon Web Services', 'Users and groups in IAM Identity Center.', [credential(['aws', 'aws_role']), req('identity_store_id', 'string', 'Identity store id.'), req('region', 'string', 'AWS region.')]),
  // incidentresponse
  p('incidentresponse_pagerduty', 'PagerDuty Incident Response', 'PagerDuty', 'Incidents in PagerDuty.', [credential(['token'])]),
  p('incidentresponse_rapid7_velociraptor', 'Rapid7 Velociraptor', 'Rapid7', 'Hunts and artifacts from Velociraptor.', [url(), credential(['tls_certificate'])]),
  // networksecurity
  p('networksecurity_palo_alto', 'Palo Alto Networks PAN-OS', 'Palo Alto Networks', 'Threat logs and address blocks on PAN-OS firewalls.', [url(), credential(['token', 'basic']), skipTls]),
  p('networksecurity_fortinet_fortigate', 'Fortinet FortiGate', 'Fortinet', 'Logs and address groups on FortiGate firewalls.', [url(), credential(['token']), skipTls]),
  p('networksecurity_zscaler', 'Zscaler Internet Access', 'Zscaler', 'Web and firewall alerts and URL block lists in Zscaler Internet Access.', [url(), credential(['o_auth_client'])]),
  // notifications
  p('notifications_slack', 'Slack', 'Salesforce', 'Messages to Slack channels.', [credential(['token', 'webhook_url']), opt('channel', 'string', 'Default channel.')]),
  p('notifications_teams', 'Microsoft Teams', 'Microsoft', 'Messages to Microsoft Teams channels.', [credential(['webhook_url'])]),
  p('notifications_jira', 'Atlassian Jira (Notifications)', 'Atlassian', 'Notifications as Jira issues.', [url(), credential(['basic', 'token']), req('project', 'string', 'Project key receiving the notifications.')]),
  p('notifications_pagerduty', 'PagerDuty (Notifications)', 'PagerDuty', 'Notifications as PagerDuty events.', [credential(['token'])]),
  mock('notifications_mock_notifications', 'Synqly mock in-memory notifications', 'In-memory notifications provider for tests.', [opt('channel', 'string', 'Channel name.')]),
  // siem
  p('siem_splunk', 'Splunk Enterprise Security', 'Splunk', 'Searches and notable events in Splunk; HEC for writes.', [
    req('search_service_url', 'url', 'Splunk search (management) API URL.'),
    credential(['token'], 'search_service_credential'),
    opt('hec_url', 'url', 'HTTP Event Collector URL.'),
    credential(['token'], 'hec_credential', false),
    opt('index', 'string', 'Default index.'),
    opt('source', 'string', 'Event source.'),
    opt('source_type', 'string', 'Event source type.'),
    skipTls,
  ]),
  p('siem_elasticsearch', 'Elasticsearch', 'Elastic', 'Events and alerts in Elasticsearch / Elastic Security.', [url(), credential(['basic', 'token', 'o_auth_client']), opt('index', 'string', 'Default index.'), skipTls]),
  p('siem_qradar', 'IBM QRadar', 'IBM', 'Offenses and events in QRadar.', [url(), credential(['token']), skipTls]),
  p('siem_rapid7_insightidr', 'Rapid7 InsightIDR', 'Rapid7', 'Investigations and log search in InsightIDR.', [url(), credential(['token'])]),
  p('siem_sentinel', 'Microsoft Sentinel', 'Microsoft', 'Incidents and Log Analytics queries in Microsoft Sentinel.', [
    credential(['o_auth_client']),
    req('tenant_id', 'string', 'Entra tenant id.'),
    req('subscription_id', 'string', 'Azure subscription id.'),
    req('resource_group', 'string', 'Resource group of the workspace.'),
    req('workspace', 'string', 'Log Analytics workspace name.'),
  ]),
  p('siem_sumo_logic', 'Sumo Logic', 'Sumo Logic', 'Log search and insights in Sumo Logic.', [url(), credential(['basic'])]),
  p('siem_google_chronicle', 'Google Security Operations', 'Google', 'UDM events and detections in Google SecOps (Chronicle).', [url(), credential(['secret']), req('customer_id', 'string', 'Chronicle customer id.')]),
  p('siem_crowdstrike', 'CrowdStrike Falcon Next-Gen SIEM', 'CrowdStrike', 'Events and detections in Falcon Next-Gen SIEM.', [url(), credential(['o_auth_client'])]),
  mock('siem_mock_siem', 'Synqly mock in-memory SIEM', 'In-memory SIEM provider for tests.', [opt('index', 'string', 'Index name.')]),
  p('siem_logrhythm', 'LogRhythm SIEM', 'Exabeam', 'Alarms, cases and log search in LogRhythm.', [url(), credential(['token']), skipTls]),
  p('siem_exabeam', 'Exabeam New-Scale Security Operations', 'Exabeam', 'Events and cases in Exabeam New-Scale.', [url(), credential(['o_auth_client'])]),
  p('siem_devo', 'Devo', 'Devo', 'Events and alerts in Devo.', [url(), credential(['token'])]),
  p('siem_datadog', 'Datadog Cloud SIEM', 'Datadog', 'Logs and security signals in Datadog Cloud SIEM.', [url('Datadog site API URL.'), credential(['token'], 'api_key_credential'), credential(['token'], 'application_key_credential')]),
  // sink
  p('sink_aws_security_lake', 'Amazon Security Lake', 'Amazon Web Services', 'OCSF events to Amazon Security Lake.', [credential(['aws', 'aws_role']), req('bucket', 'string', 'Custom source S3 bucket.'), req('region', 'string', 'AWS region.')]),
  p('sink_aws_sqs', 'Amazon SQS', 'Amazon Web Services', 'Events to an Amazon SQS queue.', [credential(['aws', 'aws_role']), req('url', 'url', 'Queue URL.'), req('region', 'string', 'AWS region.')]),
  p('sink_azure_monitor_logs', 'Azure Monitor Logs', 'Microsoft', 'Events to Azure Monitor Logs through a data collection rule.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.'), req('url', 'url', 'Data collection endpoint.'), req('rule_id', 'string', 'Data collection rule id.'), req('stream_name', 'string', 'Stream name.')]),
  p('sink_crowdstrike_hec', 'CrowdStrike Falcon LogScale HEC', 'CrowdStrike', 'Events to Falcon LogScale through HEC.', [url(), credential(['token'])]),
  p('sink_elasticsearch', 'Elasticsearch (Sink)', 'Elastic', 'Events to an Elasticsearch index.', [url(), credential(['basic', 'token']), req('index', 'string', 'Target index.')]),
  p('sink_splunk', 'Splunk HEC', 'Splunk', 'Events to Splunk through the HTTP Event Collector.', [req('hec_url', 'url', 'HTTP Event Collector URL.'), credential(['token'], 'hec_credential'), opt('index', 'string', 'Target index.'), skipTls]),
  mock('sink_mock_sink', 'Synqly mock in-memory Sink', 'In-memory sink provider for tests.', [opt('destination', 'string', 'Destination name.')]),
  p('sink_aws_s3', 'Amazon S3 (Sink)', 'Amazon Web Services', 'Events as objects in an Amazon S3 bucket.', [credential(['aws', 'aws_role']), req('bucket', 'string', 'Bucket name.'), req('region', 'string', 'AWS region.'), opt('prefix', 'string', 'Object key prefix.')]),
  p('sink_aws_firehose', 'Amazon Data Firehose', 'Amazon Web Services', 'Events to an Amazon Data Firehose stream.', [credential(['aws', 'aws_role']), req('stream_name', 'string', 'Firehose stream name.'), req('region', 'string', 'AWS region.')]),
  p('sink_azure_event_hub', 'Azure Event Hubs', 'Microsoft', 'Events to an Azure Event Hub.', [credential(['secret', 'o_auth_client']), req('url', 'url', 'Event Hubs namespace URL.'), req('event_hub', 'string', 'Event Hub name.')]),
  p('sink_azure_blob', 'Azure Blob Storage (Sink)', 'Microsoft', 'Events as blobs in an Azure Storage container.', [credential(['token', 'o_auth_client']), req('url', 'url', 'Storage account URL.'), req('container', 'string', 'Container name.')]),
  p('sink_google_secops', 'Google Security Operations (Sink)', 'Google', 'Events to Google SecOps through the ingestion API.', [credential(['secret']), req('customer_id', 'string', 'Google SecOps customer id.'), url('Ingestion API URL.', false)]),
  p('sink_google_pubsub', 'Google Cloud Pub/Sub', 'Google', 'Events to a Pub/Sub topic.', [credential(['secret']), req('project_id', 'string', 'Google Cloud project id.'), req('topic', 'string', 'Topic name.')]),
  p('sink_gcs', 'Google Cloud Storage (Sink)', 'Google', 'Events as objects in a Cloud Storage bucket.', [credential(['secret']), req('bucket', 'string', 'Bucket name.'), opt('prefix', 'string', 'Object name prefix.')]),
  p('sink_sumo_logic', 'Sumo Logic (Sink)', 'Sumo Logic', 'Events to a Sumo Logic hosted HTTP source.', [credential(['webhook_url'])]),
  p('sink_datadog', 'Datadog Logs', 'Datadog', 'Events to Datadog Log Management.', [url('Datadog logs intake URL.'), credential(['token']), opt('service', 'string', 'Service tag.')]),
  p('sink_kafka', 'Apache Kafka', 'Apache Software Foundation', 'Events to a Kafka topic.', [req('brokers', 'array', 'Bootstrap broker addresses.'), req('topic', 'string', 'Topic name.'), credential(['basic', 'tls_certificate'], 'credential', false)]),
  p('sink_opensearch', 'OpenSearch', 'OpenSearch Project', 'Events to an OpenSearch index.', [url(), credential(['basic', 'aws', 'aws_role']), req('index', 'string', 'Target index.'), skipTls]),
  p('sink_cribl', 'Cribl Stream', 'Cribl', 'Events to a Cribl Stream HTTP source.', [url(), credential(['token'])]),
  p('sink_qradar', 'IBM QRadar (Sink)', 'IBM', 'Events to QRadar through an HTTP receiver log source.', [url(), credential(['token'], 'credential', false), skipTls]),
  // storage
  p('storage_aws_s3', 'Amazon S3', 'Amazon Web Services', 'Files in an Amazon S3 bucket.', [credential(['aws', 'aws_role']), req('bucket', 'string', 'Bucket name.'), req('region', 'string', 'AWS region.')]),
  p('storage_azure_blob', 'Azure Blob Storage', 'Microsoft', 'Files in an Azure Blob Storage container.', [credential(['token', 'o_auth_client']), req('bucket', 'string', 'Container name.'), req('url', 'url', 'Storage account URL.')]),
  p('storage_gcs', 'Google Cloud Storage', 'Google', 'Files in a Google Cloud Storage bucket.', [credential(['secret']), req('bucket', 'string', 'Bucket name.'), req('region', 'string', 'Bucket location.')]),
  mock('storage_mock_storage', 'Synqly mock in-memory storage', 'In-memory storage provider for tests.', [req('bucket', 'string', 'Bucket name.')]),
  // ticketing
  p('ticketing_jira', 'Atlassian Jira', 'Atlassian', 'Issues, comments and attachments in Jira Cloud and Data Center.', [
    url('Jira site URL, e.g. https://acme.atlassian.net.'),
    credential(['basic', 'token']),
    opt('default_project', 'string', 'Project key used when a ticket names none.'),
    opt('default_issue_type', 'string', 'Issue type used when a ticket names none.'),
    opt('custom_field_mappings', 'array', 'Mappings of Jira custom fields.'),
  ]),
  p('ticketing_servicenow', 'ServiceNow ITSM', 'ServiceNow', 'Incidents and comments in ServiceNow ITSM.', [url(), credential(['basic', 'o_auth_client']), opt('custom_field_mappings', 'array', 'Mappings of custom fields.')]),
  p('ticketing_servicenow_sir', 'ServiceNow Security Incident Response', 'ServiceNow', 'Security incidents in ServiceNow SIR.', [url(), credential(['basic', 'o_auth_client'])]),
  p('ticketing_pagerduty', 'PagerDuty', 'PagerDuty', 'Incidents as tickets in PagerDuty.', [credential(['token'])]),
  p('ticketing_torq', 'Torq', 'Torq', 'Cases in Torq.', [credential(['o_auth_client'])]),
  p('ticketing_zendesk', 'Zendesk', 'Zendesk', 'Tickets and comments in Zendesk.', [url(), credential(['basic', 'token'])]),
  p('ticketing_freshdesk', 'Freshdesk', 'Freshworks', 'Tickets in Freshdesk.', [url(), credential(['token'])]),
  p('ticketing_autotask', 'Autotask PSA', 'Kaseya', 'Tickets in Autotask PSA.', [url(), credential(['basic']), req('integration_code', 'string', 'Autotask API integration code.')]),
  mock('ticketing_mock_ticketing', 'Synqly mock in-memory ticketing', 'In-memory ticketing provider for tests.', [opt('name', 'string', 'Name of the mock instance.'), opt('custom_field_mappings', 'array', 'Mappings of custom fields.')]),
  p('ticketing_freshservice', 'Freshservice', 'Freshworks', 'Tickets and conversations in Freshservice.', [url(), credential(['token'])]),
  p('ticketing_linear', 'Linear', 'Linear', 'Issues and comments in Linear.', [credential(['token', 'o_auth_client']), opt('default_team', 'string', 'Team key used when a ticket names none.')]),
  p('ticketing_github', 'GitHub Issues', 'GitHub', 'Issues and comments in GitHub repositories.', [credential(['token']), req('owner', 'string', 'Organization or user owning the repositories.'), url('GitHub API URL (GitHub Enterprise Server).', false)]),
  p('ticketing_gitlab', 'GitLab Issues', 'GitLab', 'Issues and notes in GitLab projects.', [credential(['token']), url('GitLab URL.', false)]),
  p('ticketing_azure_devops', 'Azure Boards', 'Microsoft', 'Work items and comments in Azure DevOps Boards.', [url('Organization URL, e.g. https://dev.azure.com/acme.'), credential(['token', 'o_auth_client'])]),
  p('ticketing_connectwise', 'ConnectWise PSA', 'ConnectWise', 'Service tickets and notes in ConnectWise PSA.', [url(), credential(['basic']), req('client_id', 'string', 'ConnectWise developer client id.')]),
  p('ticketing_jira_service_management', 'Jira Service Management', 'Atlassian', 'Requests and comments in Jira Service Management.', [url('Jira site URL.'), credential(['basic', 'token']), opt('service_desk_id', 'string', 'Service desk used when a ticket names none.')]),
  p('ticketing_halo_itsm', 'HaloITSM', 'Halo Service Solutions', 'Tickets and actions in HaloITSM.', [url(), credential(['o_auth_client'])]),
  p('ticketing_bmc_helix', 'BMC Helix ITSM', 'BMC Software', 'Incidents and work notes in BMC Helix ITSM.', [url(), credential(['basic', 'token'])]),
  // vulnerabilities
  p('vulnerabilities_tenable_cloud', 'Tenable Vulnerability Management', 'Tenable', 'Findings, assets and scans from Tenable Vulnerability Management.', [credential(['token']), url('Tenable API URL.', false)]),
  p('vulnerabilities_qualys_cloud', 'Qualys VMDR', 'Qualys', 'Detections and hosts from Qualys VMDR.', [url(), credential(['basic'])]),
  p('vulnerabilities_rapid7_insight_cloud', 'Rapid7 InsightVM', 'Rapid7', 'Vulnerabilities and assets from InsightVM.', [url(), credential(['token'])]),
  p('vulnerabilities_crowdstrike', 'CrowdStrike Falcon Spotlight', 'CrowdStrike', 'Vulnerabilities from Falcon Spotlight.', [url(), credential(['o_auth_client'])]),
  p('vulnerabilities_nucleus', 'Nucleus', 'Nucleus Security', 'Findings and assets aggregated by Nucleus.', [url(), credential(['token']), req('project_id', 'string', 'Nucleus project id.')]),
  p('vulnerabilities_tanium_cloud', 'Tanium Comply', 'Tanium', 'Vulnerability findings from Tanium Comply.', [url(), credential(['token'])]),
  p('vulnerabilities_tenable_security_center', 'Tenable Security Center', 'Tenable', 'Vulnerabilities, assets and scans from an on-premises Tenable Security Center.', [url(), credential(['token']), skipTls]),
  p('vulnerabilities_rapid7_nexpose', 'Rapid7 Nexpose', 'Rapid7', 'Vulnerabilities, assets and scans from an on-premises Nexpose console.', [url(), credential(['basic']), skipTls]),
  p('vulnerabilities_wiz', 'Wiz (Vulnerabilities)', 'Wiz', 'Vulnerability findings on cloud workloads from Wiz.', [url(), credential(['o_auth_client'])], { unsupported: ['query_scans'] }),
  p('vulnerabilities_defender', 'Microsoft Defender Vulnerability Management', 'Microsoft', 'Software vulnerabilities and machines from Defender Vulnerability Management.', [credential(['o_auth_client']), req('tenant_id', 'string', 'Entra tenant id.')], { unsupported: ['query_scans'] }),
  p('vulnerabilities_orca', 'Orca Security (Vulnerabilities)', 'Orca Security', 'Vulnerabilities on cloud assets from Orca.', [url(), credential(['token'])], { unsupported: ['query_scans'] }),
  p('vulnerabilities_sentinelone', 'SentinelOne Singularity Vulnerability Management', 'SentinelOne', 'Application vulnerabilities on agents from SentinelOne.', [url(), credential(['token'])], { unsupported: ['query_scans'] }),
  p('vulnerabilities_servicenow_vr', 'ServiceNow Vulnerability Response', 'ServiceNow', 'Vulnerable items and configuration items from ServiceNow Vulnerability Response.', [url(), credential(['basic', 'o_auth_client'])]),
  p('vulnerabilities_armis_centrix', 'Armis Centrix for VIPR', 'Armis', 'Vulnerabilities on devices from Armis Centrix.', [url(), credential(['token'])], { unsupported: ['query_scans'] }),
  p('vulnerabilities_aws_inspector', 'Amazon Inspector', 'Amazon Web Services', 'Findings on EC2, ECR and Lambda from Amazon Inspector.', [credential(['aws', 'aws_role']), req('region', 'string', 'AWS region.')], { unsupported: ['query_scans'] }),
  p('vulnerabilities_prisma_cloud', 'Prisma Cloud (Vulnerabilities)', 'Palo Alto Networks', 'Host and image vulnerabilities from Prisma Cloud.', [url(), credential(['basic'])]),
  p('vulnerabilities_greenbone', 'Greenbone OpenVAS', 'Greenbone', 'Results, hosts and scan tasks from Greenbone OpenVAS.', [url(), credential(['basic']), skipTls]),
  p('vulnerabilities_cisco_vm', 'Cisco Vulnerability Management', 'Cisco', 'Risk-scored vulnerabilities and assets from Cisco Vulnerability Management (formerly Kenna).', [url(), credential(['token'])]),
  p('vulnerabilities_brinqa', 'Brinqa', 'Brinqa', 'Findings and assets aggregated by Brinqa.', [url(), credential(['basic', 'token'])]),
  p('vulnerabilities_ivanti_rbvm', 'Ivanti Neurons for RBVM', 'Ivanti', 'Risk-based findings and assets from Ivanti Neurons for RBVM.', [url(), credential(['token']), req('client_id', 'string', 'Ivanti client id.')]),
  p('vulnerabilities_edgescan', 'Edgescan', 'Edgescan', 'Vulnerabilities, assets and assessments from Edgescan.', [url(), credential(['token'])]),
];

export const CONNECTOR_BY_ID = new Map(CONNECTORS.map((c) => [c.id, c]));
export const PROVIDER_BY_ID = new Map(PROVIDERS.map((pr) => [pr.id, pr]));

/** the connector of a provider id: its prefix before the first `_` */
export function connectorOf(providerId: string): string | undefined {
  const prefix = providerId.split('_')[0] ?? '';
  return CONNECTOR_BY_ID.has(prefix) ? prefix : undefined;
}
