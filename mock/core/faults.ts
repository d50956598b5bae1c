import type { Random } from './random.ts';

/**
 * Fault rules set through the control API and consumed by the pipeline before auth. A closed list
 * of actions, each matched by vendor and (optionally) operationId, optionally only `times` times.
 */

export type FaultAction =
  | { type: 'status'; status: number; message?: string }
  | { type: 'throttle'; retryAfterSeconds: number }
  | { type: 'delay'; ms: number }
  | { type: 'uniform-delay'; minMs: number; maxMs: number }
  | { type: 'connection-reset' }
  | { type: 'empty-response' };

export type FaultVendor = 'synqly' | 'connxio' | 'custom';

export interface FaultRule {
  id: string;
  vendor: FaultVendor;
  /** omitted = every operation of the vendor */
  operationId?: string;
  action: FaultAction;
  /** how many more requests the rule applies to; omitted = until cleared */
  times?: number;
  matched: number;
}

export interface FaultRules {
  add(rule: Omit<FaultRule, 'id' | 'matched'>): FaultRule;
  list(): FaultRule[];
  remove(id: string): boolean;
  clear(): void;
  /** the rule that applies to this request, consuming one of its `times` */
  take(vendor: FaultVendor, operationId: string): FaultRule | undefined;
}

export function createFaultRules(random: Random): FaultRules {
  let rules: FaultRule[] = [];
  return {
    add(rule) {
      const added: FaultRule = { ...rule, id: random.uuid(), matched: 0 };
      rules.push(added);
      return added;
    },
    list: () => rules.map((r) => ({ ...r })),
    remove(id) {
      const before = rules.length;
      rules = rules.filter((r) => r.id !== id);
      return rules.length < before;
    },
    clear() {
      rules = [];
    },
    take(vendor, operationId) {
      if (rules.length === 0) return undefined;
      const rule = rules.find((r) => r.vendor === vendor && (r.operationId === undefined || r.operationId === operationId));
      if (!rule) return undefined;
      rule.matched++;
      if (rule.times !== undefined) {
        rule.times--;
        if (rule.times <= 0) rules = rules.filter((r) => r !== rule);
      }
      return rule;
    },
  };
}

export function delayFor(action: FaultAction, random: Random): number {
  if (action.type === 'delay') return action.ms;
  if (action.type === 'uniform-delay') return action.minMs + random.int(Math.max(1, action.maxMs - action.minMs + 1));
  return 0;
}
