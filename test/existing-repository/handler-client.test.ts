import { DEFAULT_TIMING, ECR_TIMEOUTS } from '../../lib/private/existing-repository/handler/statement-sync';
import '../../lib/private/existing-repository/handler/merge-policy.lambda';

// The ECR client the Lambda entry point creates: the handler retries by reading again, so the SDK must send each
// call once, and every call must end within the timeouts the settle time is derived from.
jest.mock('@aws-sdk/client-ecr', () => {
  const actual = jest.requireActual('@aws-sdk/client-ecr');
  return {
    ...actual,
    ECRClient: jest.fn().mockImplementation((options: unknown) => {
      ((globalThis as Record<string, any>).ecrClientOptions ??= []).push(options);
      return new actual.ECRClient(options);
    }),
  };
});

test('the module\'s ECR client sends each call once, with a 3 s connection and a 5 s request timeout that throw', () => {
  expect((globalThis as Record<string, any>).ecrClientOptions).toEqual([{
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  }]);
});

test('the settle time is longer than another handler can take from its read to the landing of its write', () => {
  expect(DEFAULT_TIMING.settleMs).toBeGreaterThan(DEFAULT_TIMING.maxReadAgeMs + ECR_TIMEOUTS.connectionMs + ECR_TIMEOUTS.requestMs);
});
