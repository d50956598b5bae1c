import { inject } from 'vitest';

/**
 * setupFiles of the Prism target: points the live target's base URLs at the Prism mocks before a
 * scenario file builds its target (conformance/target.ts reads them from the environment).
 */
const urls = inject('apitwinPrismUrls');
process.env.SYNQLY_BASE_URL = urls.synqly;
process.env.CONNXIO_BASE_URL = urls.connxio;
