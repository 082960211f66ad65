import v8 from 'node:v8';
import vm from 'node:vm';

// Retained heap after a full collection, so memory tests measure what is kept, not garbage
// that V8 has not collected yet. The test process has no --expose-gc, so switch it on here.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export function retainedHeapBytes(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
