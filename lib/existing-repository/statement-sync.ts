import {
  MAX_POLICY_CHARACTERS,
  parsePolicy,
  PolicyDocument,
  removeStatement,
  renderPolicy,
  sameStatements,
  Statement,
  upsertStatement,
} from './policy-document';
import { Backoff, DEFAULT_BACKOFF, pause, ReadResult, RepositoryPolicyStore } from './repository-policy-store';

/**
 * Keeps one statement (named by its Sid) in a repository policy that other people and tools also write.
 *
 * ECR has no conditional write, so every change is read → edit → read again (nobody wrote meanwhile) →
 * write → read again (our statement is there and every other statement is what we read). When another
 * writer got in between, the loop starts over from what is there now, which keeps both changes.
 */
export class StatementSync {
  constructor(
    private readonly store: RepositoryPolicyStore,
    private readonly repositoryName: string,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {}

  /** Adds `statement`, or replaces the statement with its Sid. Fails if the repository does not exist. */
  public async put(statement: Statement): Promise<void> {
    const sid = String(statement.Sid);
    await this.converge(`add statement ${sid}`, current => {
      if (current.kind === 'no-repository') {
        throw new Error(`Repository ${this.repositoryName} does not exist in this account and region. ` +
          'ExistingRepositoryPolicy.MERGE adds a statement to a repository that exists; create it first, or check its name.');
      }
      const document = parsePolicy(current.kind === 'policy' ? current.text : undefined);
      const desired = upsertStatement(document, statement);
      const text = renderPolicy(desired)!;
      if (text.length > MAX_POLICY_CHARACTERS) {
        throw new Error(`Adding statement ${sid} to the policy of repository ${this.repositoryName} would make it ` +
          `${text.length} characters long; ECR allows ${MAX_POLICY_CHARACTERS}. Nothing was written. Remove statements ` +
          'from the policy, or grant fewer node roles on this repository.');
      }
      return { document, desired };
    });
  }

  /** Removes the statement with this Sid and nothing else. A missing repository or policy is success. */
  public async remove(sid: string): Promise<void> {
    await this.converge(`remove statement ${sid}`, current => {
      if (current.kind !== 'policy') {
        return undefined;
      }
      const document = parsePolicy(current.text);
      return { document, desired: removeStatement(document, sid) };
    });
  }

  /**
   * Repeats until the policy holds what `plan` wants. `plan` gets what is there now and returns the document as
   * read and as it should be, or `undefined` when there is nothing to do.
   */
  private async converge(
    what: string,
    plan: (current: ReadResult) => { document: PolicyDocument; desired: PolicyDocument } | undefined,
  ): Promise<void> {
    for (let round = 0; round < this.backoff.attempts; round++) {
      if (round > 0) {
        await pause(this.backoff, round - 1, `Could not ${what} in the policy of repository ${this.repositoryName}`);
      }
      const current = await this.store.read();
      const planned = plan(current);
      if (!planned || sameStatements(planned.desired.statements, planned.document.statements)) {
        return;
      }
      const before = await this.store.read();
      if (!sameRead(before, current)) {
        continue; // Another writer changed the policy after we read it: plan again from what is there now.
      }
      const text = renderPolicy(planned.desired);
      if (text === undefined) {
        await this.store.delete();
      } else {
        await this.store.write(text);
      }
      const after = await this.store.read();
      if (this.holds(after, planned)) {
        return;
      }
      // Another writer changed the policy after our write: the next round keeps its change and ours.
    }
    throw new Error(`Could not ${what} in the policy of repository ${this.repositoryName}: other writers kept ` +
      `changing it (${this.backoff.attempts} rounds). Nothing of theirs was removed; deploy again when they are done.`);
  }

  /**
   * True when the policy read back has the desired statements: ours as planned, the others as we read them.
   * No policy (or no repository) holds exactly when nothing was to be left.
   */
  private holds(after: ReadResult, planned: { document: PolicyDocument; desired: PolicyDocument }): boolean {
    const statements = after.kind === 'policy' ? parsePolicy(after.text).statements : [];
    return sameStatements(statements, planned.desired.statements);
  }
}

function sameRead(a: ReadResult, b: ReadResult): boolean {
  if (a.kind !== b.kind) {
    return false;
  }
  return a.kind !== 'policy' || a.text === (b as { text: string }).text;
}
