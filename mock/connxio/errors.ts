import type { ApiError, ValidationIssue } from '../core/errors.ts';
import type { BodyErrorMarkers, RenderedError, RequestInfo } from '../core/pipeline.ts';
import type { Random } from '../core/random.ts';

/**
 * The Connxio error envelope: RFC 7807 ProblemDetails as ASP.NET emits it (type, title, status,
 * traceId; `errors: {Field: [messages]}` for validation), as application/problem+json.
 * The OAuth token endpoint answers in RFC 6749's `{error, error_description}` instead.
 */

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
  401: 'https://tools.ietf.org/html/rfc9110#section-15.5.2',
  403: 'https://tools.ietf.org/html/rfc9110#section-15.5.4',
  404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
  405: 'https://tools.ietf.org/html/rfc9110#section-15.5.6',
  409: 'https://tools.ietf.org/html/rfc9110#section-15.5.10',
  412: 'https://tools.ietf.org/html/rfc9110#section-15.5.13',
  413: 'https://tools.ietf.org/html/rfc9110#section-15.5.14',
  415: 'https://tools.ietf.org/html/rfc9110#section-15.5.16',
  429: 'https://tools.ietf.org/html/rfc6585#section-4',
  500: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
  501: 'https://tools.ietf.org/html/rfc9110#section-15.6.2',
  502: 'https://tools.ietf.org/html/rfc9110#section-15.6.3',
  503: 'https://tools.ietf.org/html/rfc9110#section-15.6.4',
};

export const VALIDATION_TITLE = 'One or more validation errors occurred.';

/** ASP.NET's model-state error for an empty body where [FromBody] needs one (key "") */
export const MISSING_BODY_MESSAGE = 'A non-empty request body is required.';

export function traceId(random: Random): string {
  return `00-${random.bytes(16).toString('hex')}-${random.bytes(8).toString('hex')}-00`;
}

/** JSON Pointer `/subIntegrations/0/subIntegrationId` → ASP.NET's `SubIntegrations[0].SubIntegrationId` */
export function aspNetFieldName(issue: ValidationIssue): string {
  if (issue.location !== 'body') return issue.pointer;
  if (!issue.pointer) return '$';
  let out = '';
  for (const part of issue.pointer.split('/').slice(1)) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += (out ? '.' : '') + part.charAt(0).toUpperCase() + part.slice(1);
  }
  return out;
}

/**
 * System.Text.Json's path of a body value, as ASP.NET keys a conversion error: `$.subIntegrations[0].subIntegrationId`
 * (property names as sent; a name holding one of System.Text.Json's special characters as `['na.me']`).
 */
export function jsonPath(pointer: string): string {
  let out = '$';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/[.\s'"/[\]()\\\u0085\u2028\u2029\b\f]/.test(part)) out += `['${part}']`;
    else out += `.${part}`;
  }
  return out;
}

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);

/** the .NET type a schema stands for, as System.Text.Json names it in a conversion error */
function dotNetType(schema: unknown, depth = 0): string {
  if (!isSchema(schema) || depth > 4) return 'System.Object';
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== 'null');
  const format = typeof schema.format === 'string' ? schema.format : undefined;
  const nullable = schema.nullable === true || types.includes('null');
  const valueType = (name: string) => (nullable ? `System.Nullable\`1[${name}]` : name);
  if (format === 'uuid') return valueType('System.Guid');
  if (format === 'date-time') return valueType('System.DateTime');
  if (format === 'byte') return 'System.Byte[]';
  switch (type) {
    case 'string':
      return 'System.String';
    case 'integer':
      return valueType(format === 'int64' ? 'System.Int64' : 'System.Int32');
    case 'number':
      return valueType(format === 'float' ? 'System.Single' : 'System.Double');
    case 'boolean':
      return valueType('System.Boolean');
    case 'array':
      return `System.Collections.Generic.List\`1[${dotNetType(schema.items, depth + 1)}]`;
    case 'object':
      // a map (subscriptionId → value) is a Dictionary; a model class's own name is not in the spec
      if (isSchema(schema.additionalProperties) && !isSchema(schema.properties)) {
        return `System.Collections.Generic.Dictionary\`2[System.String,${dotNetType(schema.additionalProperties, depth + 1)}]`;
      }
      return 'System.Object';
    default:
      return 'System.Object';
  }
}

/** formats whose violation System.Text.Json reports as a failed conversion (the value never reaches DataAnnotations) */
const CONVERTED_FORMATS = new Set(['uuid', 'date-time', 'byte', 'int32', 'int64', 'float', 'double']);

