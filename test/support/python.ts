/**
 * The Python modules the tests run as oracles (this project's machine image and CI's have them), with how to install
 * each. The tests do not check for a module before they run python3: an import check costs a second start of the
 * interpreter and of the module (about 4 s of CPU in all). When a run fails, `pythonFailure` gives the reason.
 */
const INSTALL: Record<string, string> = {
  moto: "python3 -m pip install 'moto[server]==5.2.*'",
  cfnlint: "python3 -m pip install 'cfn-lint==1.51.*'",
  botocore: 'python3 -m pip install botocore',
};

/**
 * The error for a python3 run that failed: a module python3 could not import is named with how to install it (a
 * machine without it fails the test with that reason instead of skipping it); otherwise the end of what it wrote.
 */
export function pythonFailure(what: string, failure: { code?: number | string | null; stderr?: string | Buffer; message?: string }): Error {
  const stderr = failure.stderr?.toString().trim() ?? '';
  if (failure.code === 'ENOENT') {
    return new Error(`${what}: python3 is not on the PATH (${failure.message}).`);
  }
  const missing = /No module named '?([\w.]+)'?/.exec(stderr)?.[1];
  if (missing !== undefined) {
    const module = missing.split('.')[0];
    const hint = INSTALL[module] ?? `python3 -m pip install ${module}`;
    return new Error(`${what}: this test needs the Python module '${module}' (${hint}), which python3 cannot import here: ` +
      `${stderr.split('\n').pop()}`);
  }
  return new Error(`${what} (exit code ${failure.code}): ${stderr.split('\n').slice(-5).join(' | ') || failure.message}`);
}
