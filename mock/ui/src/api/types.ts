/**
 * Shapes of what the dashboard reads and sends: the types generated from specs/admin.yaml and the
 * vendor specs (mock/generated/, written by the build), under the names the pages use.
 */
import type { components as AdminComponents } from '../../../generated/admin.ts';
import type { components as SynqlyComponents } from '../../../generated/synqly.ts';
import type { components as ConnxioComponents } from '../../../generated/connxio.ts';

type Admin = AdminComponents['schemas'];
type Synqly = SynqlyComponents['schemas'];
type Connxio = ConnxioComponents['schemas'];

export type Vendor = Admin['Vendor'];
export type Listeners = Admin['Listeners'];
export type ListenerName = Listeners['current'];

export type Tenant = Admin['Tenant'];
export type SynqlyCredentials = Admin['SynqlyCredentials'];
export type ConnxioCredentials = Admin['ConnxioCredentials'];
export type TenantWithCredentials = Admin['TenantWithCredentials'];

export type Clock = Admin['Clock'];

export type FaultAction = Admin['FaultAction'];
export type FaultRequest = Admin['FaultRequest'];
export type FaultRule = Admin['FaultRule'];

export type JournalEntry = Admin['JournalEntry'];

export type StubPredicate = Admin['StubValuePredicate'];
export type StubInput = Admin['StubInput'];
export type Stub = Admin['Stub'];

export type DeliveredMessage = Admin['DeliveredMessage'];
export type WebhookDelivery = Admin['SynqlyWebhookDelivery'];

export type ApiKey = Admin['ConnxioApiKey'];
export type ApiKeyWithValue = Admin['ConnxioApiKeyWithValue'];
export type CustomApiRoute = Admin['CustomApiRoute'];
export type CustomApi = Admin['CustomApi'];
export type CustomApiWithKey = Admin['CustomApiWithKey'];

// ---- Synqly (specs/synqly-management.yaml)

export type SynqlyOrganization = Synqly['Organization'];
export type SynqlyAccount = Synqly['Account'];
export type SynqlyIntegration = Synqly['Integration'];
export type SynqlyRefreshToken = Synqly['RefreshToken'];
export type SynqlyMember = Synqly['Member'];
export type SynqlyRole = Synqly['RoleDefinition'];
export type SynqlyPermissionSet = Synqly['PermissionSet'];

// ---- Connxio (specs/connxio.yaml)

// The vendor's types make every member optional and nullable; what the twin returns always has
// the id (and a subscription its name) that the pages key their rows and options on.
export type ConnxioSubscription = Connxio['ConnXioSubscription'] & { id: string; name: string };
export type ConnxioIntegration = Connxio['IntegrationConfig'] & { id: string };
