import { UsageError } from './arguments';

/** How the check treats an AWS error. */
export type ErrorKind = 'credentials' | 'accessDenied' | 'notFound' | 'other';

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId',
  'UnrecognizedClientException', 'SignatureDoesNotMatch', 'InvalidAccessKeyId', 'AuthFailure', 'TokenRefreshRequired',
  'InvalidSignatureException', 'MissingAuthenticationToken']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

export function errorName(e: unknown): string {
  const error = e as { name?: string; Code?: string };
  return error?.Code ?? error?.name ?? 'Error';
}

export function errorKind(e: unknown): ErrorKind {
  const name = errorName(e);
  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials|credential/i.test(errorMessage(e)) && name === 'Error') {
    return 'credentials';
  }
  if (ACCESS_DENIED.has(name)) {
    return 'accessDenied';
  }
  if (/NotFound|NoSuchEntity/.test(name)) {
    return 'notFound';
  }
  return 'other';
}

/** The first line of an error, as `Name: message`. */
export function describeError(e: unknown): string {
  const name = errorName(e);
  const message = errorMessage(e).split('\n')[0].trim();
  const text = message === '' || message === name ? name : `${name}: ${message}`;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

function errorMessage(e: unknown): string {
  return String((e as Error)?.message ?? e);
}

/** Rethrows credential errors as a usage error (exit 2) that says which credentials failed. */
export function rethrowCredentialError(e: unknown, whose: string): void {
  if (errorKind(e) === 'credentials') {
    throw new UsageError(`the credentials for ${whose} do not work: ${describeError(e)}`);
  }
}
