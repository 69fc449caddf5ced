import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const ID = '3f2b7c1e-0000-4000-8000-00000000c0de';
const TENANT = '0c0ffee0-0000-4000-8000-000000000001';

function microsoftApp(env: Record<string, string>) {
  return loadConfig(env, '/tmp').microsoftApp;
}

describe('Microsoft app settings (MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId, MicrosoftAppType)', () => {
  it('are optional: no id means the local-Emulator-only mode', () => {
    expect(microsoftApp({})).toEqual({ type: 'MultiTenant' });
    // Azure's templates leave the values empty for local runs.
    expect(microsoftApp({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppTenantId: '', MicrosoftAppType: 'MultiTenant' })).toEqual({ type: 'MultiTenant' });
  });

  it('accept each app type with what it needs', () => {
    expect(microsoftApp({ MicrosoftAppId: ID, MicrosoftAppPassword: 'pw' })).toEqual({ id: ID, password: 'pw', type: 'MultiTenant' });
    expect(microsoftApp({ MicrosoftAppId: ID, MicrosoftAppPassword: 'pw', MicrosoftAppTenantId: TENANT, MicrosoftAppType: 'SingleTenant' }))
      .toEqual({ id: ID, password: 'pw', tenantId: TENANT, type: 'SingleTenant' });
    // The SDK and Azure's templates write UserAssignedMsi; any case works.
    expect(microsoftApp({ MicrosoftAppId: ID, MicrosoftAppTenantId: TENANT, MicrosoftAppType: 'UserAssignedMsi' }))
      .toEqual({ id: ID, tenantId: TENANT, type: 'UserAssignedMSI' });
  });

  it.each([
    [{ MicrosoftAppType: 'Personal' }, /MicrosoftAppType must be/],
    [{ MicrosoftAppPassword: 'pw' }, /MicrosoftAppId must be set/],
    [{ MicrosoftAppTenantId: TENANT }, /MicrosoftAppId must be set/],
    [{ MicrosoftAppType: 'SingleTenant' }, /MicrosoftAppId must be set/],
    [{ MicrosoftAppId: ID }, /MultiTenant needs MicrosoftAppPassword/],
    [{ MicrosoftAppId: ID, MicrosoftAppPassword: 'pw', MicrosoftAppTenantId: TENANT }, /only used with MicrosoftAppType SingleTenant/],
    [{ MicrosoftAppId: ID, MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' }, /SingleTenant needs MicrosoftAppTenantId/],
    [{ MicrosoftAppId: ID, MicrosoftAppTenantId: TENANT, MicrosoftAppType: 'SingleTenant' }, /SingleTenant needs MicrosoftAppPassword/],
    [{ MicrosoftAppId: ID, MicrosoftAppType: 'UserAssignedMSI' }, /UserAssignedMSI needs MicrosoftAppTenantId/],
    [{ MicrosoftAppId: ID, MicrosoftAppPassword: 'pw', MicrosoftAppTenantId: TENANT, MicrosoftAppType: 'UserAssignedMSI' }, /must not be set/],
  ])('stop start-up when half filled: %o', (env, message) => {
    expect(() => loadConfig(env, '/tmp')).toThrow(ConfigError);
    expect(() => loadConfig(env, '/tmp')).toThrow(message);
  });

  it('never put the password in an error message', () => {
    try {
      loadConfig({ MicrosoftAppId: ID, MicrosoftAppPassword: 'hunter2-secret', MicrosoftAppTenantId: TENANT }, '/tmp');
      expect.unreachable('a tenant with MultiTenant is refused');
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
