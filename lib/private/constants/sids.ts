/**
 * Every `Sid` the library writes into a repository policy or a creation template, in one place. Imported by the
 * constructs and by the bundled handler, so this module imports nothing.
 */

/** The one statement the constructs keep in each repository policy they own: the granted node roles may pull. */
export const PULL_STATEMENT_SID = 'AnyscaleEcrPull';

/** An organization-wide pull statement: this prefix and a digest of the grant. */
export const ORGANIZATION_SID_PREFIX = 'AnyscaleEcrPullOrg';

/** The registry policy statement that lets node roles fill a pull-through cache: this prefix and a digest. */
export const PULL_THROUGH_CACHE_SID_PREFIX = 'AnyscaleEcrPullThroughCache';

/**
 * A library statement whose Sid another of the library's statements of the same policy holds, with other content (two
 * grants whose 8-digit digests are equal): the Sid followed by this letter and 2, 3, ... The letter is not a
 * hexadecimal digit, so the result never reads as another grant's Sid.
 */
export const SID_COLLISION_SEPARATOR = 'N';

/** Hexadecimal digits of the digest in the handler's Sids. */
export const HANDLER_SID_DIGITS = 24;

/**
 * The statement the existing-repository handler merges into a repository it does not own: the pull statement's Sid
 * followed by `HANDLER_SID_DIGITS` upper-case hexadecimal digits of a digest of the custom resource.
 */
export const HANDLER_SID_PREFIX = PULL_STATEMENT_SID;

/**
 * Exactly the handler's Sids. The library's other Sids share its prefix and never match: `AnyscaleEcrPull` has no
 * digits, and `Org` and `ThroughCache` begin with letters that are not hexadecimal digits (`O`, `T`).
 */
export const HANDLER_SID_PATTERN = new RegExp(`^${HANDLER_SID_PREFIX}[0-9A-F]{${HANDLER_SID_DIGITS}}$`);
