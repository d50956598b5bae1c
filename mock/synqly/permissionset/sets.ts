import permissionSetData from './permission-sets.json' with { type: 'json' };
import { keysOf } from '../../core/narrow.ts';

/**
 * The 8 built-in permission sets as data (permission-sets.json; DECISIONS "permission sets"): the ApiPermissionMap each
 * one grants, served by permissionset_list/get and enforced on every Management operation through
 * `permits(set, action)`. Actions are written `area.action`, as in the spec's `x-synqly-permission`.
 */

export type PermissionSetName =
  | 'administrator'
  | 'viewer'
  | 'member'
  | 'account-manager'
  | 'connect-ui'
  | 'token-issuer'
  | 'mcp-integrations-use-only'
  | 'mcp-management';

/** `{ area: { actions: [...] } }`; `*` = every action of the area; `all.read` = every list/get */
export type ApiPermissionMap = Record<string, { actions: string[] }>;

export interface PermissionSetDefinition {
  name: PermissionSetName;
  description: string;
  /** resource kinds a role with this set may be restricted by */
  resource_restrictions: Array<'accounts' | 'integrations'>;
  permissions: ApiPermissionMap;
}

const CRUD = ['list', 'create', 'get', 'update', 'patch', 'delete'];

/** the data: permission-sets.json in this folder */
export const PERMISSION_SETS = Object.fromEntries(
  // the JSON module's inferred type has plain strings where the definition has its literal unions
  (permissionSetData.sets as unknown as PermissionSetDefinition[]).map((set) => [set.name, Object.freeze(set)]),
) as Record<PermissionSetName, PermissionSetDefinition>;

export const PERMISSION_SET_NAMES: PermissionSetName[] = keysOf(PERMISSION_SETS);

/** actions that `all.read` grants: every list/get-like action */
export const READ_ACTIONS = new Set(['list', 'get', 'list_account', 'list_history', 'list_events', 'timeseries', 'integration_timeseries', 'status', 'lookup']);

export function isPermissionSetName(name: string): name is PermissionSetName {
  return Object.prototype.hasOwnProperty.call(PERMISSION_SETS, name);
}

/** whether the named set grants `action` (`area.action`); unknown sets grant nothing */
export function permits(setName: string, action: string): boolean {
  if (!isPermissionSetName(setName)) return false;
  const map = PERMISSION_SETS[setName].permissions;
  const dot = action.indexOf('.');
  const area = action.slice(0, dot);
  const verb = action.slice(dot + 1);
  const all = map.all?.actions ?? [];
  if (all.includes('*')) return true;
  if (all.includes('read') && READ_ACTIONS.has(verb)) return true;
  const entry = map[area]?.actions ?? [];
  return entry.includes('*') || entry.includes(verb);
}

/** every action of the ApiPermissionMap (contract §2.11), `area.action` */
export const ALL_ACTIONS: readonly string[] = Object.entries({
  accounts: CRUD,
  alarms: ['list', 'get', 'mode', 'priority', 'clear'],
  alarm_policies: ['get', 'update', 'patch'],
  audit: ['list'],
  auth: ['logon', 'change_password', 'logoff'],
  billing: ['list', 'get'],
  bridges: [...CRUD, 'status'],
  credentials: [...CRUD, 'lookup'],
  customs: CRUD,
  integrations: [...CRUD, 'list_account', 'verify'],
  integration_points: CRUD,
  operations: ['list', 'list_history'],
  mappings: [...CRUD, 'apply'],
  members: CRUD,
  organizations: ['get', 'update', 'patch'],
  permission_set: ['list', 'get'],
  roles: CRUD,
  status: ['list', 'get', 'reset', 'list_events', 'timeseries', 'integration_timeseries'],
  suborgs: ['list', 'create', 'get', 'delete'],
  tokens: ['list', 'create', 'create_integration', 'create_synqly_integrations', 'delete', 'get', 'reset', 'rotate', 'refresh', 'remove_secondary'],
  transforms: CRUD,
  webhooks: CRUD,
  idp: ['get', 'create', 'update', 'delete'],
}).flatMap(([area, verbs]) => verbs.map((v) => `${area}.${v}`));
