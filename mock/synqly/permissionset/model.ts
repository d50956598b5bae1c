import { errors } from '../../core/errors.ts';
import { ALL_ACTIONS, PERMISSION_SET_NAMES, PERMISSION_SETS, isPermissionSetName, permits, type PermissionSetDefinition } from './sets.ts';

/** permissionset_list / permissionset_get over the built-in sets (sets.ts), and the action catalogue. */

/** The API shape of a PermissionSet (contract §2.11); an empty `resource_restrictions` is omitted. */
export function permissionSetView(set: PermissionSetDefinition) {
  return {
    name: set.name,
    description: set.description,
    ...(set.resource_restrictions.length > 0 ? { resource_restrictions: [...set.resource_restrictions] } : {}),
    permissions: structuredClone(set.permissions),
  };
}

export function listPermissionSets() {
  return PERMISSION_SET_NAMES.map((name) => permissionSetView(PERMISSION_SETS[name]));
}

export function getPermissionSet(name: string) {
  if (!isPermissionSetName(name)) {
    throw errors.notFound(`permission set ${name} not found; the sets are ${PERMISSION_SET_NAMES.join(', ')}`, {
      parameter: { id: 'permissionsetId', location: 'path', value: name },
    });
  }
  return permissionSetView(PERMISSION_SETS[name]);
}

/** every action (`area.action`, as in the spec's `x-synqly-permission`) the named set grants; [] for an unknown set */
export function allowedActions(setName: string): string[] {
  return ALL_ACTIONS.filter((action) => permits(setName, action));
}

export { permits };
