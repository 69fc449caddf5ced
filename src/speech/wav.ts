/** RIFF/WAVE reading and writing for plain PCM: what espeak-ng and Azure return, and what the kiosk records. */

export interface PcmWav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** The samples, without the header. */
  data: Buffer;
}

export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

/**
 * Reads a PCM WAV file. Tolerates what real writers do: extra chunks, an odd chunk padded to
 * even length, and a data size of 0 or 0xFFFFFFFF from a writer that streamed to a pipe
 * (then the data runs to the end of the file).
 */
export function readWav(buffer: Buffer): PcmWav {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavError('not a RIFF/WAVE file');
  }
  let format: Omit<PcmWav, 'data'> | undefined;
  let at = 12;
  while (at + 8 <= buffer.length) {
    const id = buffer.toString('ascii', at, at + 4);
    const size = buffer.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buffer.length) throw new WavError('the fmt chunk is too short');
      const audioFormat = buffer.readUInt16LE(body);
      // 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE, which browsers and sox use for plain PCM too.
      if (audioFormat !== 1 && audioFormat !== 0xfffe) throw new WavError(`the audio is not PCM (format ${audioFormat})`);
      format = { channels: buffer.readUInt16LE(body + 2), sampleRate: buffer.readUInt32LE(body + 4), bitsPerSample: buffer.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format) throw new WavError('the data chunk comes before the fmt chunk');
      const end = size === 0 || size === 0xffffffff || body + size > buffer.length ? buffer.length : body + size;
      return { ...format, data: buffer.subarray(body, end) };
    }
    at = body + size + (size % 2);
  }
  throw new WavError('the file has no data chunk');
}

/** Seconds of audio in a PCM WAV file. */
export function wavSeconds(buffer: Buffer): number {
  const wav = readWav(buffer);
  const bytesPerSecond = wav.sampleRate * wav.channels * (wav.bitsPerSample / 8);
  return bytesPerSecond > 0 ? wav.data.length / bytesPerSecond : 0;
}

/** 16-bit mono PCM samples with a 44-byte WAV header. */
export function pcmToWav(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
