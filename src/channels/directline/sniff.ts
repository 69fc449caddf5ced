/**
 * What an uploaded file really is, judged by its first bytes (magic numbers), never by the
 * type or name the sending device claims: a renamed program must not pass as a photo.
 * Only the kinds a filer sends as evidence are known: photos and PDFs.
 */
export type EvidenceType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' | 'image/heic' | 'image/heif' | 'application/pdf';

export const EVIDENCE_TYPES: ReadonlySet<string> = new Set<EvidenceType>([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/heic',
  'image/heif',
  'application/pdf',
]);

// ISO base media file brands (ISO/IEC 23008-12): HEVC-coded HEIF images are "HEIC".
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2']);

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((value, i) => bytes[offset + i] === value);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return bytes.length >= end ? String.fromCharCode(...bytes.subarray(start, end)) : '';
}

/** The evidence type of `bytes`, or undefined when they are none of the accepted kinds. */
export function sniffEvidenceType(bytes: Uint8Array): EvidenceType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  // PDF readers tolerate junk before the header; we do not, so a polyglot cannot slip through.
  if (ascii(bytes, 0, 5) === '%PDF-') return 'application/pdf';
  return sniffHeif(bytes);
}

/**
 * HEIF (what iPhones save photos as): a `ftyp` box first, whose major or compatible brands
 * name an image brand. AVIF shares the container; it is not on the accepted list.
 */
function sniffHeif(bytes: Uint8Array): EvidenceType | undefined {
  if (ascii(bytes, 4, 8) !== 'ftyp') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxSize = view.getUint32(0);
  // A ftyp box holds size, type, major brand and minor version (16 bytes), then brands of 4.
  if (boxSize < 16 || boxSize > 4096 || boxSize > bytes.length || boxSize % 4 !== 0) return undefined;
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(bytes, at, at + 4));
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'image/heic';
  if (brands.some((brand) => brand === 'avif' || brand === 'avis')) return undefined;
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return 'image/heif';
  return undefined;
}
