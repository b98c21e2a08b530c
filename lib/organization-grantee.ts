import { Token } from 'aws-cdk-lib';

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Whose node roles `AnyscaleEcrOrganizationAccess` lets pull: every account of an AWS Organization, or a list of
 * accounts.
 *
 * @example
 * const everyAccount = OrganizationGrantee.organization('o-a1b2c3d4e5');
 * const twoAccounts = OrganizationGrantee.accounts(['111111111111', '222222222222']);
 */
export class OrganizationGrantee {
  /**
   * The node roles of every account of this AWS Organization. The statement's principal is `*`, limited by
   * `aws:PrincipalOrgID`.
   *
   * @param organizationId `o-` followed by 10 to 32 lowercase letters or digits (AWS Organizations console > Settings)
   */
  public static organization(organizationId: string): OrganizationGrantee {
    if (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId)) {
      throw new Error(`OrganizationGrantee.organization: '${organizationId}' is not an organization id: 'o-' followed by ` +
        '10 to 32 lowercase letters or digits (AWS Organizations console > Settings).');
    }
    return new OrganizationGrantee(organizationId, undefined);
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
    return new OrganizationGrantee(undefined, [...accounts]);
  }

  private constructor(
    /** The organization granted, if this grantee is an organization. */
    public readonly organizationId: string | undefined,
    /** The accounts granted, if this grantee is a list of accounts. */
    public readonly accountIds: string[] | undefined,
  ) {}
}