/**
 * Is the issue one System.Text.Json raises while reading the body (a JSON value of the wrong
 * kind for the property's .NET type, or a string that is no Guid / DateTime / base64), rather
 * than a DataAnnotations rule checked afterwards? `null` for a string, object or array property
 * reads fine (reference types); [Required] then speaks instead.
 */
function isConversionFailure(issue: ValidationIssue): boolean {
  const rule = issue.rule;
  if (!rule) return false;
  if (rule.keyword === 'format') return CONVERTED_FORMATS.has(String(rule.params.format));
  if (rule.keyword !== 'type') return false;
  return rule.dataKind !== 'null' || isValueType(rule.schema);
}

/** a Guid, DateTime, number or bool: null does not convert to it (strings, byte[], lists, maps and classes take null) */
function isValueType(schema: unknown): boolean {
  if (!isSchema(schema)) return false;
  if (schema.format === 'uuid' || schema.format === 'date-time') return true;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.some((t) => t === 'integer' || t === 'number' || t === 'boolean');
}

/** DataAnnotations' display name: the property's own name (`SubIntegrations[0].SubIntegrationId` → `SubIntegrationId`) */
function displayName(field: string): string {
  return field.split('.').pop()!.replace(/(\[[^\]]*\])+$/, '') || field;
}

function range(schema: unknown, params: Record<string, unknown>, keyword: string): [string, string] {
  const s = isSchema(schema) ? schema : {};
  const integer = s.type === 'integer';
  const low = typeof s.minimum === 'number' ? s.minimum : keyword === 'minimum' ? params.limit : undefined;
  const high = typeof s.maximum === 'number' ? s.maximum : keyword === 'maximum' ? params.limit : undefined;
  // [Range] always has both bounds; an open side is the type's own limit
  const min = low !== undefined ? String(low) : integer ? (s.format === 'int64' ? '-9223372036854775808' : '-2147483648') : '-1.7976931348623157E+308';
  const max = high !== undefined ? String(high) : integer ? (s.format === 'int64' ? '9223372036854775807' : '2147483647') : '1.7976931348623157E+308';
  return [min, max];
}

/**
 * One schema issue in ASP.NET's words: DataAnnotations' messages for the rules Swashbuckle
 * writes into a vendor schema ([Required] → `required` and a string's `minLength: 1`,
 * [MinLength]/[MaxLength], [RegularExpression], [Range]); model binding's "The value '…' is not
 * valid for …" for a query or path value of the wrong type; the twin's own wording for what
 * ASP.NET has no rule for.
 */
function aspNetMessage(issue: ValidationIssue, field: string): string {
  const name = displayName(field);
  const required = `The ${name} field is required.`;
  const rule = issue.rule;
  if (!rule) return issue.message === 'is required' ? required : `The field ${field} ${issue.message}.`;
  const { keyword, params } = rule;
  const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  switch (keyword) {
    case 'required':
      return required;
    case 'minLength':
      // [Required] (no empty strings) is what Swashbuckle writes as minLength: 1
      if (params.limit === 1 && issue.value === '') return required;
      return `The field ${name} must be a string or array type with a minimum length of '${String(params.limit)}'.`;
    case 'minItems':
      return `The field ${name} must be a string or array type with a minimum length of '${String(params.limit)}'.`;
    case 'maxLength':
    case 'maxItems':
      return `The field ${name} must be a string or array type with a maximum length of '${String(params.limit)}'.`;
    case 'pattern':
      return `The field ${name} must match the regular expression '${String(params.pattern)}'.`;
    case 'minimum':
    case 'maximum': {
      const [min, max] = range(rule.schema, params, keyword);
      return `The field ${name} must be between ${min} and ${max}.`;
    }
    case 'type':
      if (rule.dataKind === 'null' && !isValueType(rule.schema)) return required;
      return `The value '${shown(issue.value ?? '')}' is not valid for ${name}.`;
    case 'format':
    case 'enum':
      return `The value '${shown(issue.value ?? '')}' is not valid for ${name}.`;
    case 'additionalProperties':
      return `The field ${field} ${issue.message}.`;
    default:
      return `The field ${name} is invalid.`;
  }
}

/**
 * A body value System.Text.Json could not convert, as ASP.NET reports it: keyed by the JSON path,
 * "The JSON value could not be converted to System.Guid. Path: $.configCorrelationId | LineNumber: 0 | BytePositionInLine: 0."
 * The twin validates the parsed body and keeps no token positions, so LineNumber and
 * BytePositionInLine are always 0 (the vendor gives the position after the offending token).
 */
