import type { X2jOptions } from 'fast-xml-parser';
import { errors, type ApiError } from '../core/errors.ts';
import { lazyDependency } from '../core/lazy-dependency.ts';

/**
 * What every Connxio XML body reader shares (the messaging batches and the management bodies): a
 * well-formedness check and the parser's entity handling, as .NET's XmlReader behaves by default
 * (DtdProcessing.Prohibit: no DTD, so only the five predefined entities and character references).
 * Failures are `XmlSyntaxError`s; every reader answers a body it cannot read with `unreadableXml`.
 */

/** fast-xml-parser, loaded when the first XML body arrives (a start never loads it) */
export const fastXmlParser = lazyDependency<typeof import('fast-xml-parser')>('fast-xml-parser');

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 Char production */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** the five predefined entities and character references; anything else is undefined without a DTD */
function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g, (_, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!isXmlChar(code)) throw new XmlSyntaxError(`&${ref}; is not a character XML allows`);
      return String.fromCodePoint(code);
    }
    if (!Object.hasOwn(XML_ENTITIES, ref)) throw new XmlSyntaxError(`the entity &${ref}; is not defined`);
    return XML_ENTITIES[ref]!;
  });
}

/** fast-xml-parser options every reader uses: entities as above, declarations and processing instructions skipped */
const SAFE_XML_OPTIONS: Partial<X2jOptions> = {
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder: {
    setExternalEntities: () => undefined,
    addInputEntities: () => {
      throw new XmlSyntaxError('DTDs are not allowed');
    },
    reset: () => undefined,
    decode: decodeXmlEntities,
    setXmlVersion: () => undefined,
  },
};

/**
 * How both DataContract readers (management bodies, messaging bodies) parse: attributes kept (for
 * `i:nil`), namespace prefixes dropped, every value a string as sent (DataContract neither trims
 * nor guesses types; the reader converts by the schema), and the safe options above.
 */
export const DATACONTRACT_XML_OPTIONS: Partial<X2jOptions> = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ...SAFE_XML_OPTIONS,
};

/** throws an XmlSyntaxError unless `text` is one well-formed XML document without a DTD */
export function checkWellFormedXml(text: string): void {
  if (/<!DOCTYPE/i.test(text)) throw new XmlSyntaxError('DTDs are not allowed');
  const valid = fastXmlParser().XMLValidator.validate(text);
  if (valid === true) return;
  const { msg, line, col } = valid.err;
  throw new XmlSyntaxError(line === undefined ? msg : `${msg} (line ${line}${col === undefined ? '' : `, column ${col}`})`);
}

/** ASP.NET's model-state message (key "") when its XML input formatter cannot read the body */
export const XML_UNREADABLE_MESSAGE = 'An error occurred while deserializing input data.';

/**
 * The 400 of every typed XML body the reader cannot deserialize (malformed, a DTD, another root
 * element, a repeated member…): ASP.NET's ValidationProblemDetails `{"": [XML_UNREADABLE_MESSAGE]}`,
 * with the reason in `detail`.
 */
export function unreadableXml(reason: string): ApiError {
  // the parser quotes what it read (a tag name may be the whole body): keep the detail short
  const detail = reason.length > 300 ? `${reason.slice(0, 300)}…` : reason;
  return errors.badRequest(`request body is not a readable XML document: ${detail}`, {
    parameter: { id: '', location: 'body' },
    extra: { errors: { '': [XML_UNREADABLE_MESSAGE] } },
  });
}
