import type { HttpRequest } from '@azure/functions';
import { HttpError } from './problem.js';

/** Largest request body accepted: well under Table Storage's 64 KiB per property, and plenty for a resource. */
export const MAX_BODY_BYTES = 16 * 1024;

interface MediaRange {
  type: string;
  subtype: string;
  quality: number;
}

/** `Accept: text/csv;q=0.9, application/*` → media ranges (malformed entries are skipped, as RFC 9110 allows). */
export function parseAccept(header: string): MediaRange[] {
  return header.split(',').flatMap((entry) => {
    const [range = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const [type, subtype] = range.split('/');
    if (!type || !subtype) return [];
    const q = params.find((param) => param.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return Number.isFinite(quality) ? [{ type, subtype, quality }] : [];
  });
}

/**
 * Picks the representation to send: the offered type the caller rates highest (most specific range wins,
 * ties go to the server's order), the first offered when there is no `Accept`, 406 when none is acceptable.
 */
export function negotiate(request: HttpRequest, offered: readonly string[]): string {
  const header = request.headers.get('accept');
  if (header === null || header.trim() === '') return offered[0]!;
  const ranges = parseAccept(header);
  let best: { mediaType: string; quality: number } | undefined;
  for (const mediaType of offered) {
    const [type, subtype] = mediaType.split('/');
    const matching = ranges
      .filter((range) => (range.type === '*' || range.type === type) && (range.subtype === '*' || range.subtype === subtype))
      .sort((a, b) => specificity(b) - specificity(a));
    const quality = matching[0]?.quality ?? 0;
    if (quality > 0 && (best === undefined || quality > best.quality)) best = { mediaType, quality };
  }
  if (best === undefined) throw new HttpError(406, `This resource is available as ${offered.join(', ')}.`);
  return best.mediaType;
}

function specificity(range: MediaRange): number {
  return (range.type === '*' ? 0 : 1) + (range.subtype === '*' ? 0 : 1);
}

/**
 * 415 for a compressed body (RFC 9110 §15.5.16), naming in Accept-Encoding the one coding taken (§12.5.3): the Functions
 * host passes the body on as it arrived, so gzip'd JSON would otherwise be refused as bad UTF-8, as if the JSON were at fault.
 */
function refuseContentCoding(request: HttpRequest): void {
  const codings = (request.headers.get('content-encoding') ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > 0) {
    throw new HttpError(415, `Send the body uncompressed: Content-Encoding ${codings.join(', ')} is not accepted.`, { headers: { 'Accept-Encoding': 'identity' } });
  }
}

/**
 * Reads a JSON request body: 415 unless `Content-Type` is one of `mediaTypes` and the body is not compressed, 413 above MAX_BODY_BYTES
 * (by the declared length first, so an oversized upload is refused before it is read), 400 for bad UTF-8 or JSON.
 */
export async function readJsonBody(request: HttpRequest, mediaTypes: readonly string[] = ['application/json']): Promise<unknown> {
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType === undefined || !mediaTypes.includes(contentType)) {
    // RFC 5789 §2.2: a PATCH refused for its format names the patch formats the resource takes.
    const headers: Record<string, string> = request.method === 'PATCH' ? { 'Accept-Patch': mediaTypes.join(', ') } : {};
    throw new HttpError(415, `Send the body as ${mediaTypes.join(' or ')}.`, { headers });
  }
  refuseContentCoding(request);
  const tooLarge = () => new HttpError(413, `The body exceeds ${MAX_BODY_BYTES} bytes.`);
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
  let text: string;
  try {
    // JSON is UTF-8 (RFC 8259 §8.1); a lenient decoder would store U+FFFD in place of the bytes it cannot read.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'The body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.');
  }
}
