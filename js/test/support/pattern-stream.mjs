// Test data for streamed blobs: `size` bytes of a cheap pattern as a ReadableStream of uneven
// chunks, with the SHA-256 of what it gave (Node only: node:crypto).
import { createHash } from 'node:crypto';

export function patternStream(size) {
  const hash = createHash('sha256');
  let at = 0;
  const stream = new ReadableStream({
    pull(controller) {
      if (at >= size) return controller.close();
      const n = Math.min(size - at, 700_001);
      const chunk = new Uint8Array(n);
      for (let i = 0; i < n; i += 4096) chunk[i] = (at + i) & 0xff;
      chunk[n - 1] = (at >> 20) & 0xff;
      at += n;
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}
