import { Token } from 'aws-cdk-lib/core';

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
/**
 * An entity path of AWS Organizations as `aws:PrincipalOrgPaths` holds it: the organization, its root, then one to five
 * organizational units (AWS Organizations nests OUs five levels deep), each followed by '/'.
 */
const OU_PATH = /^(o-[a-z0-9]{10,32})\/r-[0-9a-z]{4,32}\/(?:ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\/){1,5}$/;
const OU_PATH_EXAMPLE = 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/';

/**
 * Whose node roles `AnyscaleEcrOrganizationAccess` and `AnyscaleEcrCreatedRepositoryAccess` let pull: every account of an
 * AWS Organization, the accounts of some of its organizational units, or a list of accounts.
 *
 * @example
 * const everyAccount = OrganizationGrantee.organization('o-a1b2c3d4e5');
 * const twoAccounts = OrganizationGrantee.accounts(['111111111111', '222222222222']);
 * const oneOu = OrganizationGrantee.organizationalUnits('o-a1b2c3d4e5', ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/']);
 */
export class OrganizationGrantee {
  /**
   * The node roles of every account of this AWS Organization. The statement's principal is `*`, limited by
   * `aws:PrincipalOrgID`.
   *
   * @param organizationId `o-` followed by 10 to 32 lowercase letters or digits (AWS Organizations console > Settings)
   */
  public static organization(organizationId: string): OrganizationGrantee {
    assertOrganizationId(organizationId, 'OrganizationGrantee.organization');
    return new OrganizationGrantee(organizationId, undefined, undefined);
  }

  /**
   * The node roles of every account in these organizational units of an AWS Organization, and in the OUs under them.
   * The statement's principal is `*`, limited by `aws:PrincipalOrgID` and by `aws:PrincipalOrgPaths` (`ForAnyValue:StringLike`
   * on each path followed by `*`).
   *
   * @param organizationId `o-` followed by 10 to 32 lowercase letters or digits (AWS Organizations console > Settings)
   * @param ouPaths entity paths of the OUs, at least one, as AWS Organizations writes them: the organization id, the root id,
   * then each OU id down to the one granted, each followed by '/' (for example `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`)
   */
  public static organizationalUnits(organizationId: string, ouPaths: string[]): OrganizationGrantee {
    const label = 'OrganizationGrantee.organizationalUnits';
    assertOrganizationId(organizationId, label);
    if (ouPaths.length === 0) {
      throw new Error(`${label}: ouPaths is empty ([]). Pass the entity paths of the OUs, for example ['${OU_PATH_EXAMPLE}'], ` +
        'or grant the whole organization with OrganizationGrantee.organization.');
    }
    for (const path of ouPaths) {
      if (Token.isUnresolved(path)) {
        continue;
      }
      const match = OU_PATH.exec(path);
      if (!match) {
        throw new Error(`${label}: ouPaths has '${path}', which is not the entity path of an organizational unit: ` +
          '\'<organization id>/<root id>/<OU id>/\', with up to five OU ids from the root down, each followed by \'/\' (for example ' +
          `'${OU_PATH_EXAMPLE}').${ouPathHint(path)}`);
      }
      if (!Token.isUnresolved(organizationId) && match[1] !== organizationId) {
        throw new Error(`${label}: ouPaths has '${path}', which is in organization ${match[1]}, not ${organizationId}. ` +
          'A principal belongs to one organization: pass paths of the organization granted.');
      }
    }
    return new OrganizationGrantee(organizationId, undefined, frozen([...new Set(ouPaths)]));
  }

  /**
   * The node roles of these accounts. The statement's principals are the accounts' roots, limited by the role-name
   * patterns.
   *
   * @param accounts 12-digit AWS account ids, at least one
   */
  public static accounts(accounts: string[]): OrganizationGrantee {
    if (accounts.length === 0) {
      throw new Error('OrganizationGrantee.accounts: the list is empty ([]). Pass the 12-digit ids of the node accounts.');
    }
    for (const account of accounts) {
      if (!Token.isUnresolved(account) && !ACCOUNT_ID.test(account)) {
        throw new Error(`OrganizationGrantee.accounts: '${account}' is not a 12-digit AWS account id.`);
      }
    }
    return new OrganizationGrantee(undefined, frozen([...accounts]), undefined);
  }

  private constructor(
    /** The organization granted, if this grantee is an organization or OUs of one. */
    public readonly organizationId: string | undefined,
    /** The accounts granted, if this grantee is a list of accounts. */
    public readonly accountIds: string[] | undefined,
    /** The entity paths of the organizational units granted, if this grantee is OUs of an organization. */
    public readonly organizationalUnitPaths: string[] | undefined,
  ) {}
}

function assertOrganizationId(organizationId: string, label: string): void {
  if (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId)) {
    throw new Error(`${label}: '${organizationId}' is not an organization id: 'o-' followed by ` +
      '10 to 32 lowercase letters or digits (AWS Organizations console > Settings).');
  }
}

/** A list the caller cannot change after the grantee was made (a grant reads it later). */
function frozen(list: string[]): string[] {
  return Object.freeze(list) as string[];
}

function ouPathHint(path: string): string {
  if (path.includes('*')) {
    return ' Leave out the wildcard: the grant already covers the OUs under each path.';
  }
  if (/^ou-[0-9a-z]+-[a-z0-9]+$/.test(path)) {
    return ' This is an OU id alone; the path also names the organization and the root (AWS Organizations console > the OU > ' +
      'its details, or aws organizations list-parents up to the root).';
  }
  if (!path.endsWith('/')) {
    return ` Did you mean '${path}/'?`;
  }
  return '';
}
