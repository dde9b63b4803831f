/**
 * Whether a process with this id runs on this machine. Signal 0 checks without sending anything;
 * EPERM means it exists but belongs to someone else, which is still alive.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
