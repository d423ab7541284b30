/** A file system error as a few words (`no such file`, `is a directory`, `permission denied`). */
export function describeIoError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    default: return error instanceof Error ? error.message : String(error);
  }
}
