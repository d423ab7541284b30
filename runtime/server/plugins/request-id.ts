/**
 * x-request-id: honoured when the client sends a sane one (so traces join up), generated otherwise,
 * and echoed on every response.
 */
import { randomUUID } from 'node:crypto';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : `req_${randomUUID().replaceAll('-', '')}`;
}
