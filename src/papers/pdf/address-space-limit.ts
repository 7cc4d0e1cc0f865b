import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const MIB = 1024 * 1024;

/**
 * Caps a running process's address space (RLIMIT_AS, with util-linux's prlimit) at what it has mapped now plus
 * `extraMb`. Unlike V8's heap limits this covers everything: the ArrayBuffers pdf.js inflates streams into, native
 * allocations, wasm. Node reserves a lot of address space it never touches at start-up (about 2 GB here), which is
 * why the cap is set relative to the started process and not as an absolute figure before it starts.
 */
export async function capAddressSpace(pid: number, extraMb: number): Promise<void> {
  const mappedBytes = await mappedAddressSpace(pid);
  const limit = mappedBytes + extraMb * MIB;
  await new Promise<void>((resolve, reject) => {
    execFile('prlimit', [`--pid=${pid}`, `--as=${limit}`], (error) => {
      if (!error) return resolve();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(missing ? new Error('prlimit (from util-linux) is needed to cap the memory of PDF extraction', { cause: error }) : error);
    });
  });
}

async function mappedAddressSpace(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmSize:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmSize in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}
