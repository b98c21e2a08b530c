import { CheckLine, Report, Status } from './report';

const SYMBOL: Record<Status, string> = { pass: '✓', fail: '✗', depends: '?', note: '–' };

/** The human output: one line per check, each failure followed by its fix. */
export function renderText(report: Report): string {
  const out: string[] = [`Can ${report.roleArn} pull ${report.repositoryUri}?`];
  for (const line of report.lines) {
    out.push(`${SYMBOL[line.status]} ${line.text}`);
    for (const fix of line.fixes) {
      out.push(`    fix in ${/^\d{12}$/.test(fix.account) ? `account ${fix.account}` : fix.account}: ${fix.text}`);
      if (fix.json !== undefined) {
        out.push(...indent(JSON.stringify(fix.json, undefined, 2), 6));
      }
      if (fix.code !== undefined) {
        out.push('      with cdk-anyscale-ecr-access (TypeScript; the same props in every language):');
        out.push(...indent(fix.code, 6));
      }
    }
  }
  out.push(summary(report));
  return `${out.join('\n')}\n`;
}

function summary(report: Report): string {
  if (report.canPull) {
    return `→ the role can pull ${report.repositoryUri}${report.evaluatedBy === 'documents' ? ' (decided from the policy documents: SCPs were not seen)' : ''}`;
  }
  const count = (status: Status) => report.lines.filter((l: CheckLine) => l.status === status).length;
  const parts = [count('fail') > 0 ? `${count('fail')} failed` : '', count('depends') > 0 ? `${count('depends')} not decided` : ''].filter(Boolean);
  return `→ the role cannot pull ${report.repositoryUri}: ${parts.join(', ') || 'see above'}`;
}

function indent(text: string, spaces: number): string[] {
  return text.split('\n').map(line => `${' '.repeat(spaces)}${line}`);
}

/** `--json`: the same report, for CI after `cdk deploy`. */
export function renderJson(report: Report): string {
  return `${JSON.stringify({
    version: 1,
    canPull: report.canPull,
    exitCode: report.exitCode,
    role: report.roleArn,
    repository: { uri: report.repositoryUri, arn: report.repositoryArn },
    evaluatedBy: report.evaluatedBy,
    ...(report.simulatorUnavailable ? { simulatorUnavailable: report.simulatorUnavailable } : {}),
    checks: report.lines.map(line => ({
      check: line.check,
      status: line.status,
      text: line.text,
      ...(line.dependsOn ? { dependsOn: line.dependsOn } : {}),
      fixes: line.fixes,
    })),
  }, undefined, 2)}\n`;
}
