import { describe, expect, it } from 'vitest';
import { FrameDecoder, MAX_FRAME_BYTES, encodeFrame } from './streamFraming.ts';

describe('QEMU stream netdev framing', () => {
  it('prefixes each frame with its 4-byte big-endian length', () => {
    expect([...encodeFrame(Buffer.from([0xaa, 0xbb, 0xcc]))]).toEqual([0, 0, 0, 3, 0xaa, 0xbb, 0xcc]);
  });

  it('decodes byte by byte and many frames per chunk alike', () => {
    const wire = Buffer.concat([encodeFrame(Buffer.from('first')), encodeFrame(Buffer.alloc(0)), encodeFrame(Buffer.from('third'))]);
    const slow = new FrameDecoder();
    const bytewise = [...wire].flatMap((b) => slow.push(Buffer.from([b])));
    expect(bytewise.map(String)).toEqual(['first', '', 'third']);
    expect(new FrameDecoder().push(wire).map(String)).toEqual(['first', '', 'third']);
  });

  it('rejects a length QEMU itself would refuse', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => new FrameDecoder().push(header)).toThrow(/exceeds/);
  });
});