function conversionError(issue: ValidationIssue): [string, string] {
  const path = jsonPath(issue.pointer);
  return [path, `The JSON value could not be converted to ${dotNetType(issue.rule?.schema)}. Path: ${path} | LineNumber: 0 | BytePositionInLine: 0.`];
}

/**
 * An error in the vendor's envelope: RFC 6749 `{error, error_description}` for an OAuth error or
 * any error of the operations in `oauthOperations` (declared by the oauth family), else ProblemDetails.
 */
export function renderConnxioProblem(err: ApiError, request: RequestInfo & { operationId?: string }, random: Random, oauthOperations: ReadonlySet<string> = new Set()): RenderedError {
  const headers: Record<string, string> = { ...err.details.headers };
  const oauthError = err.details.extra?.oauthError;
  if (typeof oauthError === 'string' || (request.operationId !== undefined && oauthOperations.has(request.operationId))) {
    return {
      status: err.status,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: { error: typeof oauthError === 'string' ? oauthError : err.status === 401 ? 'invalid_client' : 'invalid_request', error_description: err.message },
    };
  }
  const errors = modelStateErrors(err, request);
  const body: Record<string, unknown> = {
    type: TYPE_BY_STATUS[err.status] ?? 'about:blank',
    // model-state errors (schema issues, an unreadable or missing body, or business rules in `extra.errors`) are ASP.NET ValidationProblemDetails
    title: errors ? VALIDATION_TITLE : err.title,
    status: err.status,
  };
  // schema issues speak for themselves; other errors (business rules, an unreadable body) keep the twin's explanation too
  if (!err.details.issues) body.detail = err.message;
  if (errors) body.errors = errors;
  body.traceId = traceId(random);
  if (err.status === 401 && !headers['WWW-Authenticate']) headers['WWW-Authenticate'] = 'ApiKey';
  return { status: err.status, headers: { ...headers, 'content-type': 'application/problem+json; charset=utf-8' }, body };
}

/**
 * The ValidationProblemDetails `errors` of an error, or undefined when it is not a model-state
 * error. A body the pipeline could not read (`extra.unreadableBody`: not UTF-8, not JSON) is
 * System.Text.Json's failure, reported under `$` with the parser's message; a required body that
 * was not sent (`extra.missingBody`) is `{"": ["A non-empty request body is required."]}`; schema
 * issues are grouped by ASP.NET field name; business rules bring their own `extra.errors`.
 */
function modelStateErrors(err: ApiError, request: RequestInfo): Record<string, string[]> | undefined {
  const markers = (err.details.extra ?? {}) as BodyErrorMarkers; // what the body reader marks on its errors
  if (typeof markers.unreadableBody === 'string') return { $: [markers.unreadableBody] };
  const issues = err.details.issues;
  if (issues && issues.length > 0) {
    // System.Text.Json stops at the first body value it cannot convert: ASP.NET then reports that
    // one error for the body and runs no DataAnnotations on it (the model is null); query and path
    // parameters are bound on their own. XML bodies are read by another serializer and are worded
    // like the rest. The first is the first in schema order (the twin keeps no document positions).
    const json = !/xml/i.test(String(request.headers['content-type'] ?? ''));
    const conversion = json ? issues.find((i) => i.location === 'body' && isConversionFailure(i)) : undefined;
    const grouped: Record<string, string[]> = {};
    if (conversion) {
      const [key, message] = conversionError(conversion);
      grouped[key] = [message];
    }
    for (const issue of issues) {
      if (conversion && issue.location === 'body') continue;
      // [RegularExpression] holds an empty string valid: beside [Required]'s message for that value it says nothing
      if (issue.rule?.keyword === 'pattern' && issue.value === '' && issues.some((i) => i !== issue && i.location === issue.location && i.pointer === issue.pointer && i.rule?.keyword === 'minLength')) continue;
      if (markers.missingBody && issue.location === 'body' && issue.pointer === '') {
        (grouped[''] ??= []).push(MISSING_BODY_MESSAGE);
        continue;
      }
      const field = aspNetFieldName(issue);
      (grouped[field] ??= []).push(aspNetMessage(issue, field));
    }
    return grouped;
  }
  if (issues) return {};
  const extra = err.details.extra?.errors;
  // the models put their ModelState errors (member → messages) here
  return extra && typeof extra === 'object' ? (extra as Record<string, string[]>) : undefined;
}
